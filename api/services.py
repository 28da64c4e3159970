"""API keys: create (the secret is returned once), revoke, and find a key from its token."""

from __future__ import annotations

import hmac
import ipaddress
import secrets
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from api.models import ApiKey, Scope, hash_secret
from core.exceptions import ApplicationError

TOKEN_PREFIX = "symb_"
LAST_USED_EVERY_SECONDS = 60  # last_used_at is written at most this often per key

NAME_REQUIRED = gettext_noop("Give the key a name.")
NO_SCOPES = gettext_noop("Choose at least one scope.")
BAD_IP = gettext_noop("%(value)s is not an IP address or network.")
PAST_EXPIRY = gettext_noop("The expiry date must be in the future.")


@transaction.atomic
def create_key(
    *,
    partner,
    user,
    name: str,
    scopes: list[str],
    expires_at: datetime | None = None,
    allowed_ips: list[str] | None = None,
) -> tuple[ApiKey, str]:
    """Create a key for ``partner``; returns (key, token). The token is never stored or shown again."""
    name = (name or "").strip()
    if not name:
        raise ApplicationError(_(NAME_REQUIRED), field="name")
    valid = set(Scope.values)
    scopes = sorted({scope for scope in scopes if scope in valid})
    if not scopes:
        raise ApplicationError(_(NO_SCOPES), field="scopes")
    if expires_at is not None and expires_at <= timezone.now():
        raise ApplicationError(_(PAST_EXPIRY), field="expires_at")
    networks = []
    for value in allowed_ips or []:
        value = value.strip()
        if not value:
            continue
        try:
            networks.append(str(ipaddress.ip_network(value, strict=False)))
        except ValueError as exc:
            raise ApplicationError(_(BAD_IP) % {"value": value}, field="allowed_ips") from exc
    prefix = secrets.token_hex(4)
    while ApiKey.objects.filter(prefix=prefix).exists():
        prefix = secrets.token_hex(4)
    token = f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    key = ApiKey(
        partner=partner,
        name=name[:80],
        prefix=prefix,
        secret_hash=hash_secret(token),
        scopes=scopes,
        expires_at=expires_at,
        allowed_ips=networks,
        created_by=user,
    )
    key.full_clean()
    key.save()
    return key, token


def revoke_key(*, key: ApiKey) -> ApiKey:
    """Revoke at once: the next request with the key is refused (401)."""
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        ApiKey.objects.filter(pk=key.pk).update(revoked_at=key.revoked_at)
    return key


@transaction.atomic
def create_oauth_client(
    *,
    partner,
    user,
    name: str,
    scopes: list[str],
    expires_at: datetime | None = None,
    allowed_ips: list[str] | None = None,
) -> tuple[ApiKey, str, str]:
    """An OAuth 2.0 client (client credentials) for ``partner``: returns (key, client_id,
    client_secret). The secret is stored hashed and never shown again; the key behind the client
    holds its scopes, expiry and allow-list (see ``api.oauth``)."""
    from oauth2_provider.models import get_application_model

    key, _token = create_key(
        partner=partner, user=user, name=name, scopes=scopes, expires_at=expires_at, allowed_ips=allowed_ips
    )
    Application = get_application_model()
    client_secret = secrets.token_urlsafe(40)
    application = Application(
        name=f"{partner.organisation.slug}: {key.name}"[:255],
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS,
        client_secret=client_secret,
        hash_client_secret=True,
        skip_authorization=True,
    )
    application.save()
    key.oauth_application = application
    key.save(update_fields=["oauth_application"])
    return key, application.client_id, client_secret


def key_for_token(token: str) -> ApiKey | None:
    """The key a token belongs to (revoked or expired included), or None. An OAuth access
    token (any bearer token without our prefix) gives its client's key; an expired one None."""
    if not token.startswith(TOKEN_PREFIX):
        from api.oauth import TokenProblem, key_for_access_token

        try:
            return key_for_access_token(token)
        except TokenProblem:
            return None
    prefix, _sep, rest = token[len(TOKEN_PREFIX) :].partition("_")
    if not rest or len(prefix) > 16:
        return None
    key = ApiKey.objects.select_related("partner", "partner__organisation").filter(prefix=prefix).first()
    if key is None or not hmac.compare_digest(key.secret_hash, hash_secret(token)):
        return None
    return key


def touch(key: ApiKey) -> None:
    now = timezone.now()
    if key.last_used_at is None or (now - key.last_used_at).total_seconds() >= LAST_USED_EVERY_SECONDS:
        key.last_used_at = now
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)


def bearer_token(request) -> str | None:
    header = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _sep, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()
