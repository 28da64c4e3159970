"""Webhook endpoints and delivery (Standard Webhooks).

* **Signing**: ``webhook-signature`` is ``v1,<base64 HMAC-SHA256(secret, "<id>.<timestamp>.<body>")>``
  for the current secret, plus the previous one during the 24 h after a rotation (space-separated),
  where the secret is the base64 after ``whsec_``. ``webhook-id`` is the event's message id, the
  same on every attempt, so a receiver can drop duplicates.
* **Retries**: attempt *n* + 1 is due :data:`SCHEDULE`\\ [*n*] after attempt *n* failed (0, 5 s,
  5 min, 30 min, 2 h, 5 h, 10 h, 10 h, 24 h — about 52 hours in all); a beat task sends the due
  ones (:func:`due_deliveries`). A 2xx is success; 410 Gone disables the endpoint at once and
  stops; anything else (including no answer in 10 s) is a failure.
* **Auto-disable**: an endpoint failing without a single success for :data:`DISABLE_AFTER`
  (5 days) is disabled and the partner's owners and admins get an email.

Every request goes out through ``core.outbound.post`` (https only, public addresses only).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from datetime import UTC, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core import outbound
from core.exceptions import ApplicationError, NotAllowed
from core.tasks import enqueue_on_commit
from partners.models import Delivery, Event, WebhookEndpoint

SCHEDULE = [
    timedelta(0),
    timedelta(seconds=5),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
    timedelta(hours=10),
    timedelta(hours=24),
]
MAX_ATTEMPTS = len(SCHEDULE)
TIMEOUT_SECONDS = 10
ROTATION_OVERLAP = timedelta(hours=24)
DISABLE_AFTER = timedelta(days=5)
EVENTS_LISTED_FOR = timedelta(days=30)
EVENTS_KEPT_FOR = timedelta(days=90)
MAX_ENDPOINTS = 10

TOO_MANY_ENDPOINTS = gettext_noop("A partner may have at most %(max)s webhook endpoints.")
UNKNOWN_EVENT_TYPE = gettext_noop("Unknown event type: %(type)s.")
ENDPOINT_DISABLED = gettext_noop("This endpoint is disabled; enable it first.")
GONE = gettext_noop("The endpoint answered 410 Gone.")
FAILING_TOO_LONG = gettext_noop("Every delivery failed for 5 days.")


def new_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


def _key(secret: str) -> bytes:
    return base64.b64decode(secret.removeprefix("whsec_"))


def sign(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    signed = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def active_secrets(endpoint: WebhookEndpoint, now=None) -> list[str]:
    now = now or timezone.now()
    keys = [endpoint.secret]
    if (
        endpoint.previous_secret
        and endpoint.previous_secret_expires_at
        and endpoint.previous_secret_expires_at > now
    ):
        keys.append(endpoint.previous_secret)
    return keys


def body_of(event: Event) -> bytes:
    return json.dumps(
        {
            "id": event.message_id,
            "type": event.type,
            "timestamp": event.created_at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
            "data": event.payload,
        },
        ensure_ascii=False,
        separators=(",", ":"),
        sort_keys=True,
    ).encode()


def headers_for(endpoint: WebhookEndpoint, event: Event, body: bytes, now=None) -> dict:
    now = now or timezone.now()
    timestamp = int(now.timestamp())
    signatures = " ".join(
        sign(secret, event.message_id, timestamp, body) for secret in active_secrets(endpoint, now)
    )
    return {
        "Content-Type": "application/json",
        "User-Agent": "Symbio-Webhooks/1",
        "webhook-id": event.message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signatures,
    }


# --- endpoints -------------------------------------------------------------------------------------


def _check_types(event_types) -> list[str]:
    from partners.services.events import EVENT_TYPES

    for event_type in event_types:
        if event_type not in EVENT_TYPES:
            raise ApplicationError(_(UNKNOWN_EVENT_TYPE) % {"type": event_type}, field="event_types")
    return sorted(set(event_types))


def _check_url(url: str) -> str:
    problem = outbound.url_problem(url)
    if problem:
        raise ApplicationError(problem, field="url", code="invalid_url")
    return url


@transaction.atomic
def create_endpoint(*, partner, url: str, event_types=(), description: str = "") -> WebhookEndpoint:
    if WebhookEndpoint.objects.filter(partner=partner).count() >= MAX_ENDPOINTS:
        raise ApplicationError(_(TOO_MANY_ENDPOINTS) % {"max": MAX_ENDPOINTS}, code="limit_reached")
    endpoint = WebhookEndpoint(
        partner=partner,
        url=_check_url(url),
        event_types=_check_types(event_types),
        description=description[:200],
        secret=new_secret(),
    )
    endpoint.full_clean()
    endpoint.save()
    return endpoint


@transaction.atomic
def update_endpoint(*, endpoint: WebhookEndpoint, **changes) -> WebhookEndpoint:
    if "url" in changes:
        endpoint.url = _check_url(changes["url"])
    if "event_types" in changes:
        endpoint.event_types = _check_types(changes["event_types"])
    if "description" in changes:
        endpoint.description = changes["description"][:200]
    if "enabled" in changes:
        if changes["enabled"]:
            endpoint.disabled_at, endpoint.disabled_reason, endpoint.failing_since = None, "", None
        elif endpoint.disabled_at is None:
            endpoint.disabled_at = timezone.now()
    endpoint.full_clean()
    endpoint.save()
    return endpoint


@transaction.atomic
def rotate_secret(*, endpoint: WebhookEndpoint, now=None) -> WebhookEndpoint:
    """A new secret; the old one still signs (as a second signature) for 24 hours."""
    now = now or timezone.now()
    endpoint.previous_secret = endpoint.secret
    endpoint.previous_secret_expires_at = now + ROTATION_OVERLAP
    endpoint.secret = new_secret()
    endpoint.save(update_fields=["secret", "previous_secret", "previous_secret_expires_at", "updated_at"])
    return endpoint


def send_test_event(*, endpoint: WebhookEndpoint) -> Event:
    from partners.services.events import emit

    if endpoint.disabled_at is not None:
        raise NotAllowed(_(ENDPOINT_DISABLED), code="endpoint_disabled")
    return emit(
        endpoint.partner,
        "webhook.test",
        {"endpoint": str(endpoint.public_id), "message": "Hello from Symbio."},
        only_endpoint=endpoint,
    )


# --- delivery --------------------------------------------------------------------------------------


def deliver(delivery_id: int, *, now=None) -> Delivery | None:
    """One attempt at a due delivery (a no-op for one that is not due, done or disabled)."""
    now = now or timezone.now()
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update(skip_locked=True)
            .select_related("event", "endpoint", "endpoint__partner__organisation")
            .filter(pk=delivery_id, status=Delivery.Status.PENDING)
            .first()
        )
        if delivery is None or (delivery.next_attempt_at and delivery.next_attempt_at > now):
            return delivery
        endpoint = delivery.endpoint
        if endpoint.disabled_at is not None:
            delivery.status, delivery.next_attempt_at = Delivery.Status.FAILED, None
            delivery.last_error = endpoint.disabled_reason or _(ENDPOINT_DISABLED)
            delivery.save()
            return delivery
        # Claim the attempt: a second worker finds it not due.
        delivery.attempts += 1
        delivery.last_attempt_at = now
        delivery.next_attempt_at = (
            now + SCHEDULE[delivery.attempts] if delivery.attempts < MAX_ATTEMPTS else None
        )
        delivery.save(update_fields=["attempts", "last_attempt_at", "next_attempt_at", "updated_at"])
    body = body_of(delivery.event)
    try:
        response = outbound.post(
            endpoint.url,
            body=body,
            headers=headers_for(endpoint, delivery.event, body, now),
            timeout=TIMEOUT_SECONDS,
        )
        status, error = response.status, ""
    except outbound.OutboundError as exc:
        status, error = None, exc.message
    return _record(delivery, status=status, error=error, now=now)


def _record(delivery: Delivery, *, status: int | None, error: str, now) -> Delivery:
    endpoint = delivery.endpoint
    delivery.response_status = status
    if status is not None and 200 <= status < 300:
        delivery.status, delivery.next_attempt_at, delivery.last_error = Delivery.Status.SUCCEEDED, None, ""
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(failing_since=None)
    else:
        delivery.last_error = (error or f"HTTP {status}")[:300]
        if status == 410:
            _disable(endpoint, _(GONE), now)
            delivery.status, delivery.next_attempt_at = Delivery.Status.FAILED, None
        else:
            if endpoint.failing_since is None:
                WebhookEndpoint.objects.filter(pk=endpoint.pk, failing_since__isnull=True).update(
                    failing_since=now
                )
                endpoint.failing_since = now
            if now - endpoint.failing_since >= DISABLE_AFTER:
                _disable(endpoint, _(FAILING_TOO_LONG), now)
                delivery.status, delivery.next_attempt_at = Delivery.Status.FAILED, None
            elif delivery.next_attempt_at is None:
                delivery.status = Delivery.Status.FAILED
    delivery.save()
    return delivery


def _disable(endpoint: WebhookEndpoint, reason: str, now) -> None:
    updated = WebhookEndpoint.objects.filter(pk=endpoint.pk, disabled_at__isnull=True).update(
        disabled_at=now, disabled_reason=reason[:200]
    )
    endpoint.disabled_at, endpoint.disabled_reason = now, reason
    if updated:
        transaction.on_commit(lambda: _email_disabled(endpoint.pk))


def _email_disabled(endpoint_id: int) -> None:
    from accounts.models import Membership
    from core.emails import send_templated

    endpoint = WebhookEndpoint.objects.select_related("partner__organisation").get(pk=endpoint_id)
    managers = Membership.objects.filter(
        organisation=endpoint.partner.organisation, role__in=("owner", "admin")
    ).select_related("user")
    send_templated(
        "partners/emails/webhook_disabled",
        to=[membership.user.email for membership in managers],
        context={"endpoint": endpoint, "partner": endpoint.partner},
    )


def due_deliveries(now=None):
    now = now or timezone.now()
    return Delivery.objects.filter(status=Delivery.Status.PENDING, next_attempt_at__lte=now).values_list(
        "pk", flat=True
    )


def purge_events(now=None) -> int:
    now = now or timezone.now()
    deleted, _rows = Event.objects.filter(created_at__lt=now - EVENTS_KEPT_FOR).delete()
    return deleted


NOT_RESENDABLE = gettext_noop("Only a failed delivery to an enabled endpoint can be sent again.")


@transaction.atomic
def resend(*, delivery: Delivery) -> Delivery:
    """A failed delivery starts over (same webhook-id: receivers that got it drop it)."""
    if delivery.status != Delivery.Status.FAILED or delivery.endpoint.disabled_at is not None:
        raise NotAllowed(_(NOT_RESENDABLE), code="not_resendable")
    delivery.status, delivery.attempts, delivery.next_attempt_at = Delivery.Status.PENDING, 0, timezone.now()
    delivery.save(update_fields=["status", "attempts", "next_attempt_at", "updated_at"])

    enqueue_on_commit("partners.deliver_webhook", delivery.pk)
    return delivery


MAX_REPLAY = 1000
REPLAY_TOO_MANY = gettext_noop("More than %(max)s events match; replay a shorter time range.")
REPLAY_BAD_RANGE = gettext_noop("The range must start before it ends, within the last 90 days.")


@transaction.atomic
def replay(*, partner, since, until, event_type: str = "", endpoint: WebhookEndpoint | None = None) -> int:
    """Bulk replay: every event of ``partner`` created in [``since``, ``until``) (of one type when
    ``event_type``) is sent again to each enabled endpoint that wants it (or to ``endpoint``
    only). A finished delivery starts over with the same ``webhook-id`` (receivers drop what they
    already have), a missing one is created, a pending one is left to its schedule. Returns how
    many deliveries were queued; at most :data:`MAX_REPLAY` events per call."""
    now = timezone.now()
    if since >= until or since < now - EVENTS_KEPT_FOR:
        raise ApplicationError(_(REPLAY_BAD_RANGE), code="bad_range", field="since")
    events = Event.objects.filter(partner=partner, created_at__gte=since, created_at__lt=until)
    if event_type:
        events = events.filter(type=event_type)
    events = list(events.order_by("created_at", "pk")[: MAX_REPLAY + 1])
    if len(events) > MAX_REPLAY:
        raise ApplicationError(_(REPLAY_TOO_MANY) % {"max": MAX_REPLAY}, code="too_many_events")
    endpoints = WebhookEndpoint.objects.filter(partner=partner, disabled_at__isnull=True)
    if endpoint is not None:
        endpoints = endpoints.filter(pk=endpoint.pk)
    endpoints = list(endpoints)
    queued = []
    for event in events:
        for target in endpoints:
            if endpoint is None and not target.wants(event.type):
                continue
            delivery, created = Delivery.objects.get_or_create(
                event=event, endpoint=target, defaults={"next_attempt_at": now}
            )
            if not created:
                if delivery.status == Delivery.Status.PENDING:
                    continue
                delivery.status, delivery.attempts, delivery.next_attempt_at = Delivery.Status.PENDING, 0, now
                delivery.save(update_fields=["status", "attempts", "next_attempt_at", "updated_at"])
            queued.append(delivery.pk)

    for delivery_id in queued:
        enqueue_on_commit("partners.deliver_webhook", delivery_id)
    return len(queued)
