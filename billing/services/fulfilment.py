"""ISV fulfilment: signed JSON notifications of entitlement changes to the partner's URL.

Each notification is a :class:`~billing.models.fulfilment.FulfilmentDelivery` row created in the
customer's transaction; the HTTP call happens in a Celery task after commit and never raises
into the customer's request. A failed attempt schedules the next one with exponential backoff
(``BILLING_FULFILMENT_BACKOFF_SECONDS`` × 2^(attempt−1)); the beat task
``billing.tasks.fulfilment.retry_fulfilment_deliveries`` picks due ones up. After
``BILLING_FULFILMENT_MAX_ATTEMPTS`` the delivery is marked failed; the partner can re-send it.

Signature (Stripe's scheme, so receivers know it): header
``X-Symbio-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<raw body>" with the secret>``.
:func:`verify_signature` is the reference check a receiver runs.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from billing.models.fulfilment import FulfilmentDelivery, FulfilmentEndpoint, new_fulfilment_secret
from core import outbound
from core.tasks import enqueue_on_commit

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Symbio-Signature"
EVENT_HEADER = "X-Symbio-Event"
DELIVERY_HEADER = "X-Symbio-Delivery"
USER_AGENT = "Symbio-Fulfilment/1.0"


def max_attempts() -> int:
    return int(getattr(settings, "BILLING_FULFILMENT_MAX_ATTEMPTS", 6))


def backoff_base() -> int:
    return int(getattr(settings, "BILLING_FULFILMENT_BACKOFF_SECONDS", 60))


def request_timeout() -> float:
    return float(getattr(settings, "BILLING_FULFILMENT_TIMEOUT_SECONDS", 5))


def backoff_delay(attempts: int) -> timedelta:
    """Wait after the ``attempts``-th failed attempt: base, 2×base, 4×base …"""
    return timedelta(seconds=backoff_base() * 2 ** max(attempts - 1, 0))


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
    endpoint, _created = FulfilmentEndpoint.objects.get_or_create(partner=partner)
    return endpoint


@transaction.atomic
def update_endpoint(partner, *, url: str, active: bool = True) -> FulfilmentEndpoint:
    endpoint = endpoint_for(partner)
    endpoint.url = url
    endpoint.active = active
    endpoint.save(update_fields=["url", "active", "updated_at"])
    return endpoint


@transaction.atomic
def rotate_secret(partner) -> FulfilmentEndpoint:
    endpoint = endpoint_for(partner)
    endpoint.secret = new_fulfilment_secret()
    endpoint.rotated_at = timezone.now()
    endpoint.save(update_fields=["secret", "rotated_at", "updated_at"])
    return endpoint


# --- notifications ------------------------------------------------------------------------------
def entitlement_payload(entitlement, event: str, delivery_id: uuid.UUID) -> dict:
    listing = entitlement.listing
    org = entitlement.organisation
    return {
        "id": str(delivery_id),
        "type": f"entitlement.{event}",
        "created": timezone.now().isoformat(),
        "data": {
            "entitlement": {
                "id": str(entitlement.public_id),
                "status": entitlement.status,
                "source": entitlement.source,
                "seats": entitlement.seats,
                "starts_at": entitlement.starts_at.isoformat() if entitlement.starts_at else None,
                "ends_at": entitlement.ends_at.isoformat() if entitlement.ends_at else None,
            },
            "customer": {"organisation": org.slug, "name": org.name, "name_en": org.name_en},
            "listing": {"id": listing.pk, "slug": listing.slug, "title": listing.title},
        },
    }


def _enqueue(delivery_id: int) -> None:
    enqueue_on_commit("billing.deliver_fulfilment", delivery_id)


def notify_entitlement(entitlement, event: str) -> FulfilmentDelivery | None:
    """Log a notification for the listing's partner and send it after commit."""
    partner_id = entitlement.listing.partner_id if entitlement.listing_id else None
    if partner_id is None:
        return None
    endpoint = FulfilmentEndpoint.objects.filter(partner_id=partner_id).first()
    url = endpoint.url if endpoint is not None and endpoint.active else ""
    delivery_id = uuid.uuid4()
    with transaction.atomic():
        delivery = FulfilmentDelivery.objects.create(
            public_id=delivery_id,
            partner_id=partner_id,
            entitlement=entitlement,
            event=f"entitlement.{event}",
            payload=json.loads(
                json.dumps(entitlement_payload(entitlement, event, delivery_id), cls=DjangoJSONEncoder)
            ),
            url=url,
            status=FulfilmentDelivery.Status.PENDING if url else FulfilmentDelivery.Status.SKIPPED,
        )
        if url:
            _enqueue(delivery.pk)
    return delivery


def resend(delivery: FulfilmentDelivery) -> FulfilmentDelivery:
    """A new delivery of the same payload (same event id, so receivers can de-duplicate) to the
    partner's current URL."""
    endpoint = FulfilmentEndpoint.objects.filter(partner_id=delivery.partner_id).first()
    if endpoint is None or not endpoint.url or not endpoint.active:
        raise ValidationError(_("Set a fulfilment URL before re-sending."))
    with transaction.atomic():
        copy = FulfilmentDelivery.objects.create(
            partner_id=delivery.partner_id,
            entitlement_id=delivery.entitlement_id,
            event=delivery.event,
            payload=delivery.payload,
            url=endpoint.url,
            resent_from=delivery,
        )
        _enqueue(copy.pk)
    return copy


def attempt(delivery_id: int) -> FulfilmentDelivery | None:
    """One HTTP attempt. Never raises: the outcome is written on the delivery row."""
    with transaction.atomic():
        delivery = (
            FulfilmentDelivery.objects.select_for_update(skip_locked=True)
            .filter(
                pk=delivery_id,
                status__in=[FulfilmentDelivery.Status.PENDING, FulfilmentDelivery.Status.RETRYING],
            )
            .first()
        )
        if delivery is None:
            return None
        endpoint = FulfilmentEndpoint.objects.filter(partner_id=delivery.partner_id).first()
        secret = endpoint.secret if endpoint is not None else ""
        body = json.dumps(delivery.payload, ensure_ascii=False, separators=(",", ":")).encode()
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": USER_AGENT,
            EVENT_HEADER: delivery.event,
            DELIVERY_HEADER: str(delivery.payload.get("id", delivery.public_id)),
            SIGNATURE_HEADER: sign(secret, body),
        }
        delivery.attempts += 1
        code, error = None, ""
        try:
            response = outbound.post(delivery.url, body=body, headers=headers, timeout=request_timeout())
            code = response.status
            if not 200 <= code < 300:
                error = _("The endpoint answered HTTP %s.") % code
        except outbound.OutboundError as exc:
            error = exc.message[:500]
        except Exception:  # noqa: BLE001 - a delivery must never raise into its caller
            logger.exception("Fulfilment delivery %s failed unexpectedly", delivery.pk)
            error = str(outbound.COULD_NOT_DELIVER)
        now = timezone.now()
        delivery.response_code = code
        delivery.last_error = error
        if not error:
            delivery.status = FulfilmentDelivery.Status.DELIVERED
            delivery.delivered_at = now
            delivery.next_retry_at = None
        elif delivery.attempts >= max_attempts():
            delivery.status = FulfilmentDelivery.Status.FAILED
            delivery.next_retry_at = None
        else:
            delivery.status = FulfilmentDelivery.Status.RETRYING
            delivery.next_retry_at = now + backoff_delay(delivery.attempts)
        delivery.save(
            update_fields=[
                "attempts",
                "response_code",
                "last_error",
                "status",
                "delivered_at",
                "next_retry_at",
                "updated_at",
            ]
        )
        if error:
            logger.warning(
                "Fulfilment delivery %s attempt %s failed: %s", delivery.pk, delivery.attempts, error
            )
    return delivery


def due_retries(now=None, limit: int = 500) -> list[int]:
    now = now or timezone.now()
    return list(
        FulfilmentDelivery.objects.filter(status=FulfilmentDelivery.Status.RETRYING, next_retry_at__lte=now)
        .order_by("next_retry_at")
        .values_list("pk", flat=True)[:limit]
    )
