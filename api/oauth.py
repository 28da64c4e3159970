"""OAuth 2.0 client credentials (django-oauth-toolkit) beside API keys.

A partner's OAuth client is an ``oauth2_provider.Application`` (confidential, client-credentials
grant only) backed by an :class:`~api.models.ApiKey` whose token is never shown
(``ApiKey.oauth_application``). The key carries what a client may do — its partner, scopes,
expiry, IP allow-list, rate limit and API version — so an access token acts exactly like an API
key with those scopes (narrowed to the scopes the token asked for), and revoking or expiring the
key stops its tokens on the next request.

``POST /api/v1/oauth/token`` (``grant_type=client_credentials``, client id and secret by HTTP
Basic) answers ``{"access_token", "expires_in": 3600, "scope", "token_type": "Bearer"}``.
A scope the client was not given is ``invalid_scope``; an inactive client is ``invalid_client``.
"""

from __future__ import annotations

import hashlib

from django.utils import timezone
from oauth2_provider.oauth2_validators import OAuth2Validator
from oauth2_provider.scopes import BaseScopes

from api.models import ApiKey, Scope


def _key_of(application) -> ApiKey | None:
    if application is None:
        return None
    return ApiKey.objects.filter(oauth_application=application).select_related("partner").first()


class PartnerScopes(BaseScopes):
    """The scopes a client may ask for are its key's; with none asked for, all of them."""

    def get_all_scopes(self):
        return {value: str(label) for value, label in Scope.choices}

    def get_available_scopes(self, application=None, request=None, *args, **kwargs):
        key = _key_of(application)
        return list(key.scopes) if key is not None and key.is_active else []

    def get_default_scopes(self, application=None, request=None, *args, **kwargs):
        return self.get_available_scopes(application, request)


class ClientCredentialsValidator(OAuth2Validator):
    """Only clients backed by an active key (not revoked, not expired) get tokens."""

    def authenticate_client(self, request, *args, **kwargs):
        if not super().authenticate_client(request, *args, **kwargs):
            return False
        key = _key_of(request.client)
        return key is not None and key.is_active


class TokenProblem(Exception):
    def __init__(self, code: str):
        self.code = code


def key_for_access_token(token: str) -> ApiKey | None:
    """The key an OAuth access token acts with (scopes narrowed to the token's), or None when
    the token is unknown. Raises :class:`TokenProblem` ("token_expired") for an expired token."""
    from oauth2_provider.models import get_access_token_model

    checksum = hashlib.sha256(token.encode("utf-8")).hexdigest()
    access = (
        get_access_token_model()
        .objects.filter(token_checksum=checksum)
        .only("expires", "scope", "application_id")
        .first()
    )
    if access is None or access.application_id is None:
        return None
    key = (
        ApiKey.objects.select_related("partner", "partner__organisation")
        .filter(oauth_application_id=access.application_id)
        .first()
    )
    if key is None:
        return None
    if access.expires <= timezone.now():
        raise TokenProblem("token_expired")
    asked = set((access.scope or "").split())
    key.scopes = sorted(set(key.scopes) & asked)  # in memory, for this request only
    return key
