"""Organisations and invitations in the Wagtail admin, and the Wagtail user form."""

import pytest
from django.contrib.auth.models import Group

from accounts.models import Invitation, Role
from accounts.wagtail_users import SymbioUserCreationForm, SymbioUserEditForm, UserViewSet
from tests.factories.accounts import InvitationFactory, MembershipFactory, OwnerFactory, UserFactory
from tests.unit.accounts.helpers import enrol_totp

pytestmark = pytest.mark.django_db

ORGANISATIONS = "/admin/snippets/accounts/organisation/"
INVITATIONS = "/admin/snippets/accounts/invitation/"


def staff(group_name=None, **kwargs):
    user = UserFactory(is_staff=True, **kwargs)
    if group_name:
        user.groups.add(Group.objects.get(name=group_name))
    enrol_totp(user)  # staff need two-factor before the admin (accounts.mfa)
    return user


@pytest.fixture
def organisation():
    owner = OwnerFactory(
        organisation__name="星云科技", organisation__name_en="Nebula Tech", user__email="o@x.example"
    )
    MembershipFactory(organisation=owner.organisation, user__email="m@x.example", role=Role.MEMBER)
    return owner.organisation


def test_programme_manager_browses_organisations_and_sees_their_members(client, organisation):
    client.force_login(staff("Programme managers"))

    listing = client.get(ORGANISATIONS)
    inspect = client.get(f"{ORGANISATIONS}inspect/{organisation.pk}/")

    assert listing.status_code == 200
    assert "星云科技" in listing.content.decode()
    assert inspect.status_code == 200
    assert "o@x.example" in inspect.content.decode() and "m@x.example" in inspect.content.decode()
    assert client.get(f"{ORGANISATIONS}edit/{organisation.pk}/").status_code in (302, 403)


def test_ecosystem_admin_edits_an_organisation_and_sees_members_read_only(client, organisation):
    client.force_login(staff("Ecosystem admins"))

    response = client.get(f"{ORGANISATIONS}edit/{organisation.pk}/")

    assert response.status_code == 200
    content = response.content.decode()
    assert "m@x.example" in content
    assert 'name="name_en"' in content


def test_staff_without_the_permission_cannot_browse_invitations(client):
    InvitationFactory(email="secret@example.com")
    client.force_login(staff("Finance"))

    response = client.get(INVITATIONS)

    assert response.status_code in (302, 403)


def test_invitations_are_view_only_even_for_superusers(client):
    invitation = InvitationFactory(email="grace@example.com")
    client.force_login(staff(is_superuser=True))

    assert "grace@example.com" in client.get(INVITATIONS).content.decode()
    assert client.get(f"{INVITATIONS}inspect/{invitation.pk}/").status_code == 200
    assert client.get(f"{INVITATIONS}add/").status_code in (302, 403)
    assert client.post(f"{INVITATIONS}add/", {"email": "x@example.com"}).status_code in (302, 403)
    assert client.get(f"{INVITATIONS}edit/{invitation.pk}/").status_code in (302, 403)
    assert Invitation.objects.count() == 1


def test_wagtail_user_forms_edit_the_display_name_and_names_are_optional():
    assert "display_name" in SymbioUserCreationForm.base_fields
    assert "display_name" in SymbioUserEditForm.base_fields
    assert not SymbioUserEditForm.base_fields["first_name"].required
    assert not SymbioUserEditForm.base_fields["last_name"].required


def test_wagtail_user_edit_form_saves_the_display_name():
    user = UserFactory(display_name="Old")
    data = {
        "username": user.username,
        "email": user.email,
        "display_name": "New name",
        "is_active": "on",
        "groups": [],
    }

    form = SymbioUserEditForm(data, instance=user)

    assert form.is_valid(), form.errors
    form.save()
    user.refresh_from_db()
    assert user.display_name == "New name"


def test_the_wagtail_user_edit_page_shows_the_display_name(client):
    person = UserFactory(display_name="Grace Hopper")
    client.force_login(staff(is_superuser=True))

    response = client.get(f"/admin/users/edit/{person.pk}/")

    assert response.status_code == 200
    assert 'name="display_name"' in response.content.decode()
    assert UserViewSet().get_form_class(for_update=True) is SymbioUserEditForm
