"""Price previews shown before a customer confirms a subscription change or a cancellation.

Computed from **our own prices and the subscription's current period**, not from Stripe's
upcoming invoice: localstripe's ``/v1/invoices/upcoming`` credits the whole previous invoice as
"Unused time" whatever the date (no time-based proration), so it cannot preview what Stripe
charges. Stripe prorates by the second; we prorate by the remaining share of the period, which
agrees to the cent for whole days and is labelled an estimate ("before tax, estimated").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.utils import timezone

from billing.models import PlanPrice, Subscription
from core.money import Money, quantize


@dataclass(frozen=True)
class ChangePreview:
    old_per_period: Money
    new_per_period: Money
    credit: Money  # unused time of the current plan and seats (negative)
    charge: Money  # the new plan and seats for the rest of the period
    due_now: Money  # credit + charge: charged now if positive, credited to the next invoice if negative
    remaining: Decimal  # share of the current period left, 0..1
    period_end: datetime | None


def remaining_share(subscription: Subscription, now: datetime | None = None) -> Decimal:
    start, end = subscription.current_period_start, subscription.current_period_end
    if not start or not end or end <= start:
        return Decimal(0)
    now = now or timezone.now()
    left = (end - max(now, start)).total_seconds()
    return min(max(Decimal(str(left)) / Decimal(str((end - start).total_seconds())), Decimal(0)), Decimal(1))


def change_preview(
    subscription: Subscription, *, price: PlanPrice, quantity: int, now: datetime | None = None
) -> ChangePreview:
    currency = subscription.currency
    share = remaining_share(subscription, now)
    old = subscription.unit_amount * subscription.quantity
    new = price.unit_amount * quantity
    credit = -quantize(old * share, currency)
    charge = quantize(new * share, currency)
    return ChangePreview(
        old_per_period=Money(old, currency),
        new_per_period=Money(new, currency),
        credit=Money(credit, currency),
        charge=Money(charge, currency),
        due_now=Money(credit + charge, currency),
        remaining=share,
        period_end=subscription.current_period_end,
    )
