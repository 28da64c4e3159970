from django.db import transaction

from accounts.models import Membership, Organisation, Role


@transaction.atomic
def create_organisation(*, name: str, kind: str, owner, name_en: str = "") -> Organisation:
    org = Organisation(name=name, name_en=name_en, kind=kind, slug=Organisation.unique_slug(name_en or name))
    org.full_clean()
    org.save()
    Membership.objects.create(user=owner, organisation=org, role=Role.OWNER)
    return org


def on_signup(*, request, user, organisation_name: str | None) -> Organisation:
    name = (organisation_name or "").strip() or (user.display_name or user.email.split("@")[0])
    return create_organisation(name=name, kind=Organisation.Kind.CUSTOMER, owner=user)
