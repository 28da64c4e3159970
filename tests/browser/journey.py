"""Helpers the browser journeys share: screenshots when a journey fails, logging in with the
password and (for staff and partner owners) the authenticator code, and signing in without the
form where logging in is not what a journey tests."""

from contextlib import contextmanager, suppress
from pathlib import Path

from tests.factories.accounts import PASSWORD
from tests.unit.accounts.helpers import enrol_totp, pass_two_factor

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@contextmanager
def screenshots_on_failure(pages, name):
    try:
        yield
    except BaseException:
        ARTIFACTS.mkdir(exist_ok=True)
        for n, page in enumerate(pages):
            with suppress(Exception):
                page.screenshot(path=str(ARTIFACTS / f"{name}-{n}.png"), full_page=True)
        raise


def log_in(page, base, email):
    """Password, then the authenticator code: staff and partner owners need two-factor before the
    admin and the console (accounts.mfa), so they are enrolled first."""
    from accounts.mfa import has_totp, mfa_required
    from accounts.models import User

    user = User.objects.get(email=email)
    if mfa_required(user) and not has_totp(user):
        enrol_totp(user)
    page.goto(f"{base}/en/accounts/login/")
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    with page.expect_navigation():
        page.locator("form:has(input[name=password]) [type=submit]").first.click()
    pass_two_factor(page)
    assert "/accounts/login/" not in page.url, f"{email} could not log in"


def sign_in(page, base, email):
    """``page``'s browser context signed in as ``email`` without the login form: a session made on
    the server (Django's ``force_login``, as the unit tests' ``signed_in``) handed to the browser as
    its session cookie, replacing any other. Three page loads less than :func:`log_in` (~1 s of
    the live server and Chromium each); for people whose logging in is not what a journey tests —
    the form and the code step keep their own journeys (signup, partner home, purchase, the
    partner programme's applicant). Staff and partner owners are enrolled in two-factor as by
    :func:`log_in` (the admin and the console require an authenticator)."""
    from django.conf import settings
    from django.test import Client

    from accounts.mfa import has_totp, mfa_required
    from accounts.models import User

    user = User.objects.get(email=email)
    if mfa_required(user) and not has_totp(user):
        enrol_totp(user)
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": base}])
