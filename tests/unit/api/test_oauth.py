"""OAuth 2.0 client credentials beside API keys: a client gets a token for its partner, the
token acts with the client's scopes (or fewer), expires, dies with a revoked client, and never
reaches another partner's data."""

import base64
from datetime import timedelta

import pytest
from django.utils import timezone
from oauth2_provider.models import AccessToken

from api.services import create_oauth_client, revoke_key
from tests.factories.api import api_client, world


def _basic(client_id, secret):
    return "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()


def _token(client_id, secret, scope=None):
    data = {"grant_type": "client_credentials"}
    if scope is not None:
        data["scope"] = scope
    return api_client().post(
        "/api/v1/oauth/token", data, headers={"authorization": _basic(client_id, secret)}
    )


@pytest.fixture
def worlds(db):
    return world(), world()


@pytest.fixture
def client_of(worlds):
    mine, _other = worlds
    return create_oauth_client(
        partner=mine.partner, user=None, name="ERP sync", scopes=["partner:read", "listings:read"]
    )


def test_client_credentials_token_reads_its_partners_data(worlds, client_of):
    mine, other = worlds
    key, client_id, secret = client_of
    response = _token(client_id, secret)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3600
    assert set(body["scope"].split()) == {"partner:read", "listings:read"}
    token = body["access_token"]
    profile = api_client(token).get("/api/v1/partner")
    assert profile.status_code == 200 and profile.json()["slug"] == mine.partner.organisation.slug
    own = api_client(token).get(f"/api/v1/listings/{mine.listing.translation_key}")
    assert own.status_code == 200
    foreign = api_client(token).get(f"/api/v1/listings/{other.listing.translation_key}")
    assert foreign.status_code == 404 and foreign.json()["code"] == "not_found"
    assert "X-RateLimit-Limit" in profile  # the key's rate limit applies


def test_wrong_secret_gets_no_token(client_of):
    _key, client_id, _secret = client_of
    response = _token(client_id, "not-the-secret")
    assert response.status_code == 401 and response.json()["error"] == "invalid_client"


def test_token_narrowed_to_a_scope_is_refused_the_others(client_of):
    _key, client_id, secret = client_of
    token = _token(client_id, secret, scope="listings:read").json()["access_token"]
    assert api_client(token).get("/api/v1/listings").status_code == 200
    refused = api_client(token).get("/api/v1/partner")
    assert refused.status_code == 403
    assert refused.json()["code"] == "missing_scope" and refused.json()["scope"] == "partner:read"
    # a scope the client was never given cannot be asked for
    response = _token(client_id, secret, scope="payouts:read")
    assert response.status_code == 400 and response.json()["error"] == "invalid_scope"
    # nor used: the client's key lacks it
    assert api_client(token).get("/api/v1/payouts").status_code == 403


def test_expired_token_is_401(client_of):
    _key, client_id, secret = client_of
    token = _token(client_id, secret).json()["access_token"]
    AccessToken.objects.update(expires=timezone.now() - timedelta(seconds=1))
    response = api_client(token).get("/api/v1/partner")
    assert response.status_code == 401
    assert response.json()["code"] == "token_expired"
    assert response["Content-Type"] == "application/problem+json"


def test_revoked_client_loses_its_tokens_and_gets_no_new_one(client_of):
    key, client_id, secret = client_of
    token = _token(client_id, secret).json()["access_token"]
    revoke_key(key=key)
    assert api_client(token).get("/api/v1/partner").json()["code"] == "key_revoked"
    assert _token(client_id, secret).status_code == 401


def test_unknown_bearer_token_is_401(db):
    response = api_client("not-a-real-token").get("/api/v1/partner")
    assert response.status_code == 401 and response.json()["code"] == "invalid_key"


def test_posts_with_a_token_are_idempotent(worlds):
    mine, _other = worlds
    _key, client_id, secret = create_oauth_client(
        partner=mine.partner, user=None, name="hooks", scopes=["webhooks:manage"]
    )
    token = _token(client_id, secret).json()["access_token"]
    body = {"url": "https://hooks.example.com/in"}
    first = api_client(token).post(
        "/api/v1/webhook-endpoints", body, content_type="application/json", headers={"Idempotency-Key": "a"}
    )
    again = api_client(token).post(
        "/api/v1/webhook-endpoints", body, content_type="application/json", headers={"Idempotency-Key": "a"}
    )
    assert first.status_code == 201 and again.content == first.content
    assert again["Idempotent-Replayed"] == "true"
    missing = api_client(token).post("/api/v1/webhook-endpoints", body, content_type="application/json")
    assert missing.status_code == 400 and missing.json()["code"] == "idempotency_key_required"


def test_owner_creates_an_oauth_client_in_the_console(db, client):
    from api.models import ApiKey
    from tests.unit.api.test_api_console import KEYS, login

    mine = world()
    login(client, mine.partner)
    response = client.post(KEYS, {"name": "ERP", "scopes": ["partner:read"], "oauth_client": "on"})
    assert response.status_code == 200
    shown = response.context["client"]
    key = ApiKey.objects.get(partner=mine.partner, oauth_application__isnull=False)
    assert key.oauth_application.client_id == shown["id"]
    assert shown["secret"] not in key.oauth_application.client_secret  # stored hashed
    token = _token(shown["id"], shown["secret"]).json()["access_token"]
    assert api_client(token).get("/api/v1/partner").json()["slug"] == mine.partner.organisation.slug
    page = client.get(KEYS).content.decode()
    assert shown["id"] in page and shown["secret"] not in page


def test_schema_documents_the_client_credentials_flow(db, client):
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/json").json()
    flow = schema["components"]["securitySchemes"]["oauth2"]["flows"]["clientCredentials"]
    assert flow["tokenUrl"].endswith("/api/v1/oauth/token") and "leads:read" in flow["scopes"]
    assert {"oauth2": []} in schema["paths"]["/api/v1/partner"]["get"]["security"]
