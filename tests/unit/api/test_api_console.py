"""The partner console's API keys (owners and admins: create — shown once — list, revoke), the
docs page in both languages, and the OpenAPI document (validated, served offline)."""

import pytest
from django.core.management import call_command

from accounts.models import Role
from accounts.selectors import SESSION_KEY
from api.models import ApiKey
from tests.factories.accounts import MembershipFactory, UserFactory
from tests.factories.api import api_client, key_for, world
from tests.unit.accounts.helpers import enrol_totp

pytestmark = pytest.mark.django_db

KEYS = "/en/partners/api/keys/"


def login(client, partner, role=Role.OWNER):
    user = UserFactory()
    MembershipFactory(user=user, organisation=partner.organisation, role=role)
    enrol_totp(user)  # owners and admins need an authenticator before the console (accounts.mfa)
    client.force_login(user)
    session = client.session
    session[SESSION_KEY] = partner.organisation_id
    session.save()
    return user


@pytest.fixture
def owner_client(client):
    mine = world()
    login(client, mine.partner)
    client.mine = mine
    return client


def test_owner_creates_a_key_shown_once_and_it_works(owner_client):
    response = owner_client.post(KEYS, {"name": "CRM sync", "scopes": ["listings:read", "partner:read"]})
    assert response.status_code == 200
    token = response.context["token"]
    assert token.startswith("symb_") and token in response.content.decode()
    key = ApiKey.objects.get()
    assert key.partner == owner_client.mine.partner and key.scopes == ["listings:read", "partner:read"]
    assert token not in (key.secret_hash, key.prefix)
    listing = owner_client.get(KEYS)
    assert token not in listing.content.decode() and f"symb_{key.prefix}_" in listing.content.decode()
    assert api_client(token).get("/api/v1/listings").status_code == 200


def test_bad_input_changes_nothing(owner_client):
    response = owner_client.post(KEYS, {"name": "x", "scopes": ["listings:read"], "allowed_ips": "not-an-ip"})
    assert response.status_code == 400
    assert not ApiKey.objects.exists()


def test_revoke_is_effective_at_once(owner_client):
    key, token = key_for(owner_client.mine.partner)
    assert api_client(token).get("/api/v1/partner").status_code == 200
    owner_client.post(f"/en/partners/api/keys/{key.public_id}/revoke/")
    assert api_client(token).get("/api/v1/partner").status_code == 401


def test_members_may_not_manage_keys_and_other_partners_keys_are_404(client):
    mine, other = world(), world()
    login(client, mine.partner, role=Role.MEMBER)
    assert client.get(KEYS).status_code == 403
    login(client, mine.partner, role=Role.ADMIN)
    assert client.get(KEYS).status_code == 200
    foreign, token = key_for(other.partner)
    assert client.post(f"/en/partners/api/keys/{foreign.public_id}/revoke/").status_code == 404
    assert api_client(token).get("/api/v1/partner").status_code == 200


def test_docs_page_in_both_languages(client):
    en = client.get("/en/partners/api/docs/")
    zh = client.get("/partners/api/docs/")
    assert en.status_code == zh.status_code == 200
    assert "Idempotency-Key" in en.content.decode() and "listings:read" in en.content.decode()
    assert en.content != zh.content


def test_schema_validates_and_docs_are_served_offline(client):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", "/dev/null")
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert {"/api/v1/partner", "/api/v1/listings/", "/api/v1/usage-records/"} <= set(paths) or len(
        paths
    ) >= 13
    for page in ("/api/v1/docs/swagger/", "/api/v1/docs/redoc/"):
        html = client.get(page).content.decode()
        assert "cdn.jsdelivr" not in html and "/static/drf_spectacular_sidecar/" in html


def test_console_links_to_keys_and_docs(owner_client):
    html = owner_client.get("/en/partners/console/").content.decode()
    assert "/en/partners/api/keys/" in html and "/en/partners/api/docs/" in html


def test_console_adds_an_endpoint_and_sends_a_test_event(
    owner_client, settings, django_capture_on_commit_callbacks
):
    from partners.models import Delivery, WebhookEndpoint
    from tests.unit.api.receiver import Receiver

    settings.TESTING = True
    settings.OUTBOUND_ALLOW_LOOPBACK_FOR_TESTS = True
    WebhookEndpoint.objects.all().delete()
    receiver = Receiver()
    try:
        refused = owner_client.post("/en/partners/api/webhooks/", {"url": "https://10.1.2.3/hook"})
        assert refused.status_code == 400 and not WebhookEndpoint.objects.exists()
        added = owner_client.post("/en/partners/api/webhooks/", {"url": receiver.url})
        endpoint = WebhookEndpoint.objects.get()
        assert endpoint.secret in added.content.decode()
        with django_capture_on_commit_callbacks(execute=True):
            owner_client.post(f"/en/partners/api/webhooks/{endpoint.public_id}/test/")
        assert len(receiver.requests) == 1
        assert Delivery.objects.get().status == Delivery.Status.SUCCEEDED
        page = owner_client.get(KEYS).content.decode()
        assert "webhook.test" in page and endpoint.secret not in page
    finally:
        receiver.close()
    other = world()
    foreign = WebhookEndpoint.objects.get(partner=other.partner)
    assert owner_client.post(f"/en/partners/api/webhooks/{foreign.public_id}/delete/").status_code == 404
