import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse
from django.utils import translation

from accounts.models import Role
from tests.factories.accounts import InvitationFactory, MembershipFactory, OwnerFactory, UserFactory
from tests.unit.accounts.helpers import log_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner():
    return OwnerFactory(organisation__name="星云科技", organisation__name_en="Nebula Tech")


# --- dashboard ----------------------------------------------------------------------------
def test_dashboard_requires_login(client):
    response = client.get("/en/account/")

    assert response.status_code == 302
    assert response["Location"].startswith("/en/accounts/login/")


def test_dashboard_lists_my_organisations_with_roles_and_highlights_the_active_one(client, owner):
    second = MembershipFactory(user=owner.user, organisation__name_en="Zephyr Labs", role=Role.MEMBER)
    log_in(client, owner.user)
    client.post("/en/account/switch/", {"organisation": second.organisation.slug})

    response = client.get("/en/account/")

    content = response.content.decode()
    assert "Nebula Tech" in content and "Zephyr Labs" in content
    assert "Owner" in content and "Member" in content
    assert response.context["active_organisation_id"] == second.organisation_id
    active_row = content.split('aria-current="true"', 1)[1].split("</tr>", 1)[0]
    assert "Zephyr Labs" in active_row


def test_dashboard_links_to_email_password_and_two_factor_pages(client, user):
    log_in(client, user)

    content = client.get("/en/account/").content.decode()

    with translation.override("en"):
        for name in ("account_email", "account_change_password", "mfa_index"):
            assert f'href="{reverse(name)}"' in content


def test_dashboard_shows_pending_invitations_to_my_verified_addresses_only(client, user):
    to_me = InvitationFactory(email=user.email, organisation__name_en="Orbit Inc")
    EmailAddress.objects.create(user=user, email="second@example.com", verified=False, primary=False)
    InvitationFactory(email="second@example.com", organisation__name_en="Unverified Corp")
    InvitationFactory(email=user.email, organisation__name_en="Expired Co", expired=True)
    log_in(client, user)

    response = client.get("/en/account/")

    assert list(response.context["invitations"]) == [to_me]
    content = response.content.decode()
    assert "Orbit Inc" in content
    assert "Unverified Corp" not in content and "Expired Co" not in content


# --- switching ----------------------------------------------------------------------------
def test_switching_to_my_organisation_sets_it_active_and_goes_back(client, owner):
    other = MembershipFactory(user=owner.user)
    log_in(client, owner.user)

    response = client.post(
        "/en/account/switch/", {"organisation": other.organisation.slug, "next": "/en/search/"}
    )

    assert response.status_code == 302
    assert response["Location"] == "/en/search/"
    assert client.session["active_organisation_id"] == other.organisation_id


def test_switching_ignores_a_next_url_on_another_site(client, owner):
    log_in(client, owner.user)

    response = client.post(
        "/en/account/switch/", {"organisation": owner.organisation.slug, "next": "https://evil.example/"}
    )

    assert response["Location"] == "/en/account/"


def test_switching_to_an_organisation_i_do_not_belong_to_answers_404(client, owner):
    stranger = OwnerFactory()
    log_in(client, owner.user)
    before = client.session.get("active_organisation_id")

    response = client.post("/en/account/switch/", {"organisation": stranger.organisation.slug})

    assert response.status_code == 404
    assert client.session.get("active_organisation_id") == before


def test_switching_is_post_only(client, owner):
    log_in(client, owner.user)

    assert client.get("/en/account/switch/", {"organisation": owner.organisation.slug}).status_code == 405


# --- organisation page ---------------------------------------------------------------------
def test_organisation_page_lists_members_with_roles(client, owner):
    member = MembershipFactory(organisation=owner.organisation, user__display_name="Linus")
    log_in(client, member.user)

    response = client.get(f"/en/account/org/{owner.organisation.slug}/")

    assert response.status_code == 200
    content = response.content.decode()
    assert owner.user.email in content and member.user.email in content
    assert [m.role for m in response.context["members"]] == [Role.OWNER, Role.MEMBER]
    assert 'name="email"' not in content  # no invite form for plain members
    assert "/remove/" not in content


def test_managers_see_the_invite_form_and_member_controls(client, owner):
    MembershipFactory(organisation=owner.organisation)
    log_in(client, owner.user)

    content = client.get(f"/en/account/org/{owner.organisation.slug}/").content.decode()

    assert f"/en/account/org/{owner.organisation.slug}/invite/" in content
    assert "/role/" in content and "/remove/" in content


def test_organisation_page_of_a_non_member_answers_404(client, owner, user):
    log_in(client, user)

    assert client.get(f"/en/account/org/{owner.organisation.slug}/").status_code == 404


@pytest.mark.parametrize("flags", [{"is_staff": True}, {"is_staff": True, "is_superuser": True}])
def test_organisation_page_answers_404_to_staff_who_are_not_members(client, owner, flags):
    staff = UserFactory(**flags)
    log_in(client, staff)

    assert client.get(f"/en/account/org/{owner.organisation.slug}/").status_code == 404


def test_organisation_page_of_an_unknown_slug_answers_404(client, owner):
    log_in(client, owner.user)

    assert client.get("/en/account/org/no-such-org/").status_code == 404
