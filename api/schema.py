"""OpenAPI (drf-spectacular): the API-key security scheme, and the conventions every operation
shares — problem documents for 400/401/403/404/429, rate-limit headers, ``Idempotency-Key`` on
POST, the ``Symbio-Version`` header."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension

PROBLEM = {
    "type": "object",
    "description": "RFC 9457 problem document. 错误说明（RFC 9457）。",
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "code": {"type": "string", "description": "Stable machine-readable code."},
        "scope": {"type": "string", "description": "The scope the key lacks (403 missing_scope)."},
        "errors": {"type": "object", "additionalProperties": True},
        "field": {"type": "string"},
    },
    "required": ["type", "title", "status", "detail", "code"],
}

PROBLEM_DESCRIPTIONS = {
    "400": "Malformed JSON, invalid or unknown fields, missing Idempotency-Key. 请求有误。",
    "401": "No API key, or a revoked, expired or unknown one. 未认证。",
    "403": "The key lacks the scope (named in `scope`) or the address is not allowed. 无权限。",
    "404": "No such object of yours. 对象不存在。",
    "409": (
        "A request with this Idempotency-Key is still running, or the object's state does not allow "
        "it (e.g. a change set already running). 冲突。"
    ),
    "422": "This Idempotency-Key was used with another body. 幂等键被复用。",
    "429": "Rate limit exceeded; see Retry-After. 请求过于频繁。",
}

RATE_HEADERS = {
    "X-RateLimit-Limit": "Requests the key may burst. 突发上限。",
    "X-RateLimit-Remaining": "Requests left in the bucket. 剩余次数。",
    "X-RateLimit-Reset": "Seconds until the bucket is full again. 恢复秒数。",
}


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.ApiKeyAuthentication"
    name = "apiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "symb_<prefix>_<secret>",
            "description": "A partner API key from the partner console. 在伙伴控制台创建的 API 密钥。",
        }


def _oauth_scheme() -> dict:
    from django.conf import settings

    from api.models import Scope

    return {
        "type": "oauth2",
        "description": (
            "OAuth 2.0 client credentials: a client created in the partner console exchanges its id and "
            "secret (HTTP Basic) for an access token valid one hour, then sends it as a Bearer token. "
            "OAuth 2.0 客户端凭证：用客户端 ID 和密钥换取一小时有效的访问令牌。"
        ),
        "flows": {
            "clientCredentials": {
                "tokenUrl": f"{settings.SITE_URL.rstrip('/')}/api/v1/oauth/token",
                "scopes": {value: str(label) for value, label in Scope.choices},
            }
        },
    }


TOKEN_PATH = "/api/v1/oauth/token"

OAUTH_TOKEN = {
    "type": "object",
    "description": "An access token (RFC 6749 §5.1). 访问令牌。",
    "properties": {
        "access_token": {"type": "string", "description": "Send as `Authorization: Bearer …`."},
        "token_type": {"type": "string", "enum": ["Bearer"]},
        "expires_in": {"type": "integer", "description": "Seconds the token is valid (3600)."},
        "scope": {"type": "string", "description": "The granted scopes, space-separated."},
    },
    "required": ["access_token", "token_type", "expires_in", "scope"],
}

OAUTH_ERROR = {
    "type": "object",
    "description": "An OAuth error (RFC 6749 §5.2), not a problem document. OAuth 错误。",
    "properties": {
        "error": {
            "type": "string",
            "enum": [
                "invalid_request",
                "invalid_client",
                "invalid_grant",
                "unauthorized_client",
                "unsupported_grant_type",
                "invalid_scope",
            ],
        },
        "error_description": {"type": "string"},
    },
    "required": ["error"],
}


def _token_operation() -> dict:
    """``POST /api/v1/oauth/token``: django-oauth-toolkit's view is not a DRF view, so its
    operation is written here, from what :mod:`api.oauth` answers."""
    from api.models import Scope

    form = {
        "type": "object",
        "properties": {
            "grant_type": {"type": "string", "enum": ["client_credentials"]},
            "scope": {
                "type": "string",
                "description": (
                    "Space-separated scopes, each one the client was given (default: all of them): "
                    + ", ".join(Scope.values)
                    + ". 以空格分隔的权限范围（默认：客户端的全部权限）。"
                ),
            },
            "client_id": {"type": "string", "description": "Instead of HTTP Basic. 也可代替 Basic 认证。"},
            "client_secret": {"type": "string", "description": "Instead of HTTP Basic."},
        },
        "required": ["grant_type"],
    }
    error = {"application/json": {"schema": {"$ref": "#/components/schemas/OAuthError"}}}
    return {
        "operationId": "oauth_token_create",
        "summary": "Get an access token (OAuth 2.0 client credentials)",
        "description": (
            "Exchanges an OAuth client's id and secret (HTTP Basic, or `client_id` and `client_secret` "
            "in the form) for a Bearer access token valid one hour, acting with the client's partner and "
            "scopes (narrowed to `scope` when given). No `Idempotency-Key`: each call issues a new token. "
            "用 OAuth 客户端 ID 和密钥（HTTP Basic 或表单字段）换取一小时有效的访问令牌，权限为客户端的"
            "权限（可用 scope 缩小）。无需幂等键，每次调用签发新令牌。"
        ),
        "tags": ["oauth"],
        "security": [{"clientBasic": []}, {}],
        "requestBody": {
            "required": True,
            "content": {"application/x-www-form-urlencoded": {"schema": form}},
        },
        "responses": {
            "200": {
                "description": "The token. 访问令牌。",
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/OAuthToken"}}},
            },
            "400": {
                "description": "Unsupported grant type or a scope the client was not given. 请求有误。",
                "content": error,
            },
            "401": {
                "description": "Unknown client, wrong secret, revoked or expired client. 客户端认证失败。",
                "content": error,
            },
        },
    }


def add_token_endpoint(result) -> None:
    components = result.setdefault("components", {})
    components.setdefault("schemas", {}).update({"OAuthToken": OAUTH_TOKEN, "OAuthError": OAUTH_ERROR})
    components.setdefault("securitySchemes", {})["clientBasic"] = {
        "type": "http",
        "scheme": "basic",
        "description": "OAuth client id and secret. OAuth 客户端 ID 与密钥。",
    }
    result.setdefault("paths", {})[TOKEN_PATH] = {"post": _token_operation()}


def add_conventions(result, generator, request, public):
    """Post-processing hook: the shared headers and problem responses on every operation."""
    result.setdefault("components", {}).setdefault("securitySchemes", {})["oauth2"] = _oauth_scheme()
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components["Problem"] = PROBLEM
    problem_ref = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    headers = {
        name: {"schema": {"type": "integer"}, "description": text} for name, text in RATE_HEADERS.items()
    }
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            security = operation.get("security")
            if security and {"apiKey": []} in security and {"oauth2": []} not in security:
                security.insert(security.index({"apiKey": []}) + 1, {"oauth2": []})
            params = operation.setdefault("parameters", [])
            params.append(
                {
                    "in": "header",
                    "name": "Symbio-Version",
                    "required": False,
                    "schema": {"type": "string", "enum": ["2026-12-01"]},
                    "description": "API version (default: the key's pinned version). 接口版本。",
                }
            )
            codes = ["400", "401", "403", "404", "429"]
            if method == "post":
                params.append(
                    {
                        "in": "header",
                        "name": "Idempotency-Key",
                        "required": True,
                        "schema": {"type": "string", "maxLength": 255},
                        "description": "Unique per operation; replayed for 24 h. 幂等键，24 小时内重放。",
                    }
                )
                codes += ["409", "422"]
            elif method in ("patch", "put", "delete"):
                codes.append("409")
            responses = operation.setdefault("responses", {})
            for code in codes:
                responses.setdefault(
                    code, {"description": PROBLEM_DESCRIPTIONS[code], "content": problem_ref}
                )
            for status, response in responses.items():
                if status.startswith("2"):
                    response.setdefault("headers", {}).update(headers)
    add_token_endpoint(result)  # after the loop: the token endpoint has OAuth's conventions, not ours
    return result
