"""ISV fulfilment over real HTTP on 127.0.0.1: entitlement changes reach the partner's fulfilment
URL as ``entitlement.*`` events on the webhook machinery — signed the Standard Webhooks way (the
receiver verifies them with the ``standardwebhooks`` reference library and the endpoint's secret),
retried on the webhook schedule when the URL is down, logged, and never raising into the
customer's request.

(Celery runs eagerly here, as in the unit tests: the task is the same function a worker runs.)
"""

import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone
from django.utils.translation import gettext
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from billing import signals
from billing.services import fulfilment
from core.exceptions import ApplicationError
from partners.models import Delivery, Event, PartnerKind
from partners.services import webhooks
from tests.factories.billing import customer, live_listing, money_partner, trial_entitlement

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


class Receiver:
    """A partner's fulfilment endpoint: records requests, answers ``status``."""

    def __init__(self, status=200):
        self.status = status
        self.requests = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's API
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append({"headers": dict(self.headers), "body": body})
                self.send_response(receiver.status)
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/symbio/fulfilment"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def _free_port_url():
    """A loopback URL nothing listens on (the port was free a moment ago)."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/down"


@pytest.fixture
def world(db, settings):
    settings.OUTBOUND_ALLOW_LOOPBACK_FOR_TESTS = True  # the receivers here listen on 127.0.0.1
    partner = money_partner(slug="ff-isv", name="履约软件", name_en="Fulfil Soft", kind=PartnerKind.ISV)
    listing = live_listing(partner, slug="ff-app")
    org = customer("ff-buyer")
    return partner, listing, org


def _headers(request):
    return {k.lower(): v for k, v in request["headers"].items()}


def test_the_receiver_verifies_the_signature_with_its_secret(world, django_capture_on_commit_callbacks):
    partner, listing, org = world
    with Receiver() as receiver:
        endpoint = fulfilment.update_endpoint(partner, url=receiver.url)
        entitlement = trial_entitlement(organisation=org, listing=listing)
        with django_capture_on_commit_callbacks(execute=True):
            signals.send_entitlement_changed(entitlement, "created")

    webhook = endpoint.webhook_endpoint
    event = Event.objects.get(partner=partner, type="entitlement.created")
    delivery = Delivery.objects.get(event=event)
    assert delivery.endpoint == webhook and delivery.status == Delivery.Status.SUCCEEDED
    assert (delivery.attempts, delivery.response_status) == (1, 200)
    (request,) = receiver.requests  # one notification: the fulfilment one is the webhook one
    headers = _headers(request)
    payload = Webhook(webhook.secret).verify(request["body"], headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(webhooks.new_secret()).verify(request["body"], headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(webhook.secret).verify(request["body"] + b" ", headers)
    assert payload["type"] == "entitlement.created"
    assert payload["id"] == headers["webhook-id"] == event.message_id
    assert payload["data"]["id"] == str(entitlement.public_id)
    assert payload["data"]["customer"]["slug"] == "ff-buyer"
    assert payload["data"]["listing_slug"] == listing.slug and payload["data"]["seats"] == entitlement.seats

    # After rotating, a re-send is signed with the new secret (and the old one for 24 hours).
    old = webhook.secret
    fulfilment.rotate_secret(partner)
    webhook.refresh_from_db()
    assert webhook.secret != old
    with Receiver() as receiver2:
        fulfilment.update_endpoint(partner, url=receiver2.url)
        with django_capture_on_commit_callbacks(execute=True):
            assert (
                webhooks.replay(
                    partner=partner,
                    since=event.created_at - timedelta(seconds=1),
                    until=timezone.now(),
                    event_type="entitlement.created",
                    endpoint=webhook,
                )
                == 1
            )
    (request,) = receiver2.requests
    assert Webhook(webhook.secret).verify(request["body"], _headers(request))["id"] == payload["id"]
    assert _headers(request)["webhook-id"] == payload["id"]  # same id: receivers de-duplicate


def test_a_down_url_is_retried_on_the_webhook_schedule_and_never_raises(
    world, django_capture_on_commit_callbacks
):
    partner, listing, org = world
    fulfilment.update_endpoint(partner, url=_free_port_url())
    entitlement = trial_entitlement(organisation=org, listing=listing)

    before = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        signals.send_entitlement_changed(entitlement, "activated")  # the customer's request: no exception

    delivery = Delivery.objects.get(event__partner=partner, event__type="entitlement.activated")
    assert delivery.status == Delivery.Status.PENDING
    assert delivery.attempts == 1 and delivery.response_status is None
    # nothing about the network: the one generic message (in the active language)
    assert delivery.last_error == gettext("Could not deliver to the endpoint.")
    first_wait = delivery.next_attempt_at - before
    assert (
        webhooks.SCHEDULE[1] - timedelta(seconds=1)
        <= first_wait
        <= webhooks.SCHEDULE[1] + timedelta(seconds=15)
    )
    assert delivery.pk not in list(webhooks.due_deliveries())  # not due yet

    # The next attempts follow the schedule, then the delivery gives up.
    now = delivery.next_attempt_at
    for attempt in range(2, webhooks.MAX_ATTEMPTS + 1):
        assert delivery.pk in list(webhooks.due_deliveries(now=now))
        delivery = webhooks.deliver(delivery.pk, now=now)
        assert delivery.attempts == attempt
        if attempt < webhooks.MAX_ATTEMPTS:
            assert delivery.next_attempt_at - now == webhooks.SCHEDULE[attempt]
            now = delivery.next_attempt_at
    assert delivery.status == Delivery.Status.FAILED and delivery.next_attempt_at is None
    assert fulfilment.failed_deliveries(partner).get() == delivery


def test_a_partner_without_url_gets_a_logged_but_unsent_event(world, django_capture_on_commit_callbacks):
    partner, listing, org = world
    entitlement = trial_entitlement(organisation=org, listing=listing)
    with django_capture_on_commit_callbacks(execute=True):
        signals.send_entitlement_changed(entitlement, "created")
    event = Event.objects.get(partner=partner, type="entitlement.created")
    assert event.payload["id"] == str(entitlement.public_id) and not event.deliveries.exists()


@pytest.mark.usefixtures("english")
def test_private_addresses_are_refused_unless_allowed(world, settings, django_capture_on_commit_callbacks):
    """No requests into our own network: without the setting, loopback and private addresses
    (literal or resolved) are refused — when the URL is saved and again before any connection."""
    partner, listing, org = world
    with Receiver() as receiver:
        endpoint = fulfilment.update_endpoint(partner, url=receiver.url.replace("http://", "https://"))
        settings.OUTBOUND_ALLOW_LOOPBACK_FOR_TESTS = False
        assert fulfilment.url_problem("http://hooks.example.com/x") == "The URL must use https."
        for url in ("https://127.0.0.1/x", "https://10.1.2.3/x", "https://localhost/x", "https://[::1]/x"):
            assert fulfilment.url_problem(url) == "The URL must be a public address.", url
            with pytest.raises(ApplicationError):
                fulfilment.update_endpoint(partner, url=url)
        assert fulfilment.url_problem("https://8.8.8.8/x") is None
        assert fulfilment.url_problem("https://hooks.partner.example.com/x") is None  # checked on delivery
        entitlement = trial_entitlement(organisation=org, listing=listing)
        with django_capture_on_commit_callbacks(execute=True):
            signals.send_entitlement_changed(entitlement, "created")
    assert receiver.requests == []
    delivery = Delivery.objects.get(endpoint=endpoint.webhook_endpoint)
    assert delivery.status == Delivery.Status.PENDING and delivery.attempts == 1
    assert delivery.last_error == "The URL must be a public address."
