"""Checkout and subscription changes: buy, change plan or seats, cancel, resume, usage, dunning.

A purchase runs in one transaction around the Stripe calls: when Stripe refuses the card or cannot
be reached, the transaction rolls back and nothing is left half-written (the Stripe customer,
created in its own transaction beforehand, is the only thing kept). The form's one-time token is
the subscription's idempotency key: a double-click finds the first subscription, and its Stripe
calls reuse the same idempotency keys.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from billing import gateway
from billing.models import BillingSettings, Interval, Invoice, PlanPrice, Subscription, Trial, UsageRecord
from billing.services import customers, entitlements, invoices, plans
from core.exceptions import ApplicationError
from core.money import Currency, quantize
from core.tasks import enqueue_on_commit

Status = Subscription.Status

STRIPE_STATUSES = {
    "active": Status.ACTIVE,
    "trialing": Status.ACTIVE,
    "past_due": Status.PAST_DUE,
    "unpaid": Status.PAST_DUE,
    "canceled": Status.CANCELED,
    "incomplete_expired": Status.CANCELED,
    "incomplete": Status.INCOMPLETE,
}


class PurchaseError(ApplicationError):
    """A purchase or change refused for a reason the customer should read."""

    code = "purchase_refused"


# --- applying Stripe's view -------------------------------------------------------------------


def _period(data: dict) -> tuple:
    start, end = data.get("current_period_start"), data.get("current_period_end")
    if not start:  # newer API versions keep the period on the item
        items = (data.get("items") or {}).get("data") or [{}]
        start, end = items[0].get("current_period_start"), items[0].get("current_period_end")
    return invoices.from_timestamp(start), invoices.from_timestamp(end)


@transaction.atomic
def apply_stripe_subscription(subscription: Subscription, data: dict, *, as_of=None) -> Subscription:
    """Apply a Stripe subscription snapshot unless a newer one was applied already."""
    subscription = Subscription.objects.select_for_update().select_related("price").get(pk=subscription.pk)
    as_of = (as_of or timezone.now()).replace(microsecond=0)  # Stripe's clock has whole seconds
    new_status = STRIPE_STATUSES.get(data.get("status") or "", subscription.status)
    if (
        subscription.stripe_synced_at
        and as_of < subscription.stripe_synced_at
        and new_status != Status.CANCELED
    ):
        return subscription  # an older snapshot arriving late (a cancellation is final whenever it comes)
    if subscription.status == Status.SUSPENDED and new_status == Status.PAST_DUE:
        new_status = Status.SUSPENDED  # suspension is ours (grace period over)
    if (
        subscription.status in (Status.ACTIVE, Status.PAST_DUE, Status.SUSPENDED)
        and new_status == Status.INCOMPLETE
    ):
        new_status = subscription.status  # never back to "awaiting payment"
    if subscription.status == Status.CANCELED:
        new_status = Status.CANCELED  # cancellation is final
    start, end = _period(data)
    subscription.status = new_status
    subscription.stripe_synced_at = as_of
    subscription.cancel_at_period_end = bool(data.get("cancel_at_period_end"))
    if start:
        subscription.current_period_start, subscription.current_period_end = start, end
    if not subscription.stripe_subscription_id and data.get("id"):
        subscription.stripe_subscription_id = data["id"]
    items = (data.get("items") or {}).get("data") or []
    if items and items[0].get("id"):
        subscription.stripe_item_id = items[0]["id"]
    if new_status == Status.CANCELED and subscription.canceled_at is None:
        subscription.canceled_at = (
            invoices.from_timestamp(data.get("ended_at") or data.get("canceled_at")) or as_of
        )
    if new_status == Status.PAST_DUE and subscription.past_due_since is None:
        subscription.past_due_since = as_of
    if new_status == Status.ACTIVE:
        subscription.past_due_since = None
    subscription.save()
    entitlements.sync_for_subscription(subscription)
    if new_status in (Status.ACTIVE, Status.PAST_DUE) and subscription.from_trial_id:
        from billing.services import trials

        trials.mark_converted(subscription)
    return subscription


@transaction.atomic
def apply_invoice(subscription: Subscription, data: dict, *, failed: bool = False) -> Invoice:
    """Sync an invoice of the subscription and move the subscription accordingly."""
    invoice = invoices.sync_stripe_invoice(data, subscription)
    subscription = Subscription.objects.select_for_update().get(pk=subscription.pk)
    if invoice.is_paid:
        if subscription.status in (Status.INCOMPLETE, Status.PAST_DUE, Status.SUSPENDED):
            subscription.status = Status.ACTIVE
            subscription.past_due_since = None
            subscription.save(update_fields=["status", "past_due_since", "updated_at"])
            entitlements.sync_for_subscription(subscription)
            if subscription.from_trial_id:
                from billing.services import trials

                trials.mark_converted(subscription)
    elif failed and invoices.mark_failed(invoice, attempt_count=data.get("attempt_count")):
        if subscription.status == Status.ACTIVE:
            subscription.status = Status.PAST_DUE
            subscription.past_due_since = subscription.past_due_since or timezone.now()
            subscription.save(update_fields=["status", "past_due_since", "updated_at"])
            entitlements.sync_for_subscription(subscription)
        enqueue_on_commit("billing.send_payment_failed_email", invoice.pk)
    return invoice


# --- buying -----------------------------------------------------------------------------------


def _tax(currency: str):
    rate = BillingSettings.load().tax_rate_for(currency)
    return rate


def _check_can_buy(organisation, listing, *, one_time: bool) -> None:
    if not listing.live or listing.delisted_at is not None:
        raise PurchaseError(_("This listing is not available for purchase."))
    if listing.partner_id and listing.partner.organisation_id == organisation.pk:
        raise PurchaseError(_("You cannot buy your own organisation's listing."))
    if (
        not one_time
        and Subscription.objects.filter(
            organisation=organisation,
            listing=listing,
            interval__in=(Interval.MONTH, Interval.YEAR),
            status__in=(Status.ACTIVE, Status.PAST_DUE, Status.SUSPENDED),
        ).exists()
    ):
        raise PurchaseError(
            _("Your organisation already subscribes to this listing: change its plan in My subscriptions.")
        )


def purchase(
    *,
    organisation,
    user,
    listing_plan=None,
    currency: str = Currency.CNY,
    quantity: int = 1,
    payment_method_id: str,
    token: str,
    offer=None,
    trial: Trial | None = None,
) -> Subscription:
    """Buy a plan (or accept a private offer) with a card. Raises ``PurchaseError`` or the gateway's
    ``CardDeclined`` / ``PaymentUnavailable``; on any error nothing of the purchase is kept."""
    if not token or len(token) > 80:
        raise PurchaseError(_("This form has expired. Reload the page and try again."))
    existing = Subscription.objects.filter(idempotency_key=token).first()
    if existing is not None:
        if existing.organisation_id != organisation.pk:
            raise PurchaseError(_("This form has expired. Reload the page and try again."))
        return existing  # a double-click or a retried request
    if offer is not None:
        if offer.organisation_id != organisation.pk or not offer.is_acceptable:
            raise PurchaseError(_("This offer has expired or is no longer open."))
        price = plans.price_for_offer(offer)
        listing, listing_plan, quantity = offer.listing, offer.listing_plan, offer.quantity
        name, name_en = offer.title, offer.title_en
    else:
        if listing_plan is None or not listing_plan.is_paid:
            raise PurchaseError(_("This plan cannot be bought."))
        try:
            price = plans.price_for(listing_plan, currency)
        except plans.PlanNotForSale:
            raise PurchaseError(
                _("This plan has no price in %(currency)s.") % {"currency": currency}
            ) from None
        listing = listing_plan.listing
        name, name_en = listing_plan.name, listing_plan.name_en
    if not price.per_seat and offer is None:
        quantity = 1
    if not 1 <= int(quantity) <= 10000:
        raise PurchaseError(_("Choose between 1 and 10,000 seats."))
    _check_can_buy(organisation, listing, one_time=not price.is_recurring)
    if not payment_method_id:
        raise PurchaseError(_("Enter your card details."))

    customer = customers.ensure_customer(organisation, email=getattr(user, "email", ""))
    with transaction.atomic():
        subscription, created = Subscription.objects.get_or_create(
            idempotency_key=token,
            defaults={
                "organisation": organisation,
                "listing": listing,
                "listing_plan": listing_plan,
                "price": price,
                "private_offer": offer,
                "plan_name": name,
                "plan_name_en": name_en,
                "currency": price.currency,
                "unit_amount": price.unit_amount,
                "interval": price.interval,
                "quantity": int(quantity),
                "started_by": user if getattr(user, "is_authenticated", False) else None,
                "from_trial": trial,
            },
        )
        if not created:
            return subscription
        customers.save_card(customer, payment_method_id)
        if price.is_recurring:
            _start_recurring(subscription, customer, price, token)
        else:
            _pay_once(subscription, customer, price, token)
        if offer is not None:
            from billing.services import offers

            offers.mark_accepted(offer, user=user, subscription=subscription)
    return Subscription.objects.get(pk=subscription.pk)


def _start_recurring(subscription: Subscription, customer, price: PlanPrice, token: str) -> None:
    rate = _tax(price.currency)
    data = gateway.create_subscription(
        customer_id=customer.stripe_customer_id,
        price_id=price.stripe_price_id,
        quantity=subscription.quantity,
        tax_rate_ids=[plans.stripe_tax_rate_id(rate)] if rate else [],
        metadata={"symbio_subscription": str(subscription.public_id)},
        idempotency_key=f"symbio-sub-{token}",
    )
    Subscription.objects.filter(pk=subscription.pk).update(stripe_subscription_id=data["id"])
    subscription.stripe_subscription_id = data["id"]
    latest = data.get("latest_invoice")
    if isinstance(latest, str) and latest:
        latest = gateway.retrieve_invoice(latest)
    if data.get("status") not in ("active", "trialing"):
        # error_if_incomplete should have raised already; never keep an unpaid subscription.
        gateway.cancel_subscription_now(data["id"])
        raise gateway.CardDeclined()
    apply_stripe_subscription(subscription, data)
    if isinstance(latest, dict) and latest.get("id"):
        apply_invoice(subscription, latest)


def _pay_once(subscription: Subscription, customer, price: PlanPrice, token: str) -> None:
    rate = _tax(price.currency)
    subtotal = quantize(price.unit_amount * subscription.quantity, price.currency)
    tax = Decimal("0")
    if rate and not rate.inclusive:
        tax = quantize(subtotal * rate.percentage / 100, price.currency)
    intent = gateway.create_payment(
        customer_id=customer.stripe_customer_id,
        payment_method_id=customer.default_payment_method_id,
        amount=subtotal + tax,
        currency=price.currency,
        description=subscription.plan_name_en or subscription.plan_name,
        metadata={"symbio_subscription": str(subscription.public_id)},
        idempotency_key=f"symbio-pay-{token}",
    )
    Subscription.objects.filter(pk=subscription.pk).update(
        stripe_payment_intent_id=intent["id"], status=Status.COMPLETED, current_period_start=timezone.now()
    )
    subscription.refresh_from_db()
    invoices.record_one_time(subscription, intent=intent, subtotal=subtotal, tax=tax, rate=rate)
    entitlements.sync_for_subscription(subscription)
    if subscription.from_trial_id:
        from billing.services import trials

        trials.mark_converted(subscription)


# --- changes ----------------------------------------------------------------------------------


def _require_recurring(subscription: Subscription) -> None:
    if not subscription.is_recurring or not subscription.stripe_subscription_id:
        raise PurchaseError(_("Only subscriptions can be changed."))
    if subscription.status not in (Status.ACTIVE, Status.PAST_DUE):
        raise PurchaseError(_("Only an active subscription can be changed."))


def change(
    subscription: Subscription, *, listing_plan=None, quantity: int | None = None, token: str
) -> Subscription:
    """Upgrade/downgrade (another plan of the same listing) and/or change seats, with proration."""
    _require_recurring(subscription)
    if subscription.private_offer_id:
        raise PurchaseError(
            _("A private offer's terms cannot be changed here; ask the partner for a new offer.")
        )
    price = subscription.price
    if listing_plan is not None and listing_plan.pk != subscription.listing_plan_id:
        if listing_plan.listing_id != subscription.listing_id:
            raise PurchaseError(_("Choose a plan of the same listing."))
        try:
            price = plans.price_for(listing_plan, subscription.currency)
        except plans.PlanNotForSale:
            raise PurchaseError(
                _("This plan cannot be bought in %(currency)s.") % {"currency": subscription.currency}
            ) from None
        if not price.is_recurring:
            raise PurchaseError(_("Choose a subscription plan."))
    quantity = int(quantity or subscription.quantity)
    if not price.per_seat:
        quantity = 1
    if not 1 <= quantity <= 10000:
        raise PurchaseError(_("Choose between 1 and 10,000 seats."))
    if price.pk == subscription.price_id and quantity == subscription.quantity:
        return subscription
    customer = customers.ensure_customer(subscription.organisation)
    with transaction.atomic():
        subscription = Subscription.objects.select_for_update().get(pk=subscription.pk)
        invoice = gateway.change_subscription(
            subscription_id=subscription.stripe_subscription_id,
            item_id=subscription.stripe_item_id,
            price_id=price.stripe_price_id,
            quantity=quantity,
            customer_id=customer.stripe_customer_id,
            idempotency_key=f"symbio-change-{token}",
        )
        if price.pk != subscription.price_id:
            plan = price.listing_plan
            subscription.price = price
            subscription.listing_plan = plan
            subscription.plan_name = plan.name if plan else subscription.plan_name
            subscription.plan_name_en = plan.name_en if plan else subscription.plan_name_en
            subscription.unit_amount = price.unit_amount
            subscription.interval = price.interval
        subscription.quantity = quantity
        subscription.save()
        entitlements.sync_for_subscription(subscription)
        if invoice and invoice.get("id"):
            apply_invoice(subscription, invoice)
    return subscription


def set_cancel_at_period_end(subscription: Subscription, cancel: bool, *, token: str = "") -> Subscription:
    """Cancel at the end of the paid period (``cancel=True``) or resume (``False``)."""
    _require_recurring(subscription)
    data = gateway.set_cancel_at_period_end(
        subscription.stripe_subscription_id,
        cancel,
        idempotency_key=f"symbio-cancel-{subscription.pk}-{int(cancel)}-{token or uuid.uuid4().hex}",
    )
    Subscription.objects.filter(pk=subscription.pk).update(
        cancel_at_period_end=bool(data.get("cancel_at_period_end", cancel))
    )
    subscription.refresh_from_db()
    return subscription


@transaction.atomic
def record_usage(
    subscription: Subscription, *, quantity: int, user=None, key: str, note: str = "", day=None
) -> UsageRecord:
    """Metered usage reported by the partner: stored, and charged on the next invoice (idempotent by key)."""
    if not subscription.is_metered:
        raise PurchaseError(_("This subscription is not usage-based."))
    if subscription.status not in (Status.ACTIVE, Status.PAST_DUE):
        raise PurchaseError(_("Usage can only be reported for an active subscription."))
    if not isinstance(quantity, int) or quantity <= 0 or quantity > 10**9:
        raise PurchaseError(_("Enter a whole number of units above zero."))
    if not key or len(key) > 80:
        raise PurchaseError(_("Give each usage report a unique key (at most 80 characters)."))
    existing = UsageRecord.objects.filter(idempotency_key=key).first()
    if existing:
        if existing.subscription_id != subscription.pk:
            raise PurchaseError(_("This key was already used for another subscription."))
        return existing
    record = UsageRecord.objects.create(
        subscription=subscription,
        quantity=quantity,
        occurred_on=day or timezone.localdate(),
        note=note[:200],
        reported_by=user,
        idempotency_key=key,
    )
    customer = customers.ensure_customer(subscription.organisation)
    gateway.create_usage_charge(
        customer_id=customer.stripe_customer_id,
        subscription_id=subscription.stripe_subscription_id,
        amount=quantize(subscription.unit_amount * quantity, subscription.currency),
        currency=subscription.currency,
        description=f"{subscription.t_plan_name}: {quantity} x {subscription.unit_price}",
        idempotency_key=f"symbio-usage-{key}",
    )
    return record


# --- dunning ----------------------------------------------------------------------------------


def suspend_overdue(now=None) -> int:
    """Suspend subscriptions still past due after the grace period (beat task). Returns how many."""
    now = now or timezone.now()
    grace = timedelta(days=BillingSettings.load().payment_grace_days)
    count = 0
    for pk in Subscription.objects.filter(
        status=Status.PAST_DUE, past_due_since__lte=now - grace
    ).values_list("pk", flat=True):
        with transaction.atomic():
            sub = Subscription.objects.select_for_update().get(pk=pk)
            if sub.status != Status.PAST_DUE:
                continue
            sub.status = Status.SUSPENDED
            sub.save(update_fields=["status", "updated_at"])
            entitlements.sync_for_subscription(sub)
            count += 1
    return count


def update_card_and_pay(subscription: Subscription, *, payment_method_id: str) -> int:
    """Save a new card and retry the subscription's unpaid invoices with it; returns how many were paid.

    A declined card raises ``CardDeclined`` (the old card stays the default)."""
    customer = customers.ensure_customer(subscription.organisation)
    customers.save_card(customer, payment_method_id)
    paid = 0
    for invoice in Invoice.objects.filter(
        subscription=subscription, status=Invoice.Status.OPEN, stripe_invoice_id__isnull=False
    ).order_by("issued_at"):
        data = gateway.pay_invoice(
            invoice.stripe_invoice_id, idempotency_key=f"symbio-retry-{invoice.pk}-{payment_method_id}"
        )
        invoice = apply_invoice(subscription, data, failed=data.get("status") != "paid")
        paid += int(invoice.is_paid)
    return paid
