"""Helpers shared by the accounts tests (import as ``tests.unit.accounts.helpers``)."""

import re

from django.contrib.messages import get_messages
from django.core import mail

from tests.unit.accounts.factories import PASSWORD

SIGNUP_URL = "/en/accounts/signup/"
LOGIN_URL = "/en/accounts/login/"
LOGOUT_URL = "/en/accounts/logout/"
STRONG_PASSWORD = "Plum-Orchard-Lantern-42"


def log_in(client, user, password=PASSWORD):
    """Log in through allauth's form (records the authentication, unlike force_login)."""
    response = client.post(LOGIN_URL, {"login": user.email, "password": password})
    assert response.status_code == 302, response.content.decode()[:2000]
    client.get(response["Location"])  # shows (and so clears) the "signed in" message
    return response


def flashed(response) -> list[str]:
    """Django messages queued for the next page by this response's request."""
    return [str(m) for m in get_messages(response.wsgi_request)]


def paths_in(text: str) -> list[str]:
    """Paths of the absolute http(s) links in a mail body."""
    return [re.sub(r"^https?://[^/]+", "", url) for url in re.findall(r"https?://[^\s\"<>]+", text)]


def outbox_to(address: str):
    return [m for m in mail.outbox if address in m.to]
