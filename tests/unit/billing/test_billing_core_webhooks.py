"""The Stripe webhook endpoint: signatures, replays, order, failed payments and the grace period.

Events are signed here exactly as Stripe (and localstripe) sign them; the objects inside come
from localstripe, so their shapes are real."""

import hashlib
import hmac
import json
import time
from datetime import timedelta

import pytest
from celery.exceptions import Retry
from django.core import mail
from django.utils import timezone

from billing import gateway
from billing.models import BillingSettings, Entitlement, Invoice, Subscription, WebhookEvent
from billing.services import entitlements
from billing.signals import invoice_paid, invoice_refunded, payment_failed
from billing.tasks.subscriptions import suspend_overdue_subscriptions
from tests.factories.billing import purchase_plan

pytestmark = pytest.mark.django_db

URL = "/billing/stripe/webhook/"


def signed(payload: dict, secret="whsec_test_unit", timestamp=None):
    body = json.dumps(payload).encode()
    ts = int(timestamp or time.time())
    sig = hmac.new(secret.encode(), f"{ts}.".encode() + body, hashlib.sha256).hexdigest()
    return body, f"t={ts},v1={sig}"


def post(client, payload, **kw):
    body, header = signed(payload, **kw)
    return client.post(URL, data=body, content_type="application/json", HTTP_STRIPE_SIGNATURE=header)


_n = iter(range(1, 10**6))


def event(type_, obj, created=None):
    return {
        "id": f"evt_test_{next(_n)}_{int(time.time() * 1000)}",
        "object": "event",
        "type": type_,
        "created": int(created or time.time()),
        "data": {"object": obj},
    }


@pytest.fixture
def signals_log():
    log = []
    handlers = {
        "paid": lambda sender, invoice, **kw: log.append(("paid", invoice.pk)),
        "failed": lambda sender, invoice, **kw: log.append(("failed", invoice.pk)),
        "refunded": lambda sender, invoice, amount, **kw: log.append(("refunded", invoice.pk, amount)),
    }
    invoice_paid.connect(handlers["paid"], dispatch_uid="t-paid")
    payment_failed.connect(handlers["failed"], dispatch_uid="t-failed")
    invoice_refunded.connect(handlers["refunded"], dispatch_uid="t-refunded")
    yield log
    invoice_paid.disconnect(dispatch_uid="t-paid")
    payment_failed.disconnect(dispatch_uid="t-failed")
    invoice_refunded.disconnect(dispatch_uid="t-refunded")


def test_forged_signature_is_400_and_records_nothing(client, stripe):
    body, header = signed(event("invoice.paid", {"id": "in_x"}), secret="whsec_wrong")
    response = client.post(URL, data=body, content_type="application/json", HTTP_STRIPE_SIGNATURE=header)
    assert response.status_code == 400
    assert client.post(URL, data=body, content_type="application/json").status_code == 400  # no header
    assert not WebhookEvent.objects.exists()


def test_old_timestamp_is_rejected(client, stripe):
    response = post(client, event("invoice.paid", {"id": "in_x"}), timestamp=time.time() - 3600)
    assert response.status_code == 400


def test_get_is_not_allowed(client):
    assert client.get(URL).status_code == 405


def test_unknown_event_is_recorded_and_ignored(client, stripe, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, event("customer.created", {"id": "cus_x"}))
    assert response.status_code == 200
    assert WebhookEvent.objects.get().status == WebhookEvent.Status.IGNORED


def _invoice_payload(sub):
    [data] = gateway.list_invoices(subscription_id=sub.stripe_subscription_id)
    return data


def test_replayed_event_has_no_second_effect(
    client, stripe, store, customer, signals_log, django_capture_on_commit_callbacks
):
    user, org = customer
    sub = purchase_plan(store.monthly, org, user)
    renewal = {**_invoice_payload(sub), "id": "in_replay_1", "status": "paid", "paid": True}
    signals_log.clear()
    evt = event("invoice.paid", renewal)
    with django_capture_on_commit_callbacks(execute=True):
        assert post(client, evt).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        replay = post(client, evt)
    assert replay.status_code == 200 and replay.json()["duplicate"] is True
    invoice = Invoice.objects.get(stripe_invoice_id="in_replay_1")
    assert invoice.status == Invoice.Status.PAID and invoice.subscription_id == sub.pk
    assert signals_log == [("paid", invoice.pk)]
    assert WebhookEvent.objects.get().status == WebhookEvent.Status.PROCESSED


def test_a_second_paid_event_for_the_same_invoice_does_not_pay_twice(
    client, stripe, store, customer, signals_log, django_capture_on_commit_callbacks
):
    user, org = customer
    sub = purchase_plan(store.monthly, org, user)
    payload = _invoice_payload(sub)
    with django_capture_on_commit_callbacks(execute=True):
        post(client, event("invoice.payment_succeeded", payload))
        post(client, event("invoice.paid", payload))
    assert len([s for s in signals_log if s[0] == "paid"]) == 1  # the purchase itself
    assert WebhookEvent.objects.filter(status=WebhookEvent.Status.PROCESSED).count() == 2


def test_out_of_order_invoice_paid_before_subscription_created(
    client, stripe, store, customer, django_capture_on_commit_callbacks
):
    user, org = customer
    sub = purchase_plan(store.monthly, org, user)
    stripe_sub = gateway.retrieve_subscription(sub.stripe_subscription_id)
    early = {**stripe_sub, "status": "incomplete"}  # the snapshot taken at creation, delivered last
    created_at = time.time() - 30
    with django_capture_on_commit_callbacks(execute=True):
        post(client, event("invoice.paid", _invoice_payload(sub)))
        post(client, event("customer.subscription.created", early, created=created_at))
    sub.refresh_from_db()
    assert sub.status == Subscription.Status.ACTIVE
    assert entitlements.has_access(org, store.listing)


def test_event_for_a_purchase_not_yet_committed_is_retried(
    client, stripe, store, customer, settings, django_capture_on_commit_callbacks
):
    """The subscription exists in Stripe but not (yet) here: the task retries, the event stays failed
    with its error, and processing it later (after the purchase commits) applies it."""
    from billing.tasks.webhooks import process_webhook_event

    user, org = customer
    sub = purchase_plan(store.monthly, org, user)
    payload = gateway.retrieve_subscription(sub.stripe_subscription_id)
    public_id = sub.public_id
    Subscription.objects.filter(pk=sub.pk).update(
        stripe_subscription_id=None, public_id="00000000-0000-0000-0000-000000000000"
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert (
            post(
                client, event("customer.subscription.deleted", {**payload, "status": "canceled"})
            ).status_code
            == 200
        )
    recorded = WebhookEvent.objects.get()
    assert recorded.status == WebhookEvent.Status.FAILED and "not written yet" in recorded.error
    with pytest.raises(Retry):
        process_webhook_event.apply(args=[recorded.pk])
    Subscription.objects.filter(pk=sub.pk).update(public_id=public_id)
    process_webhook_event.delay(recorded.pk)
    recorded.refresh_from_db()
    sub.refresh_from_db()
    assert recorded.status == WebhookEvent.Status.PROCESSED
    assert sub.status == Subscription.Status.CANCELED
    assert Entitlement.objects.get(subscription=sub).status == Entitlement.Status.ENDED


def test_failed_payment_moves_to_past_due_notifies_and_suspends_after_grace(
    client, stripe, store, customer, signals_log, django_capture_on_commit_callbacks
):
    user, org = customer
    sub = purchase_plan(store.monthly, org, user)
    renewal = {
        **_invoice_payload(sub),
        "id": "in_renewal_1",
        "status": "open",
        "attempt_count": 1,
        "paid": False,
        "charge": None,
    }
    with django_capture_on_commit_callbacks(execute=True):
        post(client, event("invoice.payment_failed", renewal))
    sub.refresh_from_db()
    assert sub.status == Subscription.Status.PAST_DUE and sub.past_due_since is not None
    assert entitlements.has_access(org, store.listing)  # grace period
    assert ("failed", Invoice.objects.get(stripe_invoice_id="in_renewal_1").pk) in signals_log
    assert len(mail.outbox) == 1 and user.email in mail.outbox[0].to
    with django_capture_on_commit_callbacks(execute=True):
        post(client, event("invoice.payment_failed", renewal))  # same attempt again: no second email
    assert len(mail.outbox) == 1

    settings_obj = BillingSettings.load()
    settings_obj.payment_grace_days = 3
    settings_obj.save()
    Subscription.objects.filter(pk=sub.pk).update(past_due_since=timezone.now() - timedelta(days=2))
    assert suspend_overdue_subscriptions.delay().get() == 0
    Subscription.objects.filter(pk=sub.pk).update(past_due_since=timezone.now() - timedelta(days=4))
    with django_capture_on_commit_callbacks(execute=True):
        assert suspend_overdue_subscriptions.delay().get() == 1
    sub.refresh_from_db()
    assert sub.status == Subscription.Status.SUSPENDED
    assert Entitlement.objects.get(subscription=sub).status == Entitlement.Status.SUSPENDED
    assert not entitlements.has_access(org, store.listing)

    with django_capture_on_commit_callbacks(execute=True):
        post(client, event("invoice.paid", {**renewal, "status": "paid", "paid": True, "attempt_count": 2}))
    sub.refresh_from_db()
    assert sub.status == Subscription.Status.ACTIVE and sub.past_due_since is None
    assert entitlements.has_access(org, store.listing)
    assert Invoice.objects.get(stripe_invoice_id="in_renewal_1").status == Invoice.Status.PAID


def test_subscription_deleted_ends_access_and_counter(
    client, stripe, store, customer, django_capture_on_commit_callbacks
):
    from catalog.models import ListingPage

    user, org = customer
    sub = purchase_plan(store.monthly, org, user)
    data = gateway.cancel_subscription_now(sub.stripe_subscription_id)
    with django_capture_on_commit_callbacks(execute=True):
        post(client, event("customer.subscription.deleted", data))
    sub.refresh_from_db()
    assert sub.status == Subscription.Status.CANCELED and sub.canceled_at is not None
    assert not entitlements.has_access(org, store.listing)
    assert ListingPage.objects.get(pk=store.listing.pk).active_subscriptions == 0


def test_refund_is_recorded_once_with_its_amount(
    client, stripe, store, customer, signals_log, django_capture_on_commit_callbacks
):
    from decimal import Decimal

    from billing.services import invoices

    user, org = customer
    sub = purchase_plan(store.once, org, user, currency="CNY")
    invoice = Invoice.objects.get(subscription=sub)
    assert invoices.refund(invoice, Decimal("1000.00")) == Decimal("1000.00")
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.PARTIALLY_REFUNDED and invoice.amount_refunded == Decimal(
        "1000.00"
    )
    charge = {
        "id": invoice.stripe_charge_id,
        "object": "charge",
        "amount_refunded": 100000,
        "payment_intent": invoice.stripe_payment_intent_id,
        "refunds": {"data": [{"id": "re_1"}]},
    }
    with django_capture_on_commit_callbacks(execute=True):
        post(client, event("charge.refunded", charge))  # the webhook for the same refund: no-op
    refunds = [s for s in signals_log if s[0] == "refunded"]
    assert refunds == [("refunded", invoice.pk, Decimal("1000.00"))]
