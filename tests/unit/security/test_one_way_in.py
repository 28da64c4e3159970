"""One way in: the admin's login is allauth's (rate limits, two-factor), MFA is required for staff
and partner owners/admins before the admin or the console, logout is POST-only and ends the
server session, and Wagtail's own password/email screens are gone."""

import pytest
from django.contrib.auth.models import Group
from django.utils.module_loading import import_string

from accounts.models import Organisation, Role
from accounts.roles import STAFF_GROUPS
from tests.factories.accounts import PASSWORD, MembershipFactory, UserFactory
from tests.factories.partners import provisioned_partner
from tests.unit.accounts.helpers import enrol_totp, totp_code

pytestmark = pytest.mark.django_db

TOO_MANY_ATTEMPTS_MESSAGE = "Too many failed login attempts. Try again later."
ENROL = "/en/accounts/2fa/totp/activate/"


def staff(key: str):
    user = UserFactory()
    user.groups.add(Group.objects.get_or_create(name=STAFF_GROUPS[key].name)[0])
    return user


def partner_manager(role=Role.OWNER):
    partner = provisioned_partner()  # its first owner is enrolled; this one is new
    return MembershipFactory(role=role, organisation=partner.organisation).user


def session_alive(session_key: str) -> bool:
    from django.conf import settings

    return import_string(settings.SESSION_ENGINE + ".SessionStore")().exists(session_key)


# --- the admin's login is allauth's -----------------------------------------------------------------
def test_admin_login_lands_on_allauth_and_never_checks_a_password(client):
    user = staff("reviewer")
    response = client.get("/admin/login/?next=/admin/pages/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=%2Fadmin%2Fpages%2F"
    page = client.get(response["Location"])
    assert page.status_code == 200 and 'name="login"' in page.content.decode()

    # A password posted to Wagtail's old login is not even looked at.
    posted = client.post("/admin/login/", {"username": user.email, "password": PASSWORD})
    assert posted.status_code == 302 and posted["Location"].startswith("/accounts/login/")
    assert "_auth_user_id" not in client.session

    # Anonymous admin pages send people to allauth too; foreign "next" URLs are dropped.
    assert client.get("/admin/")["Location"].startswith("/accounts/login/?next=/admin/")
    assert client.get("/admin/login/?next=https://evil.example.com/")["Location"] == "/accounts/login/"


def test_the_sixth_wrong_password_at_the_admin_login_is_refused(client):
    user = staff("finance")
    client.defaults["REMOTE_ADDR"] = "203.0.113.61"  # a fresh address for the per-IP limit
    login_url = "/en" + client.get("/admin/login/")["Location"]
    for _attempt in range(5):
        response = client.post(login_url, {"login": user.email, "password": "wrong-password"})
        assert response.status_code == 200 and TOO_MANY_ATTEMPTS_MESSAGE not in response.content.decode()

    sixth = client.post(login_url, {"login": user.email, "password": PASSWORD})

    assert sixth.status_code == 200
    assert TOO_MANY_ATTEMPTS_MESSAGE in sixth.content.decode()
    assert "_auth_user_id" not in client.session


def test_staff_with_totp_log_in_to_the_admin_only_with_the_code(client):
    user = staff("finance")
    enrol_totp(user)
    login_url = client.get("/admin/login/?next=/admin/")["Location"]
    response = client.post(login_url, {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"].endswith("/accounts/2fa/authenticate/")
    assert client.get("/admin/").status_code == 302  # the password alone is no session

    response = client.post(response["Location"], {"code": totp_code()})
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


# --- MFA required ------------------------------------------------------------------------------
@pytest.mark.parametrize("who", [*STAFF_GROUPS, "superuser"])
def test_staff_without_an_authenticator_are_sent_to_enrol_before_the_admin(client, who):
    user = UserFactory(is_superuser=True, is_staff=True) if who == "superuser" else staff(who)
    client.force_login(user)
    for path in ("/admin/", "/admin/pages/", "/admin/account/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/accounts/2fa/totp/activate/?next="), path

    enrol_totp(user)
    assert client.get("/admin/").status_code == 200


@pytest.mark.parametrize("role", [Role.OWNER, Role.ADMIN])
def test_partner_owners_and_admins_must_enrol_before_the_console(client, role):
    user = partner_manager(role)
    client.force_login(user)
    for path in ("/en/partners/console/", "/partners/console/", "/en/billing/partner/", "/admin/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert "/accounts/2fa/totp/activate/" in response["Location"], path
    enrol_totp(user)
    assert client.get("/en/partners/console/").status_code == 200


def test_mfa_stays_optional_for_partner_members_and_customers(client):
    member = partner_manager(Role.MEMBER)
    customer_owner = MembershipFactory(role=Role.OWNER).user
    assert customer_owner.memberships.get().organisation.kind == Organisation.Kind.CUSTOMER
    for user in (member, customer_owner):
        client.force_login(user)
        for path in ("/en/partners/console/", "/en/account/"):
            response = client.get(path)
            assert "/2fa/" not in response.get("Location", ""), (user, path)
        client.logout()


def test_the_enrolment_page_itself_is_reachable(client):
    user = staff("reviewer")
    client.post("/en/accounts/login/", {"login": user.email, "password": PASSWORD})
    page = client.get(ENROL)
    if page.status_code == 302:  # allauth asks for the password again before security changes
        assert page["Location"].startswith("/en/accounts/reauthenticate/")
        client.post(page["Location"], {"password": PASSWORD})
        page = client.get(ENROL)
    assert page.status_code == 200 and "totp" in page.content.decode().lower()


# --- logout ------------------------------------------------------------------------------------
def test_admin_logout_by_get_changes_nothing_and_post_ends_the_server_session(client):
    user = staff("reviewer")
    enrol_totp(user)
    client.force_login(user)
    key = client.session.session_key

    got = client.get("/admin/logout/")
    assert got.status_code == 302 and got["Location"] == "/accounts/logout/"
    assert "sessionid" not in got.cookies or got.cookies["sessionid"].value == key
    assert session_alive(key) and client.get("/admin/").status_code == 200  # honestly still in

    posted = client.post("/admin/logout/")
    assert posted.status_code == 302
    assert not session_alive(key)
    assert client.get("/admin/").status_code == 302

    # The same holds for a cookie someone kept: the old session id no longer authenticates.
    client.cookies["sessionid"] = key
    assert client.get("/admin/").status_code == 302


def test_allauth_logout_is_post_only(client, settings):
    assert settings.ACCOUNT_LOGOUT_ON_GET is False
    user = UserFactory()
    client.force_login(user)
    key = client.session.session_key
    assert client.get("/en/accounts/logout/").status_code == 200
    assert session_alive(key)
    client.post("/en/accounts/logout/")
    assert not session_alive(key)


# --- Wagtail's own account screens ------------------------------------------------------------------
def test_wagtail_account_cannot_change_email_or_password_and_reset_goes_to_allauth(client):
    user = staff("programme_manager")
    enrol_totp(user)
    client.force_login(user)
    page = client.get("/admin/account/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'type="email"' not in html and 'name="name_email-email"' not in html
    assert 'type="password"' not in html

    client.post(
        "/admin/account/",
        {"name_email-first_name": "X", "name_email-last_name": "Y", "name_email-email": "evil@example.com"},
    )
    user.refresh_from_db()
    assert user.email != "evil@example.com"

    for path in ("/admin/password_reset/", "/admin/password_reset/done/"):
        response = client.get(path)
        assert response.status_code == 302 and response["Location"] == "/accounts/password/reset/", path
