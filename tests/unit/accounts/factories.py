"""factory_boy factories for people and organisations; any test may import them:

    from tests.unit.accounts.factories import MembershipFactory, OrganisationFactory, UserFactory

- ``UserFactory()`` — an active user with a *verified* primary email (allauth ``EmailAddress``),
  password ``factories.PASSWORD`` unless ``password=...``; ``email_verified=False`` leaves
  the address unverified, ``email_address=None`` creates no ``EmailAddress`` at all.
- ``OrganisationFactory()`` — a customer organisation without members;
  ``OrganisationFactory(kind=Organisation.Kind.PARTNER)`` or ``PartnerOrganisationFactory()``.
- ``MembershipFactory(role=Role.ADMIN, organisation=org)`` — a user (new unless given) in an
  organisation (new unless given). ``OwnerFactory`` / ``AdminFactory`` for the other roles.
- ``InvitationFactory(organisation=org, email=...)`` — a usable invitation; ``expired=True``,
  ``accepted=True`` or ``revoked=True`` for the other states. Created directly: no email sent.
"""

from datetime import timedelta

import factory
from allauth.account.models import EmailAddress
from django.utils import timezone

from accounts.models import Invitation, Membership, Organisation, Role, User

PASSWORD = "correct-horse-battery-9"  # every factory user's password unless given


class EmailAddressFactory(factory.django.DjangoModelFactory):
    """An allauth address of an existing user: ``EmailAddressFactory(user=u, email=...)``."""

    class Meta:
        model = EmailAddress

    email = factory.LazyAttribute(lambda o: o.user.email.lower())
    verified = True
    primary = True


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True  # the email address hook saves its own row

    class Params:
        email_verified = True

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    username = factory.SelfAttribute("email")
    display_name = factory.Faker("name")
    password = factory.django.Password(PASSWORD)
    is_active = True
    email_address = factory.RelatedFactory(
        EmailAddressFactory,
        factory_related_name="user",
        verified=factory.SelfAttribute("..email_verified"),
    )


class StaffUserFactory(UserFactory):
    is_staff = True


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"示例公司 {n}")
    name_en = factory.Sequence(lambda n: f"Example Company {n}")
    slug = factory.Sequence(lambda n: f"example-company-{n}")
    kind = Organisation.Kind.CUSTOMER


class PartnerOrganisationFactory(OrganisationFactory):
    kind = Organisation.Kind.PARTNER


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Role.MEMBER


class OwnerFactory(MembershipFactory):
    role = Role.OWNER


class AdminFactory(MembershipFactory):
    role = Role.ADMIN


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invitation

    class Params:
        expired = factory.Trait(
            expires_at=factory.LazyFunction(lambda: timezone.now() - timedelta(minutes=1))
        )
        accepted = factory.Trait(accepted_at=factory.LazyFunction(timezone.now))
        revoked = factory.Trait(revoked_at=factory.LazyFunction(timezone.now))

    organisation = factory.SubFactory(OrganisationFactory)
    email = factory.Sequence(lambda n: f"invitee{n}@example.com")
    role = Role.MEMBER
    invited_by = None
