"""Helpers the browser journeys share: screenshots when a journey fails, and logging in with the
password and (for staff and partner owners) the authenticator code."""

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
