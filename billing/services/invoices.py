"""Invoices: mirrored from Stripe (subscriptions) or written by us (one-time purchases).

State moves forward only: once paid, an invoice is never re-opened by an older event. Marking paid,
failed or refunded sends ``invoice_paid`` / ``payment_failed`` / ``invoice_refunded`` synchronously
inside the same transaction, so the ledger's entries commit (or roll back) with it.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from billing import gateway
from billing.models import Invoice, InvoiceLine, Subscription
from billing.signals import invoice_paid, invoice_refunded, payment_failed
from core.money import quantize


def consistent_line(
    quantity: int, unit_amount: Decimal, amount: Decimal, currency: str
) -> tuple[int, Decimal]:
    """(quantity, unit amount) that agree with the line's ``amount``, which is what is charged.

    Stripe gives a proration line the plan's full unit price and the seat count while its amount
    is the prorated (often negative) sum, so "1 × ¥149.00 = −¥447.00" would be printed. Then the
    unit shown is the amount per seat when it divides exactly to the cent; otherwise one unit of
    the whole amount."""
    quantity = max(int(quantity or 1), 1)
    if quantity * unit_amount == amount:
        return quantity, unit_amount
    per_unit = quantize(amount / quantity, currency)
    if per_unit * quantity == amount:
        return quantity, per_unit
    return 1, amount


def new_number() -> str:
    return f"SYM-{timezone.localdate():%Y%m}-{uuid.uuid4().hex[:8].upper()}"


def from_timestamp(value) -> datetime | None:
    if not value:
        return None
    return datetime.fromtimestamp(int(value), tz=UTC)


def _id(value) -> str:
    """A Stripe reference that may be expanded (dict) or not (str)."""
    if isinstance(value, dict):
        return value.get("id") or ""
    return value or ""


def subscription_id_of(data: dict) -> str:
    sub = data.get("subscription")
    if not sub:
        parent = data.get("parent") or {}
        sub = (parent.get("subscription_details") or {}).get("subscription")
    return _id(sub)


def _tax_minor(data: dict) -> int:
    if data.get("tax") is not None:
        return int(data["tax"])
    taxes = data.get("total_taxes") or data.get("total_tax_amounts") or []
    return sum(int(t.get("amount", 0)) for t in taxes)


def _charge_id(data: dict) -> str:
    return _id(data.get("charge"))


def _payment_intent_id(data: dict) -> str:
    pi = _id(data.get("payment_intent"))
    if not pi:
        for payment in (data.get("payments") or {}).get("data", []):
            pi = _id((payment.get("payment") or {}).get("payment_intent"))
            if pi:
                break
    return pi


@transaction.atomic
def sync_stripe_invoice(data: dict, subscription: Subscription) -> Invoice:
    """Create or update our copy of a Stripe invoice for ``subscription`` (idempotent)."""
    currency = (data.get("currency") or subscription.currency).upper()
    minor = lambda value: gateway.minor_to_money(value or 0, currency)  # noqa: E731
    invoice = Invoice.objects.select_for_update().filter(stripe_invoice_id=data["id"]).first()
    lines = (data.get("lines") or {}).get("data", [])
    period = (lines[0].get("period") if lines else None) or {}
    if invoice is None:
        listing = subscription.listing
        invoice = Invoice.objects.create(
            number=data.get("number") or new_number(),
            organisation_id=subscription.organisation_id,
            listing=listing,
            partner_id=listing.partner_id,
            plan_id=subscription.listing_plan_id,
            subscription=subscription,
            currency=currency,
            subtotal=minor(data.get("subtotal")),
            tax=minor(_tax_minor(data)),
            total=minor(data.get("total")),
            status=Invoice.Status.DRAFT if data.get("status") == "draft" else Invoice.Status.OPEN,
            stripe_invoice_id=data["id"],
            billing_reason=data.get("billing_reason") or "",
            period_start=from_timestamp(period.get("start") or data.get("period_start")),
            period_end=from_timestamp(period.get("end") or data.get("period_end")),
            issued_at=from_timestamp(data.get("created")) or timezone.now(),
        )
        if invoice.subtotal and invoice.tax:
            invoice.tax_rate_percentage = quantize(invoice.tax * 100 / invoice.subtotal, "CNY")
            invoice.save(update_fields=["tax_rate_percentage"])
        new_lines = []
        for line in lines:
            price = line.get("plan") or line.get("price")
            amount = minor(line.get("amount"))
            quantity, unit_amount = consistent_line(
                int(line.get("quantity") or 1),
                minor(price.get("amount") or 0) if price else amount,
                amount,
                currency,
            )
            new_lines.append(
                InvoiceLine(
                    invoice=invoice,
                    description=(line.get("description") or subscription.plan_name)[:255],
                    quantity=quantity,
                    unit_amount=unit_amount,
                    amount=amount,
                    proration=bool(line.get("proration")),
                    period_start=from_timestamp((line.get("period") or {}).get("start")),
                    period_end=from_timestamp((line.get("period") or {}).get("end")),
                    stripe_line_id=line.get("id") or "",
                )
            )
        InvoiceLine.objects.bulk_create(new_lines)
    charge = _charge_id(data)
    pi = _payment_intent_id(data)
    changed = []
    if charge and invoice.stripe_charge_id != charge:
        invoice.stripe_charge_id = charge
        changed.append("stripe_charge_id")
    if pi and invoice.stripe_payment_intent_id != pi:
        invoice.stripe_payment_intent_id = pi
        changed.append("stripe_payment_intent_id")
    if changed:
        invoice.save(update_fields=[*changed, "updated_at"])
    status = data.get("status")
    if status == "paid" or (data.get("paid") and status not in ("void", "uncollectible")):
        paid_at = from_timestamp((data.get("status_transitions") or {}).get("paid_at"))
        mark_paid(invoice, paid_at=paid_at)
    elif status == "open" and invoice.status == Invoice.Status.DRAFT:
        _set_status(invoice, Invoice.Status.OPEN)
    elif status == "void":
        _set_status(invoice, Invoice.Status.VOID)
    elif status == "uncollectible":
        _set_status(invoice, Invoice.Status.UNCOLLECTIBLE)
    invoice.refresh_from_db()
    return invoice


def _set_status(invoice: Invoice, status: str) -> None:
    if invoice.is_paid or invoice.status == status:
        return
    invoice.status = status
    invoice.save(update_fields=["status", "updated_at"])


@transaction.atomic
def mark_paid(invoice: Invoice, *, paid_at=None) -> bool:
    """Mark paid once (True) — a replay finds it paid and does nothing (False)."""
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if invoice.is_paid:
        return False
    invoice.status = Invoice.Status.PAID
    invoice.paid_at = paid_at or timezone.now()
    invoice.save(update_fields=["status", "paid_at", "updated_at"])
    invoice_paid.send(sender=Invoice, invoice=invoice)
    return True


@transaction.atomic
def mark_failed(invoice: Invoice, *, attempt_count: int | None = None) -> bool:
    """Record a failed payment attempt (True when it is news: a new attempt or first failure)."""
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if invoice.is_paid:
        return False
    attempts = attempt_count if attempt_count is not None else invoice.attempt_count + 1
    if invoice.failed_at is not None and attempts <= invoice.attempt_count:
        return False
    invoice.failed_at = timezone.now()
    invoice.attempt_count = max(attempts, 1)
    invoice.status = Invoice.Status.OPEN
    invoice.save(update_fields=["failed_at", "attempt_count", "status", "updated_at"])
    payment_failed.send(sender=Invoice, invoice=invoice)
    return True


@transaction.atomic
def record_refund(invoice: Invoice, *, amount_refunded_total: Decimal, stripe_refund_id: str) -> Decimal:
    """Apply Stripe's running refunded total; sends ``invoice_refunded`` for the new part only."""
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    delta = quantize(amount_refunded_total - invoice.amount_refunded, invoice.currency)
    if delta <= 0:
        return Decimal("0")
    invoice.amount_refunded = quantize(amount_refunded_total, invoice.currency)
    invoice.status = (
        Invoice.Status.REFUNDED
        if invoice.amount_refunded >= invoice.total
        else Invoice.Status.PARTIALLY_REFUNDED
    )
    invoice.save(update_fields=["amount_refunded", "status", "updated_at"])
    invoice_refunded.send(
        sender=Invoice,
        invoice=invoice,
        amount=delta,
        currency=invoice.currency,
        stripe_refund_id=stripe_refund_id,
    )
    return delta


def refund(invoice: Invoice, amount: Decimal | None = None, *, key: str = "") -> Decimal:
    """Refund (part of) a paid invoice through Stripe and record it."""
    amount = quantize(
        amount if amount is not None else invoice.total - invoice.amount_refunded, invoice.currency
    )
    if not invoice.is_paid or amount <= 0 or amount > invoice.total - invoice.amount_refunded:
        raise ValueError("Nothing to refund.")
    data = gateway.create_refund(
        charge_id=invoice.stripe_charge_id,
        payment_intent_id=invoice.stripe_payment_intent_id,
        amount=amount,
        currency=invoice.currency,
        idempotency_key=key or f"symbio-refund-{invoice.pk}-{invoice.amount_refunded}-{amount}",
    )
    return record_refund(
        invoice, amount_refunded_total=invoice.amount_refunded + amount, stripe_refund_id=data.get("id", "")
    )


@transaction.atomic
def record_one_time(
    subscription: Subscription, *, intent: dict, subtotal: Decimal, tax: Decimal, rate
) -> Invoice:
    """Our invoice for a one-time purchase paid with a PaymentIntent (paid at once)."""
    invoice = Invoice.objects.filter(stripe_payment_intent_id=intent["id"]).first()
    if invoice is None:
        now = timezone.now()
        invoice = Invoice.objects.create(
            number=new_number(),
            organisation_id=subscription.organisation_id,
            listing_id=subscription.listing_id,
            partner_id=subscription.listing.partner_id,
            plan_id=subscription.listing_plan_id,
            subscription=subscription,
            currency=subscription.currency,
            subtotal=subtotal,
            tax=tax,
            total=subtotal + tax,
            tax_rate_percentage=rate.percentage if rate else None,
            status=Invoice.Status.OPEN,
            stripe_payment_intent_id=intent["id"],
            stripe_charge_id=_id(intent.get("latest_charge")),
            billing_reason="one_time",
            period_start=now,
            issued_at=now,
        )
        InvoiceLine.objects.create(
            invoice=invoice,
            description=subscription.plan_name_en or subscription.plan_name,
            quantity=subscription.quantity,
            unit_amount=subscription.unit_amount,
            amount=subtotal,
        )
    if intent.get("status") == "succeeded":
        mark_paid(invoice)
    return invoice
