"""Events about a partner, for its webhooks and ``GET /api/v1/events``.

:func:`emit` is how every app reports something a partner's systems may want to hear about::

    events.emit(partner, "subscription.created", {"id": str(sub.public_id), ...})

The event row is written in the caller's transaction (no event for a change that rolls back);
deliveries to the partner's matching endpoints are created and queued when it commits.
Delivery is at least once and unordered: receivers deduplicate on ``webhook-id``.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.tasks import enqueue
from partners.models import Delivery, Event, WebhookEndpoint

#: Every event type, with its meaning (the API docs and the endpoint filter list these).
EVENT_TYPES = {
    "listing.submitted": _("A listing was submitted for review."),
    "listing.approved": _("A listing was approved and published."),
    "listing.rejected": _("A listing was sent back by the reviewer."),
    "listing.published": _("A listing was published."),
    "subscription.created": _("A customer subscribed to one of your listings."),
    "subscription.cancelled": _("A subscription was cancelled."),
    "entitlement.created": _("A customer was given access to one of your listings."),
    "entitlement.activated": _("An entitlement became active (a trial converted, a payment arrived)."),
    "entitlement.seats_changed": _("The seats of an entitlement changed."),
    "entitlement.suspended": _("An entitlement was suspended (payment overdue)."),
    "entitlement.resumed": _("A suspended entitlement was resumed."),
    "entitlement.ended": _("An entitlement ended."),
    "webhook.test": _("A test event you asked for."),
}


def register_event_types(types: dict) -> None:
    """Apps above ``partners`` add their event types (type → description) at start-up
    (``AppConfig.ready``), so the endpoint filter, the API schema and the docs list them."""
    EVENT_TYPES.update(types)


def emit(partner, type: str, payload: dict, *, only_endpoint: WebhookEndpoint | None = None) -> Event:
    """Record an event for ``partner`` and deliver it, after commit, to its endpoints."""
    event = Event.objects.create(partner=partner, type=type, payload=payload, created_at=timezone.now())
    transaction.on_commit(lambda: _fan_out(event.pk, only_endpoint.pk if only_endpoint else None))
    return event


def emit_many(events: list[tuple]) -> list[Event]:
    """:func:`emit` for many events at once — ``(partner, type, payload)`` tuples, recorded in
    that order with one insert and delivered with one fan-out after commit (a pool published
    over 10,000 partners sends 10,000 balance events)."""
    now = timezone.now()
    rows = Event.objects.bulk_create(
        [
            Event(partner=partner, type=type_, payload=payload, created_at=now)
            for partner, type_, payload in events
        ],
        batch_size=2000,
    )
    ids = [event.pk for event in rows]
    if ids:
        transaction.on_commit(lambda: _fan_out_many(ids))
    return rows


def _fan_out_many(event_ids: list[int]) -> None:
    """:func:`_fan_out` of every event in ``event_ids``, reading the endpoints once."""
    events = list(Event.objects.filter(pk__in=event_ids).order_by("pk"))
    endpoints: dict[int, list[WebhookEndpoint]] = {}
    for endpoint in WebhookEndpoint.objects.filter(
        partner_id__in={event.partner_id for event in events}, disabled_at__isnull=True
    ):
        endpoints.setdefault(endpoint.partner_id, []).append(endpoint)
    now = timezone.now()
    for event in events:
        for endpoint in endpoints.get(event.partner_id, ()):
            if endpoint.wants(event.type):
                _deliver(event, endpoint, now)


def _deliver(event: Event, endpoint: WebhookEndpoint, now) -> None:
    delivery, created = Delivery.objects.get_or_create(
        event=event, endpoint=endpoint, defaults={"next_attempt_at": now}
    )
    if created:
        enqueue("partners.deliver_webhook", delivery.pk)  # broker down: kept in the outbox


def _fan_out(event_id: int, endpoint_id: int | None) -> None:
    event = Event.objects.get(pk=event_id)
    endpoints = WebhookEndpoint.objects.filter(partner_id=event.partner_id, disabled_at__isnull=True)
    if endpoint_id is not None:
        endpoints = endpoints.filter(pk=endpoint_id)
    now = timezone.now()
    for endpoint in endpoints:
        if endpoint_id is None and not endpoint.wants(event.type):
            continue
        _deliver(event, endpoint, now)
