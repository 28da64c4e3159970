"""Bulk webhook replay: events of a time range (and type) start over with their webhook-id; events
outside the range, pending deliveries and other partners' events are left alone."""

from datetime import timedelta

import pytest
from django.utils import timezone

from partners.models import Delivery, Event
from partners.services.events import emit
from tests.factories.api import partner_client, world

pytestmark = pytest.mark.django_db


def _event(partner, type_, at):
    event = emit(partner, type_, {"n": type_})
    Event.objects.filter(pk=event.pk).update(created_at=at)
    return event


def _delivered(event, endpoint):
    return Delivery.objects.create(
        event=event, endpoint=endpoint, status=Delivery.Status.SUCCEEDED, attempts=1, response_status=200
    )


def test_replay_by_range_and_type(django_capture_on_commit_callbacks):
    mine, other = world(), world()
    Event.objects.all().delete()  # only this test's events
    now = timezone.now()
    inside = _event(mine.partner, "subscription.created", now - timedelta(hours=5))
    other_type = _event(mine.partner, "entitlement.ended", now - timedelta(hours=4))
    outside = _event(mine.partner, "subscription.created", now - timedelta(days=3))
    foreign = _event(other.partner, "subscription.created", now - timedelta(hours=5))
    deliveries = {e.pk: _delivered(e, mine.endpoint) for e in (inside, other_type, outside)}
    _delivered(foreign, other.endpoint)
    partner_api = partner_client(mine.partner, ["webhooks:manage"])
    body = {
        "since": (now - timedelta(days=1)).isoformat(),
        "until": now.isoformat(),
        "type": "subscription.created",
    }
    with django_capture_on_commit_callbacks() as callbacks:
        response = partner_api.post(
            "/api/v1/events/replay", body, content_type="application/json", headers={"Idempotency-Key": "r1"}
        )
    assert response.status_code == 202, response.content
    assert response.json() == {"queued": 1}
    assert len(callbacks) == 1
    statuses = {pk: Delivery.objects.get(pk=d.pk).status for pk, d in deliveries.items()}
    assert statuses == {inside.pk: "pending", other_type.pk: "succeeded", outside.pk: "succeeded"}
    assert Delivery.objects.get(event=foreign).status == "succeeded"
    # the whole range, every type: the other event too; the pending one is not queued twice
    everything = {**body, "type": None}
    everything.pop("type")
    again = partner_api.post(
        "/api/v1/events/replay",
        everything,
        content_type="application/json",
        headers={"Idempotency-Key": "r2"},
    )
    assert again.json() == {"queued": 1}
    assert Delivery.objects.get(pk=deliveries[other_type.pk].pk).status == "pending"


def test_replay_refuses_a_bad_range_and_needs_the_scope():
    mine = world()
    now = timezone.now()
    partner_api = partner_client(mine.partner, ["webhooks:manage"])
    backwards = {"since": now.isoformat(), "until": (now - timedelta(hours=1)).isoformat()}
    response = partner_api.post(
        "/api/v1/events/replay", backwards, content_type="application/json", headers={"Idempotency-Key": "r1"}
    )
    assert response.status_code == 400 and response.json()["code"] == "bad_range"
    no_scope_api = partner_client(mine.partner, ["partner:read"])
    refused = no_scope_api.post(
        "/api/v1/events/replay", backwards, content_type="application/json", headers={"Idempotency-Key": "r1"}
    )
    assert refused.status_code == 403 and refused.json()["scope"] == "webhooks:manage"
