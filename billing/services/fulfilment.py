"""ISV fulfilment: entitlement changes told to the partner's fulfilment URL — as ``entitlement.*``
events on the outbound webhook machinery (``partners.services.events`` / ``webhooks``), not a
sender of its own.

The fulfilment URL is a webhook endpoint subscribed to the entitlement events
(``FulfilmentEndpoint.webhook_endpoint``): notifications are signed the Standard Webhooks way
(``webhook-id``, ``webhook-timestamp``, ``webhook-signature``), retried on the webhook schedule,
logged in the webhook delivery log and re-sent from it. ``billing.events`` emits the events.

The partner's fulfilment secret (``fsec_…``) still signs its calls to the legacy usage endpoint
(``/billing/api/usage/``): ``X-Symbio-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of
"<t>.<raw body>">``; :func:`verify_signature` checks it.
"""

from __future__ import annotations

import hashlib
import hmac
import time

from django.db import transaction
from django.utils import timezone

from billing.models.fulfilment import FulfilmentEndpoint, new_fulfilment_secret
from core import outbound
from partners.models import Delivery
from partners.services import webhooks

SIGNATURE_HEADER = "X-Symbio-Signature"
EVENT_PREFIX = "entitlement."


def event_types() -> list[str]:
    """The events a fulfilment endpoint is subscribed to: every ``entitlement.*`` type."""
    from partners.services.events import EVENT_TYPES

    return sorted(t for t in EVENT_TYPES if t.startswith(EVENT_PREFIX))


# --- where we may send: core.outbound decides (https, public addresses, one parser) ------------
def url_problem(url: str) -> str | None:
    """Why a fulfilment URL may not be used (None when it may); the host name is resolved and
    checked again by :func:`core.outbound.post` on every delivery."""
    return outbound.url_problem(url)


# --- signatures ---------------------------------------------------------------------------------
def sign(secret: str, body: bytes, timestamp: int | None = None) -> str:
    ts = int(time.time()) if timestamp is None else int(timestamp)
    mac = hmac.new(secret.encode(), f"{ts}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={ts},v1={mac}"


def verify_signature(
    secret: str, body: bytes, header: str, *, tolerance: int = 300, now: int | None = None
) -> bool:
    """True when ``header`` signs ``body`` with ``secret`` and its time is within ``tolerance``
    seconds of now, in the past or the future. Anything malformed (non-ASCII, no ``t``/``v1``,
    a ``t`` that is not plain digits) is simply not a valid signature."""
    header = header or ""
    if not header.isascii() or len(header) > 512:
        return False
    try:
        parts = dict(item.split("=", 1) for item in header.split(","))
        raw_ts, given = parts["t"].strip(), parts["v1"].strip()
    except (KeyError, ValueError):
        return False
    if not (raw_ts.isdigit() and len(raw_ts) <= 12 and len(given) == 64):
        return False
    ts = int(raw_ts)
    current = int(time.time()) if now is None else now
    if abs(current - ts) > tolerance:
        return False
    expected = hmac.new(secret.encode(), f"{ts}.".encode() + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, given)


# --- endpoint settings --------------------------------------------------------------------------
def endpoint_for(partner) -> FulfilmentEndpoint:
    endpoint, _created = FulfilmentEndpoint.objects.select_related("webhook_endpoint").get_or_create(
        partner=partner
    )
    return endpoint


@transaction.atomic
def update_endpoint(partner, *, url: str, active: bool = True) -> FulfilmentEndpoint:
    """Point the fulfilment notifications at ``url`` (its webhook endpoint is created the first
    time, then edited); an empty ``url`` or ``active=False`` disables that endpoint, which keeps
    its log. Raises ``ApplicationError`` for a URL we may not send to."""
    endpoint = endpoint_for(partner)
    webhook = endpoint.webhook_endpoint
    enabled = bool(url) and active
    if webhook is None:
        if not url:
            return endpoint
        webhook = webhooks.create_endpoint(
            partner=partner, url=url, event_types=event_types(), description="Fulfilment"
        )
        endpoint.webhook_endpoint = webhook
        endpoint.save(update_fields=["webhook_endpoint", "updated_at"])
    changes = {"event_types": event_types(), "enabled": enabled}
    if url:
        changes["url"] = url
    webhooks.update_endpoint(endpoint=webhook, **changes)
    return endpoint


@transaction.atomic
def rotate_secret(partner) -> FulfilmentEndpoint:
    """A new secret for the legacy usage endpoint and, when notifications are set up, a new
    signing secret for them (the old one keeps signing beside it for 24 hours)."""
    endpoint = endpoint_for(partner)
    endpoint.secret = new_fulfilment_secret()
    endpoint.rotated_at = timezone.now()
    endpoint.save(update_fields=["secret", "rotated_at", "updated_at"])
    if endpoint.webhook_endpoint is not None:
        webhooks.rotate_secret(endpoint=endpoint.webhook_endpoint)
    return endpoint


# --- the delivery log: the webhook log of the entitlement events ---------------------------------
def deliveries(partner):
    """Deliveries of entitlement events to this partner's endpoints, newest first."""
    return (
        Delivery.objects.filter(endpoint__partner=partner, event__type__startswith=EVENT_PREFIX)
        .select_related("event", "endpoint")
        .order_by("-created_at", "-pk")
    )


def failed_deliveries(partner):
    return deliveries(partner).filter(status=Delivery.Status.FAILED)


def resend(delivery: Delivery) -> Delivery:
    """The same event again (same ``webhook-id``) through the webhook machinery; raises
    ``NotAllowed`` unless it failed and its endpoint is enabled."""
    return webhooks.resend(delivery=delivery)
