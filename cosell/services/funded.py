"""Deals tied to a funded marketing activity: a registration may carry the reference of one of
the partner's fund requests (``fund_request_ref``, the public id shown on the request in the
incentives console). Its pipeline (the estimated value, from submission on, withdrawn if it is
rejected) and the revenue attributed to it (each paid invoice) are announced through
``partners.outcome_signals.funded_outcome``; incentives keeps them when the reference names a
funded request of the same partner. Cosell never imports incentives."""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone

from cosell.models import Attribution, DealRegistration, Status
from partners.outcome_signals import funded_outcome

SOURCE = "cosell"
NO_PIPELINE = (Status.DRAFT, Status.REJECTED)


def announce_pipeline(registration: DealRegistration, *, previous_ref: str = "") -> None:
    """The registration's pipeline for its activity (0 withdraws it: a draft, a rejection, or
    the reference removed — ``previous_ref`` withdraws from the activity it was tied to)."""
    key = f"{SOURCE}:registration:{registration.public_id}"
    ref = (registration.fund_request_ref or "").strip()
    if not ref and not previous_ref:
        return
    amount = Decimal(0) if registration.status in NO_PIPELINE or not ref else registration.estimated_value
    funded_outcome.send(
        sender=DealRegistration,
        partner=registration.partner,
        reference=ref,
        source=SOURCE,
        key=key,
        kind="pipeline",
        amount=amount,
        currency=registration.currency,
        occurred_on=timezone.localdate(registration.submitted_at or timezone.now()),
        label=registration.customer_display,
    )


def announce_revenue(attribution: Attribution) -> None:
    registration = attribution.registration
    ref = (registration.fund_request_ref or "").strip()
    if not ref:
        return
    funded_outcome.send(
        sender=DealRegistration,
        partner=registration.partner,
        reference=ref,
        source=SOURCE,
        key=f"{SOURCE}:attribution:{attribution.invoice_id}",
        kind="revenue",
        amount=attribution.amount,
        currency=attribution.currency,
        occurred_on=timezone.localdate(),
        label=registration.customer_display,
    )
