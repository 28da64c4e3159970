"""The OAuth token endpoint is a path of the OpenAPI document (not only a security scheme), and
what it really answers — a token, an OAuth error — matches the schemas documented there."""

import jsonschema
import pytest

from api.services import create_oauth_client
from tests.factories.api import api_client, world
from tests.unit.api.test_oauth import _token

pytestmark = pytest.mark.django_db


def _schema(client):
    return client.get("/api/v1/schema/", HTTP_ACCEPT="application/json").json()


def _resolve(schema, node):
    ref = node["$ref"].removeprefix("#/components/schemas/")
    return {**schema["components"]["schemas"][ref], "components": schema["components"]}


def test_the_token_endpoint_is_documented_with_its_form_and_answers(client):
    schema = _schema(client)
    operation = schema["paths"]["/api/v1/oauth/token"]["post"]
    form = operation["requestBody"]["content"]["application/x-www-form-urlencoded"]["schema"]
    assert form["required"] == ["grant_type"]
    assert form["properties"]["grant_type"]["enum"] == ["client_credentials"]
    assert {"scope", "client_id", "client_secret"} <= set(form["properties"])
    assert "certifications:write" in form["properties"]["scope"]["description"]
    assert set(operation["responses"]) == {"200", "400", "401"}
    assert "Idempotency-Key" not in {p["name"] for p in operation.get("parameters", [])}
    assert {"clientBasic": []} in operation["security"]
    assert schema["components"]["securitySchemes"]["clientBasic"]["scheme"] == "basic"
    # both languages, as every other operation
    assert "access token" in operation["description"] and "访问令牌" in operation["description"]


def test_real_token_answers_match_the_documented_schemas(client):
    schema = _schema(client)
    responses = schema["paths"]["/api/v1/oauth/token"]["post"]["responses"]
    mine = world()
    _key, client_id, secret = create_oauth_client(
        partner=mine.partner, user=None, name="ERP", scopes=["partner:read"]
    )
    ok = _token(client_id, secret)
    assert ok.status_code == 200
    jsonschema.validate(
        ok.json(), _resolve(schema, responses["200"]["content"]["application/json"]["schema"])
    )
    for response, statuses in (
        (_token(client_id, "wrong"), {401}),
        (_token(client_id, secret, scope="payouts:read"), {400}),
        (api_client().post("/api/v1/oauth/token", {"grant_type": "password"}), {400, 401}),
    ):
        assert response.status_code in statuses, response.content
        documented = responses[str(response.status_code)]["content"]["application/json"]["schema"]
        jsonschema.validate(response.json(), _resolve(schema, documented))
