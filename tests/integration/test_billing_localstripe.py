"""Billing against localstripe on loopback with its real, signed webhook deliveries to a live
server (``/billing/stripe/webhook/``): purchase, replay-free processing, cancellation."""

import time
import urllib.parse
import urllib.request
import uuid

import pytest

from billing import gateway
from billing.models import Entitlement, Invoice, Subscription, WebhookEvent
from billing.services import entitlements, subscriptions
from billing.signals import invoice_paid
from tests.factories.accounts import buyer
from tests.factories.billing import card, shop

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SECRET = "whsec_integration_test"


@pytest.fixture
def webhooks(live_server, stripe_api_base, settings):
    settings.STRIPE_API_BASE = stripe_api_base
    settings.STRIPE_WEBHOOK_SECRET = SECRET
    settings.STRIPE_MAX_NETWORK_RETRIES = 0
    hook_id = f"symbio-{uuid.uuid4().hex[:8]}"

    def register(url):
        data = urllib.parse.urlencode({"url": url, "secret": SECRET}).encode()
        urllib.request.urlopen(f"{stripe_api_base}/_config/webhooks/{hook_id}", data=data, timeout=5).read()

    register(f"{live_server.url}/billing/stripe/webhook/")
    yield
    register("http://127.0.0.1:9/")  # the live server goes away: deliveries go nowhere
    # localstripe sends events after the test has what it waited for (an invoice's updates after a
    # cancellation); the live server (one for the session) would still be writing them while
    # Django's flush truncates the tables: a deadlock. Wait until no delivery is arriving.
    _wait_until_quiet()


def _wait_until_quiet(quiet=0.4, timeout=10.0):
    """Until no webhook event has arrived or been left unprocessed for ``quiet`` seconds."""
    deadline = time.monotonic() + timeout
    seen, since = None, time.monotonic()
    while time.monotonic() < deadline:
        now = (
            WebhookEvent.objects.count(),
            WebhookEvent.objects.filter(status=WebhookEvent.Status.RECEIVED).exists(),
        )
        if now != seen or now[1]:
            seen, since = now, time.monotonic()
        elif time.monotonic() - since >= quiet:
            return
        time.sleep(0.05)


def events_of(types, wait_for, count=1):
    def ready():
        rows = list(WebhookEvent.objects.filter(type__in=types))
        return (
            rows
            if len(rows) >= count and all(r.status != WebhookEvent.Status.RECEIVED for r in rows)
            else None
        )

    return wait_for(ready, timeout=20)


def test_purchase_is_confirmed_by_real_webhooks_without_double_counting(webhooks, wait_for):
    paid = []
    invoice_paid.connect(
        lambda sender, invoice, **kw: paid.append(invoice.pk), weak=False, dispatch_uid="it-paid"
    )
    try:
        store = shop()
        user, org = buyer()
        sub = subscriptions.purchase(
            organisation=org,
            user=user,
            listing_plan=store.seats,
            currency="CNY",
            quantity=2,
            payment_method_id=card(),
            token=uuid.uuid4().hex,
        )
        rows = events_of(
            ["customer.subscription.created", "invoice.created", "invoice.payment_succeeded"],
            wait_for,
            count=3,
        )
        assert rows, "localstripe's webhooks did not arrive"
        assert {r.status for r in rows} <= {WebhookEvent.Status.PROCESSED, WebhookEvent.Status.IGNORED}
        assert not WebhookEvent.objects.filter(status=WebhookEvent.Status.FAILED).exists()
        sub.refresh_from_db()
        assert sub.status == Subscription.Status.ACTIVE
        assert Invoice.objects.filter(subscription=sub).count() == 1
        assert paid == [Invoice.objects.get(subscription=sub).pk]  # the webhook did not pay it again
        assert entitlements.has_access(org, store.listing)
    finally:
        invoice_paid.disconnect(dispatch_uid="it-paid")


def test_cancellation_in_stripe_ends_access_through_the_webhook(webhooks, wait_for):
    store = shop()
    user, org = buyer()
    sub = subscriptions.purchase(
        organisation=org,
        user=user,
        listing_plan=store.monthly,
        payment_method_id=card(),
        token=uuid.uuid4().hex,
    )
    gateway.cancel_subscription_now(sub.stripe_subscription_id)
    assert events_of(["customer.subscription.deleted"], wait_for), "no customer.subscription.deleted delivery"
    sub.refresh_from_db()
    assert sub.status == Subscription.Status.CANCELED
    assert Entitlement.objects.get(subscription=sub).status == Entitlement.Status.ENDED
    assert not entitlements.has_access(org, store.listing)


def test_forged_delivery_is_refused(live_server, settings):
    settings.STRIPE_WEBHOOK_SECRET = SECRET
    request = urllib.request.Request(
        f"{live_server.url}/billing/stripe/webhook/",
        data=b'{"id": "evt_forged", "type": "invoice.paid"}',
        headers={"Content-Type": "application/json", "Stripe-Signature": "t=1,v1=deadbeef"},
    )
    with pytest.raises(urllib.error.HTTPError) as exc:
        urllib.request.urlopen(request, timeout=5)
    assert exc.value.code == 400
    assert not WebhookEvent.objects.exists()
