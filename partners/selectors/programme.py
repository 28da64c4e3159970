"""Read side of the tier programme: fact aggregates, criterion assessment, next-tier progress.

Aggregation is set-based: one query returns, for every (partner, metric) pair in scope, the
trailing-window sum, average, month count and latest value, whatever the number of partners.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Avg, Count, F, Q, QuerySet, Sum, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from accounts.models import Membership
from partners.models import (
    CertifiedPerson,
    ImportJob,
    Metric,
    Partner,
    PartnerFact,
    ProgrammeSettings,
    Tier,
    TierChange,
    TierCriterion,
    TierRecommendation,
)

WINDOW_MONTHS = 12
HUNDRED = Decimal(100)


class Status:
    """How a criterion came out for one partner (values stored in evidence JSON)."""

    MET = "met"
    UNMET = "unmet"
    MISSING = "missing"  # no fact reported in the window: not evaluated, counts as unmet
    SMALL_SAMPLE = "small_sample"  # value fine but too few reviews (or other samples) behind it


# --- months ------------------------------------------------------------------------------------
def month_start(day: date) -> date:
    return day.replace(day=1)


def shift_months(month: date, months: int) -> date:
    index = month.year * 12 + month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def month_end(month: date) -> date:
    return shift_months(month_start(month), 1) - timedelta(days=1)


def default_as_of(today: date | None = None) -> date:
    """The last complete month: evaluations never judge a month still in progress."""
    today = today or timezone.localdate()
    return shift_months(month_start(today), -1)


def window_start(as_of: date) -> date:
    return shift_months(month_start(as_of), -(WINDOW_MONTHS - 1))


# --- aggregation -------------------------------------------------------------------------------
@dataclass(frozen=True)
class FactAggregate:
    total: Decimal
    average: Decimal
    latest: Decimal
    months: int

    def value_for(self, window: str) -> Decimal:
        if window == TierCriterion.Window.LATEST:
            return self.latest
        if window == TierCriterion.Window.AVG_12M:
            return self.average
        return self.total


def aggregate_facts(
    *, metric_ids: Iterable[int], as_of: date, partners: QuerySet | None = None
) -> dict[tuple[int, int], FactAggregate]:
    """``{(partner_id, metric_id): FactAggregate}`` over the trailing window ending ``as_of``.

    One query: window functions give each fact row its partition's sum/average/count and a
    row number by month (latest first); keeping row 1 leaves one row per partner × metric.
    ``partners`` narrows the partners (a queryset, used as a subquery, never a list of ids).
    """
    metric_ids = list(metric_ids)
    if not metric_ids:
        return {}
    as_of = month_start(as_of)
    partition = [F("partner_id"), F("metric_id")]
    facts = PartnerFact.objects.filter(
        metric_id__in=metric_ids, month__gte=window_start(as_of), month__lte=as_of
    )
    if partners is not None:
        facts = facts.filter(partner_id__in=partners.values("pk"))
    rows = (
        facts.annotate(
            row=Window(RowNumber(), partition_by=partition, order_by=F("month").desc()),
            total=Window(Sum("value"), partition_by=partition),
            average=Window(Avg("value"), partition_by=partition),
            months=Window(Count("id"), partition_by=partition),
        )
        .filter(row=1)
        .order_by()
        .values_list("partner_id", "metric_id", "total", "average", "value", "months")
    )
    return {
        (pid, mid): FactAggregate(
            total=_dec(total), average=_dec(average), latest=_dec(latest), months=months
        )
        for pid, mid, total, average, latest, months in rows
    }


def _dec(value) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


# --- tier ladders ------------------------------------------------------------------------------
@dataclass
class Ladder:
    kind: str
    tiers: list[Tier]  # by rank
    criteria: dict[int, list[TierCriterion]] = field(default_factory=dict)  # tier id → criteria

    def metric_ids(self) -> set[int]:
        ids = set()
        for criteria in self.criteria.values():
            for c in criteria:
                ids.add(c.metric_id)
                if c.metric.count_metric_id:
                    ids.add(c.metric.count_metric_id)
        return ids

    def tier_at(self, rank: int) -> Tier | None:
        return next((t for t in self.tiers if t.rank == rank), None)

    def next_after(self, tier: Tier | None) -> Tier | None:
        if tier is None or tier.kind != self.kind:
            return self.tiers[0] if self.tiers else None
        return next((t for t in self.tiers if t.rank > tier.rank), None)


def ladders(kinds: Iterable[str] | None = None) -> dict[str, Ladder]:
    """Every kind's ladder with its criteria and their metrics: two queries."""
    tiers = Tier.objects.order_by("kind", "rank")
    criteria = TierCriterion.objects.select_related("metric").order_by("tier_id", "sort_order", "pk")
    if kinds is not None:
        kinds = list(kinds)
        tiers = tiers.filter(kind__in=kinds)
        criteria = criteria.filter(tier__kind__in=kinds)
    out: dict[str, Ladder] = {}
    for tier in tiers:
        out.setdefault(tier.kind, Ladder(kind=tier.kind, tiers=[])).tiers.append(tier)
    by_tier: dict[int, list[TierCriterion]] = defaultdict(list)
    for criterion in criteria:
        by_tier[criterion.tier_id].append(criterion)
    for ladder in out.values():
        ladder.criteria = {t.pk: by_tier.get(t.pk, []) for t in ladder.tiers}
    return out


# --- assessment --------------------------------------------------------------------------------
@dataclass
class CriterionResult:
    criterion: TierCriterion
    tier: Tier
    status: str
    actual: Decimal | None
    count_actual: Decimal | None = None

    @property
    def met(self) -> bool:
        return self.status == Status.MET

    @property
    def required(self) -> Decimal:
        return self.criterion.threshold

    @property
    def percent(self) -> int:
        """How far the figure is towards the threshold, 0–100: ``actual / required`` rounded
        down, so the bar and the two figures beside it always agree (3.84 of 4.2 is 91 %). A
        figure short of its threshold never shows 100 %; the minimum sample has its own bar
        (:attr:`sample_percent`) instead of dragging this one down."""
        if self.actual is None:
            return 0
        if self.actual >= self.criterion.threshold:
            return 100
        return progress_percent(self.actual, self.criterion.threshold)

    @property
    def sample_percent(self) -> int | None:
        """Progress of the sample behind an average (reviews…) towards ``min_count``; None
        when the criterion asks for no minimum sample."""
        if not self.criterion.min_count:
            return None
        return progress_percent(self.count_actual or Decimal(0), Decimal(self.criterion.min_count))

    @property
    def label(self) -> str:
        return f"{self.criterion.metric.t_name} · {self.criterion.get_window_display()}"

    @property
    def required_display(self) -> str:
        return display_value(self.criterion.threshold, self.criterion.metric.unit)

    @property
    def actual_display(self) -> str:
        if self.actual is None:
            return "—"
        return display_value(self.actual, self.criterion.metric.unit)

    def to_evidence(self) -> dict:
        """Compact and self-contained: slugs and figures as they were; names come from
        :func:`describe_evidence` when shown."""
        c = self.criterion
        item = {
            "tier": self.tier.slug,
            "rank": self.tier.rank,
            "metric": c.metric.slug,
            "window": c.window,
            "required": _fmt(c.threshold),
            "actual": _fmt(self.actual),
            "status": self.status,
        }
        if c.min_count:
            item["min_count"], item["count_actual"] = c.min_count, _fmt(self.count_actual)
        return item


def describe_evidence(evidence: list[dict], *, kind: str | None = None) -> list[dict]:
    """Evidence items with the metric's name (active language), unit and display figures, and
    the tier's name when the partner ``kind`` is given."""
    metrics = {m.slug: m for m in Metric.objects.filter(slug__in={e.get("metric") for e in evidence or []})}
    tiers = {t.slug: t for t in Tier.objects.filter(kind=kind)} if kind else {}
    rows = []
    for item in evidence or []:
        metric = metrics.get(item.get("metric"))
        unit = metric.unit if metric else ""
        rows.append(
            {
                **item,
                "metric_label": metric.t_name if metric else item.get("metric"),
                "metric_obj": metric,
                "tier_label": tiers[item["tier"]].t_name if item.get("tier") in tiers else item.get("tier"),
                "required_display": display_value(item.get("required"), unit),
                "actual_display": display_value(item.get("actual"), unit),
            }
        )
    return rows


def display_value(value, unit: str) -> str:
    """A figure for people: ``¥1,200,000``, ``92.5%``, ``4.3``, ``12``."""
    if value is None or value == "":
        return "—"
    value = Decimal(str(value))
    if unit == "CNY":
        return f"¥{value.quantize(Decimal(1)):,}"
    if unit == "percent":
        return f"{value.quantize(Decimal('0.1')).normalize():f}%"
    if unit in ("rating", "score"):
        return f"{value.quantize(Decimal('0.01')).normalize():f}"
    if value == value.to_integral():
        return f"{value.quantize(Decimal(1)):,}"
    return f"{value.quantize(Decimal('0.01')):,}"


def _ratio(actual: Decimal, required: Decimal) -> Decimal:
    if required <= 0:
        return HUNDRED
    return max(Decimal(0), actual * HUNDRED / required)


def progress_percent(actual, required) -> int:
    """``actual`` as a whole percentage of ``required``, rounded down and kept in 0–100; only
    a figure that reaches ``required`` shows 100 (99.99 % of the way is 99)."""
    actual, required = _dec(actual), _dec(required)
    if actual >= required:
        return 100
    return max(0, min(99, int(_ratio(actual, required))))


def _fmt(value: Decimal | None) -> str | None:
    if value is None:
        return None
    value = Decimal(value).quantize(Decimal("0.01"))
    return f"{value.normalize():f}" if value == value.to_integral() else f"{value:f}"


def assess(
    criterion: TierCriterion, tier: Tier, partner_id: int, aggregates: dict[tuple[int, int], FactAggregate]
) -> CriterionResult:
    agg = aggregates.get((partner_id, criterion.metric_id))
    if agg is None:
        return CriterionResult(criterion, tier, Status.MISSING, None)
    actual = agg.value_for(criterion.window)
    count_actual = None
    if criterion.min_count:
        count_metric_id = criterion.metric.count_metric_id
        count_agg = aggregates.get((partner_id, count_metric_id)) if count_metric_id else None
        count_actual = count_agg.value_for(criterion.window) if count_agg else Decimal(0)
    if actual < criterion.threshold:
        status = Status.UNMET
    elif criterion.min_count and count_actual < criterion.min_count:
        status = Status.SMALL_SAMPLE
    else:
        status = Status.MET
    return CriterionResult(criterion, tier, status, actual, count_actual)


@dataclass
class LadderAssessment:
    """One partner against its kind's whole ladder."""

    qualified: Tier | None  # the highest tier whose criteria, and every lower tier's, are met
    results: list[CriterionResult]

    def evidence(self) -> list[dict]:
        return [r.to_evidence() for r in self.results]


def assess_ladder(ladder: Ladder, partner_id: int, aggregates) -> LadderAssessment:
    results: list[CriterionResult] = []
    qualified = None
    still_qualifying = True
    for tier in ladder.tiers:
        tier_results = [assess(c, tier, partner_id, aggregates) for c in ladder.criteria.get(tier.pk, [])]
        results += tier_results
        if still_qualifying and all(r.met for r in tier_results):
            qualified = tier
        else:
            still_qualifying = False
    return LadderAssessment(qualified=qualified, results=results)


# --- the partner console ------------------------------------------------------------------------
@dataclass
class NextTierProgress:
    current: Tier | None
    next_tier: Tier | None
    items: list[CriterionResult]
    as_of: date

    @property
    def percent(self) -> int:
        if not self.items:
            return 100 if self.next_tier else 0
        return int(sum(i.percent for i in self.items) / len(self.items))


def next_tier_progress(*, partner: Partner, as_of: date | None = None) -> NextTierProgress:
    """Each criterion of the partner's next tier: required vs actual and a percentage."""
    as_of = month_start(as_of or default_as_of())
    ladder = ladders([partner.kind]).get(partner.kind) or Ladder(kind=partner.kind, tiers=[])
    current = partner.tier
    next_tier = ladder.next_after(current)
    if next_tier is None:
        return NextTierProgress(current, None, [], as_of)
    criteria = ladder.criteria.get(next_tier.pk, [])
    metric_ids = {c.metric_id for c in criteria} | {
        c.metric.count_metric_id for c in criteria if c.metric.count_metric_id
    }
    aggregates = aggregate_facts(
        metric_ids=metric_ids, as_of=as_of, partners=Partner.objects.filter(pk=partner.pk)
    )
    items = [assess(c, next_tier, partner.pk, aggregates) for c in criteria]
    return NextTierProgress(current, next_tier, items, as_of)


def current_tier_requirements(*, partner: Partner, as_of: date | None = None) -> list[CriterionResult]:
    """The partner's *current* tier's criteria against its facts (what keeps the tier)."""
    current = partner.tier
    if current is None:
        return []
    as_of = month_start(as_of or default_as_of())
    criteria = list(
        TierCriterion.objects.filter(tier=current).select_related("metric").order_by("sort_order", "pk")
    )
    if not criteria:
        return []
    metric_ids = {c.metric_id for c in criteria} | {
        c.metric.count_metric_id for c in criteria if c.metric.count_metric_id
    }
    aggregates = aggregate_facts(
        metric_ids=metric_ids, as_of=as_of, partners=Partner.objects.filter(pk=partner.pk)
    )
    return [assess(c, current, partner.pk, aggregates) for c in criteria]


def current_tier_at_risk(*, partner: Partner, as_of: date | None = None) -> list[CriterionResult]:
    """The current tier's criteria the facts no longer meet."""
    return [r for r in current_tier_requirements(partner=partner, as_of=as_of) if not r.met]


def partner_for_member(*, membership) -> Partner | None:
    """The partner profile of the membership's organisation, if it is a partner."""
    if not membership:  # None, or the middleware's lazy None
        return None
    return (
        Partner.objects.select_related("organisation", "tier")
        .filter(organisation_id=membership.organisation_id)
        .first()
    )


def certified_people(*, partner: Partner) -> QuerySet:
    return (
        CertifiedPerson.objects.filter(partner=partner)
        .select_related("certification")
        .order_by("expires_on", "name")
    )


def expiring_certifications(*, partner: Partner, today: date | None = None, within_days: int | None = None):
    today = today or timezone.localdate()
    if within_days is None:
        within_days = ProgrammeSettings.load().certification_reminder_days
    return certified_people(partner=partner).filter(
        expires_on__gt=today, expires_on__lte=today + timedelta(days=within_days)
    )


def expired_certifications(*, partner: Partner, today: date | None = None):
    """Certifications whose expiry date has come (the console marks them "expired")."""
    today = today or timezone.localdate()
    return certified_people(partner=partner).filter(expires_on__lte=today)


def members(*, partner: Partner) -> QuerySet:
    return (
        Membership.objects.filter(organisation_id=partner.organisation_id)
        .select_related("user")
        .order_by("role", "user__email")
    )


def waiting_demotion(*, partner: Partner) -> TierRecommendation | None:
    return (
        TierRecommendation.objects.filter(
            partner=partner,
            action=TierRecommendation.Action.DEMOTE,
            status=TierRecommendation.Status.APPROVED,
            applied_at__isnull=True,
        )
        .select_related("recommended_tier")
        .first()
    )


def recent_imports(*, partner: Partner, limit: int = 5) -> list[ImportJob]:
    return list(ImportJob.objects.filter(partner=partner).defer("content")[:limit])


def tier_history(*, partner: Partner | None = None) -> QuerySet:
    qs = TierChange.objects.select_related(
        "partner__organisation", "from_tier", "to_tier", "changed_by", "recommendation"
    )
    return qs.filter(partner=partner) if partner is not None else qs


# --- the staff queue ----------------------------------------------------------------------------
def recommendations(*, status: str | None = TierRecommendation.Status.PENDING, kind: str | None = None):
    qs = TierRecommendation.objects.select_related(
        "partner__organisation", "current_tier", "recommended_tier", "override_tier", "decided_by"
    )
    qs = qs.filter(status=status) if status else qs.exclude(status=TierRecommendation.Status.RECORDED)
    if kind:
        qs = qs.filter(partner__kind=kind)
    return qs


def pending_counts() -> dict[str, int]:
    return TierRecommendation.objects.filter(status=TierRecommendation.Status.PENDING).aggregate(
        promote=Count("pk", filter=Q(action=TierRecommendation.Action.PROMOTE)),
        demote=Count("pk", filter=Q(action=TierRecommendation.Action.DEMOTE)),
    )
