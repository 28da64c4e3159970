"""Buying against localstripe: subscriptions, one-time purchases, seats, tax, currencies, and the
faults (declined card, Stripe unreachable, double-click)."""

from decimal import Decimal

import pytest
from django.db import transaction

from billing import gateway
from billing.models import BillingSettings, Entitlement, Invoice, Subscription, TaxRate, UsageRecord
from billing.services import entitlements, subscriptions
from billing.signals import entitlement_changed, invoice_paid
from catalog.models import ListingPage, ListingUsage, UsageKind
from tests.factories.accounts import buyer
from tests.factories.billing import DECLINED, card, purchase_plan, token

pytestmark = [pytest.mark.django_db(transaction=False)]


@pytest.fixture
def paid_signals():
    received = []

    def on_paid(sender, invoice, **kwargs):
        received.append(invoice.pk)

    invoice_paid.connect(on_paid, dispatch_uid="test-core-paid")
    yield received
    invoice_paid.disconnect(dispatch_uid="test-core-paid")


@pytest.fixture
def entitlement_events():
    received = []

    def on_change(sender, entitlement, event, **kwargs):
        received.append((entitlement.pk, event))

    entitlement_changed.connect(on_change, dispatch_uid="test-core-ent")
    yield received
    entitlement_changed.disconnect(dispatch_uid="test-core-ent")


def test_monthly_purchase_activates_subscription_entitlement_invoice_and_counters(
    stripe, store, customer, paid_signals, entitlement_events, django_capture_on_commit_callbacks
):
    user, org = customer
    with django_capture_on_commit_callbacks(execute=True):
        sub = purchase_plan(store.monthly, org, user, currency="CNY")
    assert sub.status == Subscription.Status.ACTIVE
    assert sub.stripe_subscription_id.startswith("sub_")
    assert sub.current_period_end > sub.current_period_start
    ent = Entitlement.objects.get(subscription=sub)
    assert ent.status == Entitlement.Status.ACTIVE and ent.seats is None
    assert entitlements.has_access(org, store.listing)
    invoice = Invoice.objects.get(subscription=sub)
    assert invoice.status == Invoice.Status.PAID
    assert (invoice.currency, invoice.subtotal, invoice.tax, invoice.total) == (
        "CNY",
        Decimal("99.00"),
        0,
        Decimal("99.00"),
    )
    assert invoice.partner_id == store.partner.pk and invoice.listing_id == store.listing.pk
    assert invoice.stripe_charge_id.startswith("ch_")
    assert paid_signals == [invoice.pk]
    assert (ent.pk, "created") in entitlement_events and (ent.pk, "activated") in entitlement_events
    assert ListingPage.objects.get(pk=store.listing.pk).active_subscriptions == 1
    usage = ListingUsage.objects.get(listing=store.listing, organisation=org)
    assert usage.kind == UsageKind.SUBSCRIPTION and usage.ended_on is None


@pytest.mark.usefixtures("english")
def test_declined_card_leaves_nothing(stripe, store, customer):
    user, org = customer
    with pytest.raises(gateway.CardDeclined) as exc:
        purchase_plan(store.monthly, org, user, number=DECLINED)
    assert "declined" in exc.value.message.lower()
    assert not Subscription.objects.exists()
    assert not Entitlement.objects.exists()
    assert not Invoice.objects.exists()
    assert ListingPage.objects.get(pk=store.listing.pk).active_subscriptions == 0


@pytest.mark.usefixtures("english")
def test_stripe_unreachable_is_clear_writes_nothing_and_can_be_retried(stripe, store, customer, settings):
    user, org = customer
    pm = card()
    key = token()
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"  # discard port: connection refused
    with pytest.raises(gateway.PaymentUnavailable) as exc:
        subscriptions.purchase(
            organisation=org, user=user, listing_plan=store.monthly, payment_method_id=pm, token=key
        )
    assert "try again" in exc.value.message
    assert (
        not Subscription.objects.exists()
        and not Entitlement.objects.exists()
        and not Invoice.objects.exists()
    )
    settings.STRIPE_API_BASE = stripe
    sub = subscriptions.purchase(
        organisation=org, user=user, listing_plan=store.monthly, payment_method_id=pm, token=key
    )
    assert sub.status == Subscription.Status.ACTIVE
    assert Subscription.objects.count() == 1


def test_double_click_makes_one_subscription(stripe, store, customer):
    user, org = customer
    pm, key = card(), token()
    first = subscriptions.purchase(
        organisation=org, user=user, listing_plan=store.monthly, payment_method_id=pm, token=key
    )
    second = subscriptions.purchase(
        organisation=org, user=user, listing_plan=store.monthly, payment_method_id=pm, token=key
    )
    assert first.pk == second.pk
    assert Subscription.objects.count() == 1 and Invoice.objects.count() == 1


@pytest.mark.usefixtures("english")
def test_a_second_subscription_to_the_same_listing_is_refused(stripe, store, customer):
    user, org = customer
    purchase_plan(store.monthly, org, user)
    with pytest.raises(subscriptions.PurchaseError) as exc:
        purchase_plan(store.annual, org, user)
    assert "already subscribes" in exc.value.message


def test_per_seat_quantity_and_seat_assignment(stripe, store, customer):
    user, org = customer
    colleague, _ = buyer(organisation=org)
    outsider, _ = buyer()
    sub = purchase_plan(store.seats, org, user, quantity=3)
    invoice = Invoice.objects.get(subscription=sub)
    assert invoice.subtotal == Decimal("90.00") and invoice.lines.get().quantity == 3
    ent = sub.entitlement
    assert ent.seats == 3
    entitlements.assign_seat(ent, user)
    entitlements.assign_seat(ent, colleague)
    assert entitlements.has_access(org, store.listing, colleague)
    with pytest.raises(entitlements.SeatError):
        entitlements.assign_seat(ent, outsider)  # not a member
    third, _ = buyer(organisation=org)
    entitlements.assign_seat(ent, third)
    fourth, _ = buyer(organisation=org)
    with pytest.raises(entitlements.SeatError) as exc:
        entitlements.assign_seat(ent, fourth)
    assert "3" in exc.value.message
    assert not entitlements.has_access(org, store.listing, fourth)


def test_seat_change_is_prorated_and_downgrade_trims_seats(stripe, store, customer):
    user, org = customer
    sub = purchase_plan(store.seats, org, user, quantity=2)
    sub = subscriptions.change(sub, quantity=5, token=token())
    assert sub.quantity == 5 and sub.entitlement.seats == 5
    proration = (
        Invoice.objects.filter(subscription=sub).exclude(billing_reason="subscription_create").order_by("-pk")
    )
    assert Invoice.objects.filter(subscription=sub).count() == 2
    assert proration.first().lines.filter(proration=True).exists()
    ent = Entitlement.objects.get(subscription=sub)
    for _ in range(4):
        member, _o = buyer(organisation=org)
        entitlements.assign_seat(ent, member)
    subscriptions.change(Subscription.objects.get(pk=sub.pk), quantity=2, token=token())
    ent.refresh_from_db()
    assert ent.seats == 2 and ent.seat_assignments.count() == 2


def test_upgrade_to_another_plan_changes_price_and_name(stripe, store, customer):
    user, org = customer
    sub = purchase_plan(store.monthly, org, user)
    sub = subscriptions.change(sub, listing_plan=store.annual, token=token())
    assert sub.listing_plan_id == store.annual.pk and sub.unit_amount == Decimal("990.00")
    assert sub.interval == "year" and sub.plan_name_en == "Annual"
    assert Invoice.objects.filter(subscription=sub).count() >= 2


def test_cancel_at_period_end_and_resume(stripe, store, customer):
    user, org = customer
    sub = purchase_plan(store.monthly, org, user)
    sub = subscriptions.set_cancel_at_period_end(sub, True)
    assert sub.cancel_at_period_end and sub.status == Subscription.Status.ACTIVE
    assert entitlements.has_access(org, store.listing)  # until the period ends
    sub = subscriptions.set_cancel_at_period_end(sub, False)
    assert not sub.cancel_at_period_end


def test_one_time_purchase_for_a_service_package(stripe, store, customer, paid_signals):
    user, org = customer
    sub = purchase_plan(store.once, org, user, currency="USD")
    assert sub.status == Subscription.Status.COMPLETED and not sub.is_recurring
    assert sub.stripe_payment_intent_id.startswith("pi_")
    invoice = Invoice.objects.get(subscription=sub)
    assert (
        invoice.status == Invoice.Status.PAID
        and invoice.total == Decimal("700.00")
        and invoice.currency == "USD"
    )
    assert paid_signals == [invoice.pk]
    assert sub.entitlement.source == Entitlement.Source.PURCHASE
    assert entitlements.has_access(org, store.listing)


def test_tax_rate_is_applied_to_subscription_and_one_time_invoices(stripe, store, customer):
    user, org = customer
    rate = TaxRate.objects.create(name="增值税", name_en="VAT", currency="CNY", percentage=Decimal("6.00"))
    settings_obj = BillingSettings.load()
    settings_obj.tax_rate_cny = rate
    settings_obj.save()
    sub = purchase_plan(store.monthly, org, user, currency="CNY")
    invoice = Invoice.objects.get(subscription=sub)
    assert (invoice.subtotal, invoice.tax, invoice.total) == (
        Decimal("99.00"),
        Decimal("5.94"),
        Decimal("104.94"),
    )
    assert invoice.tax_rate_percentage == Decimal("6.00")
    other_user, other_org = buyer()
    once = purchase_plan(store.once, other_org, other_user, currency="CNY")
    inv = Invoice.objects.get(subscription=once)
    assert (inv.subtotal, inv.tax, inv.total) == (Decimal("5000.00"), Decimal("300.00"), Decimal("5300.00"))
    usd_user, usd_org = buyer()
    usd = Invoice.objects.get(subscription=purchase_plan(store.monthly, usd_org, usd_user, currency="USD"))
    assert usd.tax == 0 and usd.total == Decimal("14.00")  # no USD rate configured


def test_usd_purchase_is_billed_in_usd(stripe, store, customer):
    user, org = customer
    sub = purchase_plan(store.annual, org, user, currency="USD")
    invoice = Invoice.objects.get(subscription=sub)
    assert (sub.currency, invoice.currency, invoice.total) == ("USD", "USD", Decimal("140.00"))


def test_metered_usage_is_recorded_once_per_key_and_billed(stripe, store, customer):
    user, org = customer
    sub = purchase_plan(store.usage, org, user)
    assert Invoice.objects.get(subscription=sub).total == 0  # usage is billed in arrears
    rec = subscriptions.record_usage(sub, quantity=120, user=user, key="report-1")
    again = subscriptions.record_usage(sub, quantity=120, user=user, key="report-1")
    assert rec.pk == again.pk and UsageRecord.objects.count() == 1
    with pytest.raises(subscriptions.PurchaseError):
        subscriptions.record_usage(sub, quantity=0, user=user, key="report-2")
    monthly = purchase_plan(store.monthly, *reversed(buyer()))
    with pytest.raises(subscriptions.PurchaseError):
        subscriptions.record_usage(monthly, quantity=5, key="report-3")


def test_purchase_rolls_back_when_the_transaction_fails_after_stripe(stripe, store, customer):
    """An error after Stripe answered (here: inside the caller's transaction) keeps no rows."""
    user, org = customer
    with pytest.raises(RuntimeError), transaction.atomic():
        purchase_plan(store.monthly, org, user)
        raise RuntimeError("boom")
    assert not Subscription.objects.exists() and not Entitlement.objects.exists()


def test_failed_renewal_then_new_card_pays_and_reactivates(stripe, store, customer, client):
    """A usage invoice fails on a card that attaches but cannot be charged (4000 0000 0000 0341);
    the customer saves a working card on the "Update card" page and the invoice is paid."""
    from billing.services import customers

    user, org = customer
    sub = purchase_plan(store.usage, org, user)
    subscriptions.record_usage(sub, quantity=100, user=user, key="u-1")
    billing_customer = customers.save_card(customers.ensure_customer(org), card("4000000000000341"))
    data = gateway.create_invoice(
        customer_id=billing_customer.stripe_customer_id,
        subscription_id=sub.stripe_subscription_id,
        idempotency_key=token(),
    )
    data = gateway.pay_invoice(data["id"], idempotency_key=token())
    assert data["status"] == "open"
    invoice = subscriptions.apply_invoice(sub, data, failed=True)
    sub.refresh_from_db()
    assert sub.status == Subscription.Status.PAST_DUE and invoice.total == Decimal("50.00")

    client.force_login(user)
    from django.urls import reverse

    url = reverse("purchase:card", kwargs={"public_id": sub.public_id})
    assert 'id="card-element"' in client.get(url).content.decode()
    response = client.post(url, {"payment_method": card()})
    assert response.status_code == 302
    sub.refresh_from_db()
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.PAID and sub.status == Subscription.Status.ACTIVE


def test_a_subscription_stripe_does_not_know_gets_a_clear_message_and_stays(stripe, store, customer):
    """Stripe answers 404 (removed in its dashboard, or demo data that never was there): the
    customer is told so and nothing changes here."""
    from billing.gateway import MISSING, GatewayError

    user, org = customer
    sub = purchase_plan(store.monthly, org, user)
    Subscription.objects.filter(pk=sub.pk).update(stripe_subscription_id="sub_not_in_stripe")
    sub.refresh_from_db()
    with pytest.raises(GatewayError) as excinfo:
        subscriptions.set_cancel_at_period_end(sub, True)
    assert excinfo.value.code == "resource_missing" and excinfo.value.message == str(MISSING)
    sub.refresh_from_db()
    assert sub.cancel_at_period_end is False
