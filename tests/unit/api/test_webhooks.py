"""Outbound webhooks: endpoints through the API, Standard Webhooks signatures (checked with the
``standardwebhooks`` reference library), the retry schedule and auto-disable on a fake clock,
410, the events feed, and events emitted by billing and the catalogue."""

import json
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from standardwebhooks import Webhook

from billing.services import entitlements
from partners.models import Delivery, Event, WebhookEndpoint
from partners.services import webhooks
from partners.services.events import emit
from tests.factories.api import api_client, key_for, partner_client, world
from tests.factories.billing import customer
from tests.unit.api.receiver import Receiver

pytestmark = pytest.mark.django_db

ENDPOINTS = "/api/v1/webhook-endpoints"


@pytest.fixture
def receiver(settings):
    settings.TESTING = True
    settings.OUTBOUND_ALLOW_LOOPBACK_FOR_TESTS = True
    server = Receiver()
    yield server
    server.close()


@pytest.fixture
def mine(mine):
    WebhookEndpoint.objects.all().delete()  # each test adds the endpoints it is about
    return mine


def post(token, path, body=None, key="k"):
    return api_client(token).post(
        path,
        json.dumps(body) if body is not None else "",
        content_type="application/json",
        headers={"Idempotency-Key": key},
    )


def test_endpoints_through_the_api(mine, receiver):
    _key, token = key_for(mine.partner, ["webhooks:manage"])
    created = post(token, ENDPOINTS, {"url": receiver.url, "event_types": ["subscription.created"]})
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["secret"].startswith("whsec_") and body["enabled"] is True
    endpoint_url = f"{ENDPOINTS}/{body['id']}"
    shown = api_client(token).get(endpoint_url).json()
    assert "secret" not in shown and shown["event_types"] == ["subscription.created"]
    patched = api_client(token).patch(endpoint_url, {"enabled": False}, content_type="application/json")
    assert patched.status_code == 200 and patched.json()["enabled"] is False
    assert WebhookEndpoint.objects.get().disabled_at is not None
    assert api_client(token).delete(endpoint_url).status_code == 204
    assert not WebhookEndpoint.objects.exists()


@pytest.mark.parametrize(
    "url", ["http://hooks.example.com/in", "https://10.0.0.5/in", "https://localhost/in", "ftp://example.com"]
)
def test_unsafe_urls_are_refused(mine, url):
    _key, token = key_for(mine.partner, ["webhooks:manage"])
    response = post(token, ENDPOINTS, {"url": url})
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert not WebhookEndpoint.objects.exists()


def test_unknown_event_type_and_fields_are_400(mine):
    _key, token = key_for(mine.partner, ["webhooks:manage"])
    assert (
        post(token, ENDPOINTS, {"url": "https://hooks.example.com/", "event_types": ["nope"]}).status_code
        == 400
    )
    assert (
        post(token, ENDPOINTS, {"url": "https://hooks.example.com/", "secret": "mine"}, key="2").status_code
        == 400
    )


def test_other_partners_endpoint_is_404_and_scope_is_needed(mine):
    other = world()
    endpoint = webhooks.create_endpoint(partner=other.partner, url="https://hooks.example.com/")
    _key, token = key_for(mine.partner, ["webhooks:manage"])
    assert api_client(token).get(f"{ENDPOINTS}/{endpoint.public_id}").status_code == 404
    assert post(token, f"{ENDPOINTS}/{endpoint.public_id}/test").status_code == 404
    _key, reader = key_for(mine.partner, ["listings:read"])
    refused = api_client(reader).get(ENDPOINTS)
    assert refused.status_code == 403 and refused.json()["scope"] == "webhooks:manage"


def test_test_event_is_delivered_signed_and_verifies(mine, receiver, django_capture_on_commit_callbacks):
    _key, token = key_for(mine.partner, ["webhooks:manage"])
    endpoint = webhooks.create_endpoint(partner=mine.partner, url=receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        response = post(token, f"{ENDPOINTS}/{endpoint.public_id}/test")
    assert response.status_code == 202
    assert len(receiver.requests) == 1
    headers, body = receiver.requests[0]
    assert headers["webhook-id"] == response.json()["event"]
    payload = Webhook(endpoint.secret).verify(body, headers)
    assert payload["type"] == "webhook.test" and payload["id"] == headers["webhook-id"]
    with pytest.raises(Exception):  # noqa: B017 - the library's WebhookVerificationError
        Webhook(webhooks.new_secret()).verify(body, headers)
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.SUCCEEDED and delivery.response_status == 200


def test_rotation_signs_with_both_secrets_for_24_hours(mine):
    endpoint = webhooks.create_endpoint(partner=mine.partner, url="https://hooks.example.com/")
    old = endpoint.secret
    now = timezone.now()
    webhooks.rotate_secret(endpoint=endpoint, now=now)
    event = emit(mine.partner, "webhook.test", {"n": 1})
    body = webhooks.body_of(event)
    during = webhooks.headers_for(endpoint, event, body, now + timedelta(hours=23))
    assert len(during["webhook-signature"].split(" ")) == 2
    # the library checks the timestamp against its clock: verify with a fresh one
    fresh = webhooks.headers_for(endpoint, event, body)
    for secret in (old, endpoint.secret):
        Webhook(secret).verify(body, fresh)
    after = webhooks.headers_for(endpoint, event, body, now + timedelta(hours=25))
    assert len(after["webhook-signature"].split(" ")) == 1


def _pending_delivery(partner, url):
    endpoint = webhooks.create_endpoint(partner=partner, url=url)
    event = emit(partner, "webhook.test", {"n": 1})
    return Delivery.objects.create(event=event, endpoint=endpoint, next_attempt_at=timezone.now())


def test_retry_schedule_on_a_fake_clock(mine, receiver):
    receiver.status = 503
    delivery = _pending_delivery(mine.partner, receiver.url)
    now = timezone.now()
    gaps = []
    for _attempt in range(webhooks.MAX_ATTEMPTS):
        assert (
            webhooks.deliver(delivery.pk, now=now - timedelta(seconds=1)).attempts == _attempt
        )  # not due yet
        delivery = webhooks.deliver(delivery.pk, now=now)
        if delivery.next_attempt_at:
            gaps.append(delivery.next_attempt_at - now)
            now = delivery.next_attempt_at
    assert gaps == webhooks.SCHEDULE[1:]
    assert delivery.status == Delivery.Status.FAILED and delivery.attempts == 9
    assert delivery.response_status == 503
    assert len(receiver.requests) == 9
    assert len({headers["webhook-id"] for headers, _body in receiver.requests}) == 1


def test_410_stops_and_disables(mine, receiver):
    receiver.status = 410
    delivery = webhooks.deliver(_pending_delivery(mine.partner, receiver.url).pk)
    assert delivery.status == Delivery.Status.FAILED and delivery.next_attempt_at is None
    assert delivery.endpoint.disabled_at is not None


def test_five_days_of_failure_disable_the_endpoint_with_an_email(
    mine, receiver, django_capture_on_commit_callbacks
):
    receiver.status = 500
    delivery = _pending_delivery(mine.partner, receiver.url)
    WebhookEndpoint.objects.update(failing_since=timezone.now() - timedelta(days=5, seconds=1))
    with django_capture_on_commit_callbacks(execute=True):
        delivery = webhooks.deliver(delivery.pk)
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.disabled_at is not None and delivery.status == Delivery.Status.FAILED
    assert len(mail.outbox) == 1 and receiver.url in mail.outbox[0].body
    # a success resets the failure clock
    endpoint.disabled_at, endpoint.failing_since = None, timezone.now() - timedelta(days=4)
    endpoint.save()
    receiver.status = 200
    fresh = Delivery.objects.create(event=emit(mine.partner, "webhook.test", {}), endpoint=endpoint)
    webhooks.deliver(fresh.pk)
    assert WebhookEndpoint.objects.get().failing_since is None


def test_receiver_down_six_hours_gets_every_event_once(mine, receiver):
    endpoint = webhooks.create_endpoint(partner=mine.partner, url=receiver.url)
    start = timezone.now()
    events = [emit(mine.partner, "webhook.test", {"n": i}) for i in range(3)]
    for event in events:
        Delivery.objects.create(event=event, endpoint=endpoint, next_attempt_at=start)
    receiver.status = 503
    clock = start
    while clock <= start + timedelta(hours=8):
        if clock >= start + timedelta(hours=6):
            receiver.status = 200
        for pk in list(webhooks.due_deliveries(clock)):
            webhooks.deliver(pk, now=clock)
        clock += timedelta(minutes=5)
    assert set(Delivery.objects.values_list("status", flat=True)) == {Delivery.Status.SUCCEEDED}
    assert sorted(receiver.accepted) == sorted(e.message_id for e in events)  # each once
    assert len(receiver.requests) > 3  # there were failed attempts during the six hours


def test_events_feed_since_and_30_days(mine):
    partner_api = partner_client(mine.partner, ["webhooks:manage"])
    Event.objects.filter(partner=mine.partner).delete()
    old = emit(mine.partner, "webhook.test", {"n": "old"})
    Event.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=31))
    first = emit(mine.partner, "webhook.test", {"n": 1})
    second = emit(mine.partner, "listing.published", {"n": 2})
    Event.objects.filter(pk=first.pk).update(created_at=timezone.now() - timedelta(hours=2))
    client = partner_api
    everything = client.get("/api/v1/events").json()["results"]
    assert [e["id"] for e in everything] == [first.message_id, second.message_id]
    since = (timezone.now() - timedelta(hours=1)).isoformat()
    assert [e["id"] for e in client.get("/api/v1/events", {"since": since}).json()["results"]] == [
        second.message_id
    ]
    assert client.get("/api/v1/events", {"type": "webhook.test"}).json()["results"][0]["data"] == {"n": 1}
    assert client.get("/api/v1/events", {"since": "soon"}).status_code == 400
    other = world()
    assert not any(e["id"] == other.listing.pk for e in everything)


def test_billing_and_catalogue_emit_events(mine, django_capture_on_commit_callbacks):
    assert Event.objects.filter(partner=mine.partner, type="listing.published").exists()
    from billing.models import Trial

    org = customer("events-buyer")
    trial = Trial.objects.create(
        organisation=org, listing=mine.listing, ends_at=timezone.now() + timedelta(days=7)
    )
    with django_capture_on_commit_callbacks(execute=True):
        entitlements.grant_for_trial(trial)
    event = Event.objects.filter(partner=mine.partner, type="entitlement.created").get()
    assert event.payload["customer"]["slug"] == "events-buyer"
    assert event.payload["listing"] == str(mine.listing.translation_key)


def test_a_failed_delivery_can_be_sent_again_from_the_console(
    client, mine, receiver, django_capture_on_commit_callbacks
):
    from accounts.models import Role
    from accounts.selectors import SESSION_KEY
    from tests.factories.accounts import MembershipFactory, UserFactory
    from tests.unit.accounts.helpers import enrol_totp

    receiver.status = 410
    delivery = webhooks.deliver(_pending_delivery(mine.partner, receiver.url).pk)
    assert delivery.status == Delivery.Status.FAILED
    user = UserFactory()
    MembershipFactory(user=user, organisation=mine.partner.organisation, role=Role.ADMIN)
    enrol_totp(user)  # admins need an authenticator before the console (accounts.mfa)
    client.force_login(user)
    session = client.session
    session[SESSION_KEY] = mine.partner.organisation_id
    session.save()
    url = f"/en/partners/api/deliveries/{delivery.public_id}/resend/"
    client.post(url)  # the endpoint is disabled (410): refused
    assert Delivery.objects.get().status == Delivery.Status.FAILED
    webhooks.update_endpoint(endpoint=delivery.endpoint, enabled=True)
    receiver.status = 200
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url)
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SUCCEEDED and delivery.attempts == 1
    assert receiver.accepted == [delivery.event.message_id]
    other = world()
    foreign = Delivery.objects.create(event=emit(other.partner, "webhook.test", {}), endpoint=other.endpoint)
    assert client.post(f"/en/partners/api/deliveries/{foreign.public_id}/resend/").status_code == 404
