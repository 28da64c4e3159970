"""ISV fulfilment over real HTTP on 127.0.0.1: a receiver holding the partner's secret verifies
the HMAC signature of what we POST; a URL that is down is retried with exponential backoff,
logged, and never raises into the customer's request.

(Celery runs eagerly here, as in the unit tests: the task is the same function a worker runs.)
"""

import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone
from django.utils.translation import gettext

from billing import signals
from billing.models import FulfilmentDelivery
from billing.services import fulfilment
from partners.models import PartnerKind
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
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

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


def test_the_receiver_verifies_the_signature_with_its_secret(world, django_capture_on_commit_callbacks):
    partner, listing, org = world
    with Receiver() as receiver:
        endpoint = fulfilment.update_endpoint(partner, url=receiver.url)
        entitlement = trial_entitlement(organisation=org, listing=listing)
        with django_capture_on_commit_callbacks(execute=True):
            signals.send_entitlement_changed(entitlement, "created")

    delivery = FulfilmentDelivery.objects.get(partner=partner)
    assert delivery.status == FulfilmentDelivery.Status.DELIVERED
    assert (delivery.attempts, delivery.response_code) == (1, 200)
    (request,) = receiver.requests
    headers = {k.lower(): v for k, v in request["headers"].items()}
    assert fulfilment.verify_signature(endpoint.secret, request["body"], headers["x-symbio-signature"])
    assert not fulfilment.verify_signature("fsec_wrong", request["body"], headers["x-symbio-signature"])
    assert not fulfilment.verify_signature(
        endpoint.secret, request["body"] + b" ", headers["x-symbio-signature"]
    )
    payload = json.loads(request["body"])
    assert payload["type"] == "entitlement.created" == headers["x-symbio-event"]
    assert payload["id"] == headers["x-symbio-delivery"] == str(delivery.public_id)
    assert payload["data"]["entitlement"]["id"] == str(entitlement.public_id)
    assert payload["data"]["customer"]["organisation"] == "ff-buyer"

    # After rotating, the old secret no longer verifies a re-send; the new one does.
    old = endpoint.secret
    new = fulfilment.rotate_secret(partner).secret
    with Receiver() as receiver2:
        fulfilment.update_endpoint(partner, url=receiver2.url)
        with django_capture_on_commit_callbacks(execute=True):
            copy = fulfilment.resend(delivery)
    copy.refresh_from_db()
    assert copy.status == FulfilmentDelivery.Status.DELIVERED and copy.resent_from_id == delivery.pk
    (request,) = receiver2.requests
    signature = request["headers"]["X-Symbio-Signature"]
    assert fulfilment.verify_signature(new, request["body"], signature)
    assert not fulfilment.verify_signature(old, request["body"], signature)
    assert json.loads(request["body"])["id"] == payload["id"]  # same event id: receivers de-duplicate


def test_a_down_url_is_retried_with_backoff_and_never_raises(
    world, settings, django_capture_on_commit_callbacks
):
    settings.BILLING_FULFILMENT_BACKOFF_SECONDS = 60
    settings.BILLING_FULFILMENT_MAX_ATTEMPTS = 3
    partner, listing, org = world
    fulfilment.update_endpoint(partner, url=_free_port_url())
    entitlement = trial_entitlement(organisation=org, listing=listing)

    before = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        signals.send_entitlement_changed(entitlement, "activated")  # the customer's request: no exception

    delivery = FulfilmentDelivery.objects.get(partner=partner)
    assert delivery.status == FulfilmentDelivery.Status.RETRYING
    assert delivery.attempts == 1 and delivery.response_code is None
    # nothing about the network: the one generic message (in the active language)
    assert delivery.last_error == gettext("Could not deliver to the endpoint.")
    first_wait = delivery.next_retry_at - before
    assert timedelta(seconds=59) <= first_wait <= timedelta(seconds=75)
    assert fulfilment.due_retries() == []  # not due yet

    # Beat's sweeper, one backoff later: the second attempt waits twice as long.
    from billing.tasks.fulfilment import retry_fulfilment_deliveries

    later = delivery.next_retry_at + timedelta(seconds=1)
    assert fulfilment.due_retries(now=later) == [delivery.pk]
    fulfilment.attempt(delivery.pk)
    delivery.refresh_from_db()
    assert delivery.attempts == 2 and delivery.status == FulfilmentDelivery.Status.RETRYING
    second_wait = delivery.next_retry_at - delivery.updated_at
    assert timedelta(seconds=119) <= second_wait <= timedelta(seconds=125)

    FulfilmentDelivery.objects.filter(pk=delivery.pk).update(next_retry_at=timezone.now())
    assert retry_fulfilment_deliveries() == 1  # third and last attempt
    delivery.refresh_from_db()
    assert delivery.attempts == 3
    assert delivery.status == FulfilmentDelivery.Status.FAILED and delivery.next_retry_at is None
    assert retry_fulfilment_deliveries() == 0


def test_a_partner_without_url_gets_a_logged_but_unsent_notification(
    world, django_capture_on_commit_callbacks
):
    partner, listing, org = world
    entitlement = trial_entitlement(organisation=org, listing=listing)
    with django_capture_on_commit_callbacks(execute=True):
        signals.send_entitlement_changed(entitlement, "created")
    delivery = FulfilmentDelivery.objects.get(partner=partner)
    assert delivery.status == FulfilmentDelivery.Status.SKIPPED and delivery.attempts == 0


@pytest.mark.usefixtures("english")
def test_private_addresses_are_refused_unless_allowed(world, settings, django_capture_on_commit_callbacks):
    """No requests into our own network: without the setting, loopback and private addresses
    (literal or resolved) are refused before any connection is made."""
    partner, listing, org = world
    settings.OUTBOUND_ALLOW_LOOPBACK_FOR_TESTS = False
    assert fulfilment.url_problem("http://hooks.example.com/x") == "The URL must use https."
    for url in ("https://127.0.0.1/x", "https://10.1.2.3/x", "https://localhost/x", "https://[::1]/x"):
        assert fulfilment.url_problem(url) == "The URL must be a public address.", url
    assert fulfilment.url_problem("https://8.8.8.8/x") is None
    assert fulfilment.url_problem("https://hooks.partner.example.com/x") is None  # checked again on delivery

    with Receiver() as receiver:
        fulfilment.update_endpoint(partner, url=receiver.url.replace("http://", "https://"))
        entitlement = trial_entitlement(organisation=org, listing=listing)
        with django_capture_on_commit_callbacks(execute=True):
            signals.send_entitlement_changed(entitlement, "created")
    assert receiver.requests == []
    delivery = FulfilmentDelivery.objects.get(partner=partner)
    assert delivery.status == FulfilmentDelivery.Status.RETRYING
    assert delivery.last_error == "The URL must be a public address."
