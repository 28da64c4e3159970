"""Helpers shared by the accounts tests (import as ``tests.unit.accounts.helpers``)."""

import re

from django.contrib.messages import get_messages
from django.core import mail

from tests.factories.accounts import PASSWORD

SIGNUP_URL = "/en/accounts/signup/"
LOGIN_URL = "/en/accounts/login/"
LOGOUT_URL = "/en/accounts/logout/"
STRONG_PASSWORD = "Plum-Orchard-Lantern-42"


def prefer_language(user, language: str):
    """The user's own language setting (the Wagtail admin and e-mails use it); "" for the site's."""
    from wagtail.users.models import UserProfile

    profile = UserProfile.get_for_user(user)
    profile.preferred_language = language
    profile.save(update_fields=["preferred_language"])
    return user


def english(user):
    """The user reads the admin and e-mails in English (assertions on English text)."""
    return prefer_language(user, "en")


def log_in(client, user, password=PASSWORD):
    """Log in through allauth's form (records the authentication, unlike force_login)."""
    response = client.post(LOGIN_URL, {"login": user.email, "password": password})
    assert response.status_code == 302, response.content.decode()[:2000]
    if response["Location"].endswith("/accounts/2fa/authenticate/"):  # an enrolled user: the code
        response = client.post(response["Location"], {"code": totp_code()})
        assert response.status_code == 302, response.content.decode()[:2000]
    client.get(response["Location"])  # shows (and so clears) the "signed in" message
    return response


def signed_in(client, user, organisation=None):
    """``client`` logged in as ``user`` (no form, no two-factor step), with ``organisation`` as
    the active one when given; returns the client."""
    from accounts.selectors import SESSION_KEY

    client.force_login(user)
    if organisation is not None:
        session = client.session
        session[SESSION_KEY] = organisation.pk
        session.save()
    return client


def flashed(response) -> list[str]:
    """Django messages queued for the next page by this response's request."""
    return [str(m) for m in get_messages(response.wsgi_request)]


def paths_in(text: str) -> list[str]:
    """Paths of the absolute http(s) links in a mail body."""
    return [re.sub(r"^https?://[^/]+", "", url) for url in re.findall(r"https?://[^\s\"<>]+", text)]


def outbox_to(address: str):
    return [m for m in mail.outbox if address in m.to]


TEST_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # base32; tests only


def enrol_totp(user, secret: str = TEST_TOTP_SECRET):
    """Give ``user`` an authenticator (TOTP + recovery codes): staff and partner owners/admins need
    one before the admin or the partner console (accounts.mfa)."""
    from accounts.mfa import enrol_totp as enrol

    return enrol(user, secret=secret)


def totp_code(secret: str = TEST_TOTP_SECRET) -> str:
    import time

    from allauth.mfa import app_settings as mfa_settings
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    return format_hotp_value(hotp_value(secret, int(time.time()) // mfa_settings.TOTP_PERIOD))


def pass_two_factor(page, secret: str = TEST_TOTP_SECRET):
    """Browser tests: after the password, answer allauth's code step when it is asked for (an
    enrolled user). A code is single-use and only good in its 30-second window: when the one
    just sent was refused because the window turned on the way, the new window's code goes at
    once; only a code already used waits for the next window."""
    import time

    sent = None
    for _attempt in range(3):
        if "/2fa/authenticate/" not in page.url:
            return
        code = totp_code(secret)
        if code == sent:  # refused although current: used already, so the next window's
            time.sleep(31 - time.time() % 30)
            code = totp_code(secret)
        page.fill("input[name=code]", code)
        with page.expect_navigation():
            page.locator("form:has(input[name=code]) [type=submit]").first.click()
        sent = code
    assert "/2fa/authenticate/" not in page.url, "the TOTP code was refused"


# --- access matrices -------------------------------------------------------------------------
def outcome(response) -> str:
    """What a user meets at a page, for the access matrices: ``ok`` (200), ``404``, ``login``
    (redirect to a login page), ``denied`` (Wagtail's permission denied: redirect to the admin
    dashboard), ``redirect:<location>`` or the status code."""
    from django.urls import reverse

    if response.status_code == 200:
        return "ok"
    if response.status_code == 404:
        return "404"
    if response.status_code == 302:
        location = response["Location"]
        if "/login/" in location:
            return "login"
        if location == reverse("wagtailadmin_home"):
            return "denied"
        return f"redirect:{location}"
    return str(response.status_code)


def get_as(client, user, url):
    """GET ``url`` as ``user`` (None: anonymous)."""
    if user is not None:
        client.force_login(user)
    return client.get(url)


def built_once_per_module(build):
    """A module-scoped fixture holding ``build()``, made once for the module as Django's
    ``setUpTestData`` would: in a transaction rolled back after the module's last test, each test
    in a savepoint within it (what a test changes is undone before the next). Tests take
    :func:`copies` of it (tests/conftest.py groups the module's tests on one xdist worker). Files
    the build stores go to directories of the module's, not to ``var/`` (the per-test
    ``MEDIA_ROOT`` of tests/conftest.py is not set yet when a module-scoped fixture runs)."""
    import pytest
    from django.db import connection, transaction
    from django.test import override_settings

    @pytest.fixture(scope="module")
    def fixture(django_db_setup, django_db_blocker, tmp_path_factory):
        media = override_settings(
            MEDIA_ROOT=tmp_path_factory.mktemp("media"), PRIVATE_MEDIA_ROOT=tmp_path_factory.mktemp("private")
        )
        with django_db_blocker.unblock(), transaction.atomic():
            with media:
                data = build()
            # The build's deferred foreign keys checked once, as a commit would: left pending,
            # each test's teardown (Django's check_constraints in the test's savepoint) checked
            # them all again (see tests/conftest.py::demo_seed).
            connection.check_constraints()
            yield data
            transaction.set_rollback(True)

    return fixture


def copies(data):
    """Each test its own instances of module-built data, as ``setUpTestData`` gives them."""
    import copy

    return copy.deepcopy(data)
