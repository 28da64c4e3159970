"""Posting to the partner ledger (descriptions are references — invoice or statement numbers —
so every language renders them; the kind says what happened). Every write is idempotent per
Stripe object: posting the same paid invoice or refund twice leaves one charge (refund) and
one commission entry.

Entries are inserted with ``INSERT … ON CONFLICT DO NOTHING`` on the
``(kind, stripe_object_id)`` constraint, so a replay inside a webhook transaction neither raises
nor aborts the transaction.
"""

from __future__ import annotations

import logging
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from billing.models.ledger import LedgerEntry, LedgerKind
from billing.services import commission as commission_service
from core.money import quantize

logger = logging.getLogger(__name__)


def invoice_reference(invoice) -> str:
    """The Stripe object a paid invoice posts under (a local key when it has no Stripe id)."""
    return invoice.stripe_invoice_id or invoice.stripe_payment_intent_id or f"invoice:{invoice.pk}"


def _insert(entries: list[LedgerEntry]) -> int:
    """Insert the entries that are not posted yet; returns how many were new."""
    if not entries:
        return 0
    refs = {(e.kind, e.stripe_object_id) for e in entries}
    before = _existing(refs)
    LedgerEntry.objects.bulk_create(entries, ignore_conflicts=True)
    return len(_existing(refs)) - len(before)


def _existing(refs) -> set:
    ids = {ref for _kind, ref in refs}
    return set(
        LedgerEntry.objects.filter(stripe_object_id__in=ids).values_list("kind", "stripe_object_id")
    ) & set(refs)


def paid_entries(invoice, *, rate: Decimal, when=None) -> list[LedgerEntry]:
    """The unsaved charge (+total) and commission (−rate × total) entries of a paid invoice."""
    total = quantize(Decimal(invoice.total), invoice.currency)
    if total <= 0 or invoice.partner_id is None:
        return []
    commission = commission_service.commission_on(total, rate, invoice.currency)
    common = {
        "partner_id": invoice.partner_id,
        "currency": invoice.currency,
        "occurred_at": when or invoice.paid_at or timezone.now(),
        "invoice": invoice,
        "stripe_object_id": invoice_reference(invoice),
    }
    return [
        LedgerEntry(kind=LedgerKind.CHARGE, amount=total, description=invoice.number, **common),
        LedgerEntry(
            kind=LedgerKind.COMMISSION,
            amount=-commission,
            rate=rate,
            description=f"{invoice.number} · {rate * 100:.2f} %",
            **common,
        ),
    ]


def refund_entries(
    invoice, *, amount: Decimal, currency: str, rate: Decimal, reference: str, when
) -> list[LedgerEntry]:
    """The unsaved refund (−amount) and commission-returned (+rate × amount) entries."""
    amount = quantize(Decimal(amount), currency)
    if amount <= 0 or invoice.partner_id is None:
        return []
    common = {
        "partner_id": invoice.partner_id,
        "currency": currency,
        "occurred_at": when,
        "invoice": invoice,
        "stripe_object_id": reference,
    }
    return [
        LedgerEntry(kind=LedgerKind.REFUND, amount=-amount, description=invoice.number, **common),
        LedgerEntry(
            kind=LedgerKind.COMMISSION,
            amount=commission_service.commission_on(amount, rate, currency),
            rate=rate,
            description=f"{invoice.number} · {rate * 100:.2f} %",
            **common,
        ),
    ]


@transaction.atomic
def post_invoice_paid(invoice) -> int:
    """Post a paid invoice: charge and platform commission. Returns how many entries were new
    (0 when it was posted before)."""
    partner = invoice.partner
    if partner is None:
        logger.warning("Invoice %s has no partner: nothing posted to the ledger.", invoice.pk)
        return 0
    return _insert(paid_entries(invoice, rate=commission_service.rate_for(partner)))


def _invoice_rate(invoice, partner) -> Decimal:
    """The rate the invoice's commission was posted at (so a refund reverses exactly that share)."""
    rate = (
        LedgerEntry.objects.filter(invoice=invoice, kind=LedgerKind.COMMISSION, amount__lt=0)
        .values_list("rate", flat=True)
        .first()
    )
    return rate if rate is not None else commission_service.rate_for(partner)


@transaction.atomic
def post_refund(invoice, *, amount: Decimal, currency: str, stripe_refund_id: str, occurred_at=None) -> int:
    """Post a refund and the commission given back on it; idempotent per Stripe refund id."""
    partner = invoice.partner
    if partner is None:
        return 0
    ref = stripe_refund_id or f"refund:{invoice.pk}:{amount}"
    entries = refund_entries(
        invoice,
        amount=amount,
        currency=currency,
        rate=_invoice_rate(invoice, partner),
        reference=ref,
        when=occurred_at or timezone.now(),
    )
    return _insert(entries)


@transaction.atomic
def post_sale(*, partner, amount: Decimal, currency: str, reference: str, description: str, when=None) -> int:
    """Post a one-off sale without an invoice (e.g. a paid project milestone): charge and platform
    commission at the partner's rate, idempotent per ``reference`` (the PaymentIntent id)."""
    amount = quantize(Decimal(amount), currency)
    if amount <= 0:
        return 0
    rate = commission_service.rate_for(partner)
    common = {
        "partner": partner,
        "currency": currency,
        "occurred_at": when or timezone.now(),
        "stripe_object_id": reference,
    }
    return _insert(
        [
            LedgerEntry(kind=LedgerKind.CHARGE, amount=amount, description=description[:255], **common),
            LedgerEntry(
                kind=LedgerKind.COMMISSION,
                amount=-commission_service.commission_on(amount, rate, currency),
                rate=rate,
                description=f"{description[:200]} · {rate * 100:.2f} %",
                **common,
            ),
        ]
    )


@transaction.atomic
def post_adjustment(
    *, partner, amount: Decimal, currency: str, description: str, reference: str = ""
) -> LedgerEntry:
    return LedgerEntry.objects.create(
        partner=partner,
        kind=LedgerKind.ADJUSTMENT,
        amount=quantize(Decimal(amount), currency),
        currency=currency,
        occurred_at=timezone.now(),
        stripe_object_id=reference,
        description=description,
    )


def balance(partner, currency: str) -> Decimal:
    """What the platform owes the partner now in ``currency`` (sum of signed entries)."""
    total = LedgerEntry.objects.filter(partner=partner, currency=currency).aggregate(s=Sum("amount"))["s"]
    return quantize(Decimal(str(total or 0)), currency)


def monthly_chart(partner, *, months: int = 12, today=None) -> dict:
    """Bar chart spec (``themes.charts``) of the partner's sales and commission per month, in CNY
    (USD converted at ``BILLING_USD_CNY_RATE``), for the trailing ``months`` months."""
    from datetime import datetime, time

    from django.db.models.functions import TruncMonth
    from django.utils.translation import gettext as _

    from billing.services.facts import prev_month, to_cny

    today = today or timezone.localdate()
    month_list = [today.replace(day=1)]
    for _n in range(months - 1):
        month_list.insert(0, prev_month(month_list[0]))
    tz = timezone.get_current_timezone()
    start = datetime.combine(month_list[0], time(0), tzinfo=tz)
    rows = (
        LedgerEntry.objects.filter(partner=partner, occurred_at__gte=start)
        .exclude(kind__in=[LedgerKind.PAYOUT, LedgerKind.ADJUSTMENT])
        .annotate(m=TruncMonth("occurred_at", tzinfo=tz))
        .values("m", "kind", "currency")
        .annotate(s=Sum("amount"))
    )
    sales = dict.fromkeys(month_list, Decimal(0))
    fees = dict.fromkeys(month_list, Decimal(0))
    for row in rows:
        month = row["m"].date() if hasattr(row["m"], "date") else row["m"]
        amount = to_cny(Decimal(str(row["s"] or 0)), row["currency"])
        if month not in sales:
            continue
        if row["kind"] == LedgerKind.COMMISSION:
            fees[month] -= amount
        else:
            sales[month] += amount
    return {
        "type": "bar",
        "title": _("Sales and platform commission per month (CNY)"),
        "labels": [f"{m:%Y-%m}" for m in month_list],
        "series": [
            {"name": _("Sales"), "values": [sales[m] for m in month_list]},
            {"name": _("Platform commission"), "values": [fees[m] for m in month_list]},
        ],
        "unit": "",
    }
