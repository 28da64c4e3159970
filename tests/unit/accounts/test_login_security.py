"""allauth's login protections as configured: failed-login rate limit and TOTP two-factor."""

import time

import pytest
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY, format_hotp_value, hotp_value

from tests.factories.accounts import PASSWORD
from tests.unit.accounts.helpers import LOGIN_URL, LOGOUT_URL, log_in

pytestmark = pytest.mark.django_db

WRONG_PASSWORD_MESSAGE = "The email address and/or password you specified are not correct."
TOO_MANY_ATTEMPTS_MESSAGE = "Too many failed login attempts. Try again later."


def totp_code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // mfa_settings.TOTP_PERIOD))


def is_signed_in(client) -> bool:
    return client.get("/en/account/").status_code == 200


def test_login_is_refused_after_five_failed_attempts_even_with_the_right_password(client, user, settings):
    assert settings.ACCOUNT_RATE_LIMITS["login_failed"] == "5/5m/ip,5/5m/key"
    for _attempt in range(5):
        response = client.post(LOGIN_URL, {"login": user.email, "password": "wrong-password"})
        assert WRONG_PASSWORD_MESSAGE in response.content.decode()

    response = client.post(LOGIN_URL, {"login": user.email, "password": PASSWORD})

    assert response.status_code == 200
    assert TOO_MANY_ATTEMPTS_MESSAGE in response.content.decode()
    assert not is_signed_in(client)


def test_a_successful_login_does_not_count_against_the_limit(client, user):
    for _attempt in range(4):
        client.post(LOGIN_URL, {"login": user.email, "password": "wrong-password"})
    log_in(client, user)
    client.post(LOGOUT_URL)

    response = client.post(LOGIN_URL, {"login": user.email, "password": "wrong-password"})

    assert TOO_MANY_ATTEMPTS_MESSAGE not in response.content.decode()


def test_totp_activated_through_allauth_makes_login_ask_for_the_code(client, user):
    log_in(client, user)
    # allauth asks for the password again before security changes.
    page = client.get("/en/accounts/2fa/totp/activate/")
    assert page["Location"].startswith("/en/accounts/reauthenticate/")
    client.post(page["Location"], {"password": PASSWORD})
    page = client.get("/en/accounts/2fa/totp/activate/")
    assert page.status_code == 200
    secret = client.session[SECRET_SESSION_KEY]

    response = client.post("/en/accounts/2fa/totp/activate/", {"code": totp_code(secret)})

    assert response.status_code == 302
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.RECOVERY_CODES).exists()

    client.post(LOGOUT_URL)
    response = client.post(LOGIN_URL, {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/en/accounts/2fa/authenticate/"
    assert not is_signed_in(client)

    wrong = client.post(
        "/en/accounts/2fa/authenticate/", {"code": "000000" if totp_code(secret) != "000000" else "111111"}
    )
    assert "Incorrect code." in wrong.content.decode()
    assert not is_signed_in(client)

    response = client.post("/en/accounts/2fa/authenticate/", {"code": totp_code(secret)})
    assert response.status_code == 302
    assert is_signed_in(client)
