"""Allocating a pool over the eligible partners, exact to the cent.

Weight of a partner = tier weight × health composite × region class weight. Shares are
computed in minor units by the largest-remainder method with exact fractions: every partner
gets the floor of its exact quota, and the cents left over go one each to the largest
remainders, ties settled by the lower partner id. So the allocations always sum to the pool
amount and none is negative.

Staff preview the allocation (draft rows, recomputed at will), then publish it: one
allocation entry per partner in the incentive ledger, audited in Wagtail's log.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from django.db import transaction
from django.db.models import Exists, Max, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from core.exceptions import ApplicationError, NotAllowed
from core.money import from_minor_units, to_minor_units
from health.models import AtRiskFlag, HealthSnapshot
from incentives.models import Allocation, IncentivePool, LedgerKind
from incentives.services import ledger
from partners.models import Partner

LOG_POOL_PREVIEWED = "incentives.pool_previewed"
LOG_POOL_PUBLISHED = "incentives.pool_published"


def largest_remainder(total: Decimal, weights: dict[int, Decimal], currency: str) -> dict[int, Decimal]:
    """Split ``total`` over ``weights`` (key → non-negative weight) exactly to the minor unit."""
    if any(w < 0 for w in weights.values()):
        raise ValueError("Weights must not be negative.")
    total_minor = to_minor_units(total, currency)
    weight_sum = sum((Fraction(w) for w in weights.values()), Fraction(0))
    if total_minor < 0:
        raise ValueError("The total must not be negative.")
    if not weights or weight_sum == 0:
        if total_minor == 0:
            return {key: from_minor_units(0, currency) for key in weights}
        raise ValueError("Nothing to allocate over: every weight is zero.")
    floors: dict[int, int] = {}
    remainders: dict[int, Fraction] = {}
    for key, weight in weights.items():
        quota = Fraction(total_minor) * Fraction(weight) / weight_sum
        floors[key] = quota.numerator // quota.denominator
        remainders[key] = quota - floors[key]
    left = total_minor - sum(floors.values())
    for key in sorted(weights, key=lambda k: (-remainders[k], k))[:left]:
        floors[key] += 1
    return {key: from_minor_units(value, currency) for key, value in floors.items()}


def open_flag_month():
    """The month whose unacknowledged at-risk flags are open (as on the health dashboard):
    the latest health month, else the latest flagged month."""
    return (
        HealthSnapshot.objects.aggregate(m=Max("month"))["m"]
        or AtRiskFlag.objects.aggregate(m=Max("month"))["m"]
    )


def eligible_partners(pool: IncentivePool):
    """Active partners of the pool's kinds at or above its minimum tier, without an open
    (unacknowledged) at-risk flag when the pool excludes them; annotated with ``latest_health``."""
    qs = Partner.objects.filter(status=Partner.Status.ACTIVE, kind__in=pool.kinds)
    if pool.min_tier_rank > 0:
        qs = qs.filter(tier__rank__gte=pool.min_tier_rank)
    if pool.exclude_at_risk and (month := open_flag_month()) is not None:
        qs = qs.exclude(
            Exists(AtRiskFlag.objects.filter(partner=OuterRef("pk"), month=month, acknowledged_at=None))
        )
    latest = HealthSnapshot.objects.filter(partner=OuterRef("pk")).order_by("-month").values("composite")[:1]
    return (
        qs.annotate(latest_health=Subquery(latest))
        .select_related("tier", "organisation")
        .prefetch_related("regions")
        .order_by("pk")
    )


def tier_weight(pool: IncentivePool, rank: int | None) -> Decimal:
    table = {int(k): Decimal(str(v)) for k, v in (pool.tier_weights or {}).items()}
    rank = rank or 0
    below = [r for r in table if r <= rank]
    return table[max(below)] if below else Decimal(1)


def region_weight(pool: IncentivePool, codes) -> Decimal:
    table = {k: Decimal(str(v)) for k, v in (pool.region_weights or {}).items()}
    weights = [table.get(code, pool.default_region_weight) for code in codes]
    return max(weights) if weights else pool.default_region_weight


def weigh(pool: IncentivePool) -> list[dict]:
    rows = []
    for partner in eligible_partners(pool):
        t = tier_weight(pool, partner.tier.rank if partner.tier else 0)
        health = partner.latest_health if partner.latest_health is not None else pool.default_health
        r = region_weight(pool, [region.code for region in partner.regions.all()])
        rows.append({"partner": partner, "tier_weight": t, "health": health, "region_weight": r})
        rows[-1]["weight"] = t * health * r
    return rows


@transaction.atomic
def preview_allocation(*, pool: IncentivePool, user=None) -> list[Allocation]:
    """(Re)compute the draft allocation rows of a draft pool."""
    pool = IncentivePool.objects.select_for_update().get(pk=pool.pk)
    if pool.status != IncentivePool.Status.DRAFT:
        raise NotAllowed(_("Only a draft pool can be allocated again."))
    rows = weigh(pool)
    if not rows:
        raise ApplicationError(_("No partner is eligible for this pool."))
    try:
        shares = largest_remainder(
            pool.amount, {row["partner"].pk: row["weight"] for row in rows}, pool.currency
        )
    except ValueError as exc:
        raise ApplicationError(_("Every eligible partner weighs zero; nothing can be allocated.")) from exc
    pool.allocations.all().delete()
    allocations = Allocation.objects.bulk_create(
        Allocation(
            pool=pool,
            partner=row["partner"],
            amount=shares[row["partner"].pk],
            weight=row["weight"].quantize(Decimal("0.000001")),
            tier_weight=row["tier_weight"],
            health=row["health"],
            region_weight=row["region_weight"],
        )
        for row in rows
    )
    log(instance=pool, action=LOG_POOL_PREVIEWED, user=user, data={"partners": len(allocations)})
    return allocations


@transaction.atomic
def publish_pool(*, pool: IncentivePool, user) -> IncentivePool:
    """Publish the previewed allocation: one ledger entry per partner, audited."""
    pool = IncentivePool.objects.select_for_update().get(pk=pool.pk)
    if pool.status != IncentivePool.Status.DRAFT:
        raise NotAllowed(_("This pool is already published."))
    allocations = list(pool.allocations.select_related("partner"))
    if not allocations:
        raise NotAllowed(_("Preview the allocation before publishing the pool."))
    if sum(a.amount for a in allocations) != pool.amount:
        raise NotAllowed(_("The previewed allocation no longer matches the pool amount; preview it again."))
    ledger.post_many(
        pool=pool,
        kind=LedgerKind.ALLOCATION,
        rows=[
            (allocation.partner, allocation.amount, f"pool:{pool.public_id}:{allocation.partner_id}")
            for allocation in allocations
            if allocation.amount > 0
        ],
        user=user,
    )
    pool.status = IncentivePool.Status.PUBLISHED
    pool.published_at = timezone.now()
    pool.published_by = user
    pool.save(update_fields=["status", "published_at", "published_by", "updated_at"])
    log(
        instance=pool,
        action=LOG_POOL_PUBLISHED,
        user=user,
        data={"partners": len(allocations), "amount": str(pool.amount), "currency": pool.currency},
    )
    return pool


@transaction.atomic
def create_pool(*, user=None, **fields) -> IncentivePool:
    pool = IncentivePool(created_by=user, **fields)
    pool.full_clean()
    pool.save()
    return pool
