"""Posting to the incentive ledger, and the balances read from it.

The ledger is append-only and the only source of balances: ``balance(partner, pool)`` is the
sum of the partner's entries in that pool; nothing else stores a balance. Each posting has a
reference unique per kind, so a replay cannot post twice.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from wagtail.log_actions import log

from core.money import quantize
from incentives.models import IncentiveLedgerEntry, IncentivePool, LedgerKind
from incentives.signals import entries_posted

LOG_POOL_EXPIRED = "incentives.pool_expired"


def _entry(partner, pool, kind, amount, reference, *, fund_request=None, user=None) -> IncentiveLedgerEntry:
    return IncentiveLedgerEntry(
        partner=partner,
        pool=pool,
        kind=kind,
        amount=quantize(Decimal(amount), pool.currency),
        currency=pool.currency,
        reference=reference,
        fund_request=fund_request,
        created_by=user if user is not None and user.is_authenticated else None,
    )


def post(*, partner, pool, kind: str, amount: Decimal, reference: str, fund_request=None, user=None):
    """Append one entry (or return the one already posted under ``(kind, reference)``)."""
    existing = IncentiveLedgerEntry.objects.filter(kind=kind, reference=reference).first()
    if existing is not None:
        return existing
    entry = _entry(partner, pool, kind, amount, reference, fund_request=fund_request, user=user)
    entry.full_clean()
    entry.save()
    return entry


def post_many(*, pool, kind: str, rows: list[tuple], user=None) -> list[IncentiveLedgerEntry]:
    """:func:`post` of many entries in ``pool`` at once — ``(partner, amount, reference)`` rows —
    with one query for the references already posted and one insert (the entries are checked
    field by field; their partner, pool and user come from rows already read). Sends
    ``entries_posted`` with the new entries instead of one ``post_save`` each. Returns the new
    entries (a reference already posted is skipped, as :func:`post` returns it)."""
    posted = set(
        IncentiveLedgerEntry.objects.filter(kind=kind, reference__in=[row[2] for row in rows]).values_list(
            "reference", flat=True
        )
    )
    entries = []
    for partner, amount, reference in rows:
        if reference in posted:
            continue
        posted.add(reference)
        entry = _entry(partner, pool, kind, amount, reference, user=user)
        entry.clean_fields(exclude=["partner", "pool", "fund_request", "created_by"])
        entries.append(entry)
    IncentiveLedgerEntry.objects.bulk_create(entries, batch_size=2000)
    if entries:
        entries_posted.send(sender=IncentiveLedgerEntry, entries=entries)
    return entries


def balance(*, partner, pool) -> Decimal:
    """What the partner may still spend from the pool: the sum of its entries."""
    total = IncentiveLedgerEntry.objects.filter(partner=partner, pool=pool).aggregate(s=Sum("amount"))["s"]
    return _as_balance(total, pool.currency)


def balances(*, partner_ids, pool_ids) -> dict[tuple[int, int], Decimal]:
    """:func:`balance` of every ``(partner id, pool id)`` pair with entries, in one query (amounts
    in each pool's currency)."""
    rows = (
        IncentiveLedgerEntry.objects.filter(partner_id__in=partner_ids, pool_id__in=pool_ids)
        .values("partner_id", "pool_id", "pool__currency")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    return {(r["partner_id"], r["pool_id"]): _as_balance(r["total"], r["pool__currency"]) for r in rows}


def _as_balance(total, currency: str) -> Decimal:
    return quantize(Decimal(total or 0), currency)


def totals_by_kind(*, partner, pool) -> dict[str, Decimal]:
    rows = (
        IncentiveLedgerEntry.objects.filter(partner=partner, pool=pool)
        .values("kind")
        .annotate(s=Sum("amount"))
        .order_by()
    )
    out = {kind: Decimal("0.00") for kind in LedgerKind.values}
    out.update({row["kind"]: quantize(row["s"], pool.currency) for row in rows})
    return out


def entries(*, partner, pool):
    return IncentiveLedgerEntry.objects.filter(partner=partner, pool=pool).order_by("created_at", "pk")


def expire_remaining(*, partner, pool, reference: str, user=None):
    """Post the expiry of whatever the partner still has in an expired pool."""
    remaining = balance(partner=partner, pool=pool)
    if remaining > 0:
        return post(
            partner=partner,
            pool=pool,
            kind=LedgerKind.EXPIRY,
            amount=-remaining,
            reference=reference,
            user=user,
        )
    return None


@transaction.atomic
def expire_pool(*, pool: IncentivePool, user=None, today=None) -> int:
    """At the end of the period, unused allocation expires: one expiry entry per partner with
    a positive balance. Amounts still held by open requests expire when they are released."""
    pool = IncentivePool.objects.select_for_update().get(pk=pool.pk)
    today = today or timezone.localdate()
    if pool.status != IncentivePool.Status.PUBLISHED or today <= pool.period_end:
        return 0
    posted = 0
    for allocation in pool.allocations.select_related("partner"):
        entry = expire_remaining(
            partner=allocation.partner,
            pool=pool,
            reference=f"pool:{pool.public_id}:{allocation.partner_id}",
            user=user,
        )
        posted += entry is not None
    pool.status = IncentivePool.Status.EXPIRED
    pool.expired_at = timezone.now()
    pool.save(update_fields=["status", "expired_at", "updated_at"])
    log(instance=pool, action=LOG_POOL_EXPIRED, user=user, data={"entries": posted})
    return posted


def expire_ended_pools(*, today=None) -> int:
    today = today or timezone.localdate()
    return sum(
        expire_pool(pool=pool, today=today)
        for pool in IncentivePool.objects.filter(status=IncentivePool.Status.PUBLISHED, period_end__lt=today)
    )
