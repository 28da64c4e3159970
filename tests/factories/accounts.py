"""factory_boy factories for people and organisations; any test may import them:

    from tests.factories.accounts import MembershipFactory, OrganisationFactory, UserFactory

(or ``from tests.factories import …``: the package re-exports every domain's factories).

- ``UserFactory()`` — an active user with a *verified* primary email (allauth ``EmailAddress``),
  password ``factories.PASSWORD`` unless ``password=...``; ``email_verified=False`` leaves
  the address unverified, ``email_address=None`` creates no ``EmailAddress`` at all.
- ``OrganisationFactory()`` — a customer organisation without members;
  ``OrganisationFactory(kind=Organisation.Kind.PARTNER)`` or ``PartnerOrganisationFactory()``.
- ``MembershipFactory(role=Role.ADMIN, organisation=org)`` — a user (new unless given) in an
  organisation (new unless given). ``OwnerFactory`` / ``AdminFactory`` for the other roles.
- ``buyer(role=Role.OWNER, organisation=None)`` — ``(user, organisation)``: a new user who is a
  member of a customer organisation (new unless given).
- ``staff_member("programme_manager")`` — a user in one of the staff groups of
  ``accounts.roles.STAFF_GROUPS``, enrolled in two-factor (staff need it before the admin).
- ``InvitationFactory(organisation=org, email=...)`` — a usable invitation; ``expired=True``,
  ``accepted=True`` or ``revoked=True`` for the other states. Created directly: no email sent.
"""

from datetime import timedelta

import factory
from allauth.account.models import EmailAddress
from django.utils import timezone

from accounts.models import Invitation, Membership, Organisation, Role, User
from accounts.roles import STAFF_GROUPS

__all__ = [
    "AdminFactory",
    "EmailAddressFactory",
    "InvitationFactory",
    "MembershipFactory",
    "OrganisationFactory",
    "OwnerFactory",
    "PASSWORD",
    "PartnerOrganisationFactory",
    "StaffUserFactory",
    "UserFactory",
    "buyer",
    "staff_member",
]

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


def buyer(role=Role.OWNER, organisation: Organisation | None = None):
    """(user, organisation): a new user who is a member (owner by default) of a customer
    organisation."""
    user = UserFactory()
    organisation = organisation or OrganisationFactory(kind=Organisation.Kind.CUSTOMER)
    MembershipFactory(user=user, organisation=organisation, role=role)
    return user, organisation


def staff_member(group_key: str, *, two_factor: bool = True, **user_fields):
    """A user in the staff group ``STAFF_GROUPS[group_key]`` ("programme_manager", "finance",
    "reviewer", "admin"…), enrolled in two-factor unless ``two_factor=False``."""
    from django.contrib.auth.models import Group

    from tests.unit.accounts.helpers import enrol_totp

    user = UserFactory(**user_fields)
    user.groups.add(Group.objects.get(name=STAFF_GROUPS[group_key].name))
    if two_factor:
        enrol_totp(user)  # staff need two-factor before the admin (accounts.mfa)
    return user


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
