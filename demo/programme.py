"""Demo tier programme: criteria, certification catalogue, certified people, 24 months of facts,
tier histories and a first evaluation with a few pending recommendations.

``seed(ctx)`` runs after ``demo.partners`` (it reads ``ctx.registry["partners.partners"]``, or
every partner when that is missing). Deterministic (``ctx.rng``, dates from ``DEMO_TODAY``)
and idempotent: demo people, facts and histories are rewritten, never duplicated.

Facts are drawn to match each partner's tier: between the thresholds of its tier and the next
one, so the evaluation holds most partners where they are. A few "climbers" get the next
tier's figures and a few "slippers" lose revenue, so the queue has promotions and demotions
for staff to decide.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import ROUND_DOWN, Decimal

from demo.base import DEMO_TODAY, SeedContext, chunked
from partners.models import (
    Certification,
    CertifiedPerson,
    EvaluationRun,
    Metric,
    Partner,
    PartnerKind,
    Tier,
    TierChange,
    TierCriterion,
    TierRecommendation,
)
from partners.models.certifications import add_months
from partners.selectors.programme import Ladder, ladders, month_start, shift_months
from partners.services.certifications import report_certified_people
from partners.services.facts import FactRow, report_facts
from partners.services.programme import evaluate_tiers

MONTHS = 24
DEMO_SOURCE = "demo"
DEMO_REASON = "Demo history: earned through the programme's evaluations."
AS_OF = month_start(DEMO_TODAY)  # the demo's last (complete) month

CERTIFICATIONS = (
    # slug, Chinese, English, level, validity (months), kinds (empty: every kind)
    ("platform-associate", "平台认证助理工程师", "Platform Certified Associate", "associate", 24, ()),
    ("implementation-professional", "实施顾问认证", "Implementation Consultant", "professional", 24,
     (PartnerKind.SERVICE, PartnerKind.CHANNEL)),
    ("developer-professional", "认证开发工程师", "Certified Developer Professional", "professional", 24,
     (PartnerKind.ISV, PartnerKind.DEVELOPER, PartnerKind.SERVICE)),
    ("lowcode-professional", "低代码开发认证", "Low-code Builder Professional", "professional", 24,
     (PartnerKind.DEVELOPER, PartnerKind.SERVICE, PartnerKind.ISV)),
    ("sales-associate", "销售认证", "Sales Associate", "associate", 12, (PartnerKind.CHANNEL,)),
    ("solution-architect-expert", "解决方案架构师专家", "Solution Architect Expert", "expert", 36,
     (PartnerKind.SERVICE, PartnerKind.ISV, PartnerKind.ALLIANCE)),
)  # fmt: skip

# Default criteria by (kind, rank), for tiers that have none (same figures as the migration).
S12, LATEST, AVG = TierCriterion.Window.SUM_12M, TierCriterion.Window.LATEST, TierCriterion.Window.AVG_12M
DEFAULT_CRITERIA = {
    (PartnerKind.SERVICE, 1): (("certified_people", LATEST, 2, None), ("revenue", S12, 200_000, None)),
    (PartnerKind.SERVICE, 2): (("certified_people", LATEST, 5, None), ("revenue", S12, 1_000_000, None),
                               ("delivery_success_rate", AVG, 85, None)),
    (PartnerKind.SERVICE, 3): (("certified_people", LATEST, 10, None), ("revenue", S12, 3_000_000, None),
                               ("delivery_success_rate", AVG, 90, None), ("avg_rating", LATEST, "4.2", 10)),
    (PartnerKind.SERVICE, 4): (("certified_people", LATEST, 25, None), ("revenue", S12, 10_000_000, None),
                               ("delivery_success_rate", AVG, 95, None), ("avg_rating", LATEST, "4.5", 30)),
    (PartnerKind.ISV, 1): (("published_listings", LATEST, 1, None), ("revenue", S12, 100_000, None)),
    (PartnerKind.ISV, 2): (("published_listings", LATEST, 2, None), ("revenue", S12, 800_000, None),
                           ("active_customers", LATEST, 20, None), ("avg_rating", LATEST, "4.0", 10)),
    (PartnerKind.ISV, 3): (("published_listings", LATEST, 4, None), ("revenue", S12, 5_000_000, None),
                           ("active_customers", LATEST, 100, None), ("avg_rating", LATEST, "4.3", 40)),
    (PartnerKind.CHANNEL, 1): (("revenue", S12, 300_000, None), ("active_customers", LATEST, 5, None),
                               ("certified_people", LATEST, 1, None)),
    (PartnerKind.CHANNEL, 2): (("revenue", S12, 1_500_000, None), ("active_customers", LATEST, 20, None),
                               ("certified_people", LATEST, 3, None)),
    (PartnerKind.CHANNEL, 3): (("revenue", S12, 5_000_000, None), ("active_customers", LATEST, 60, None),
                               ("certified_people", LATEST, 6, None)),
    (PartnerKind.DEVELOPER, 1): (("certified_people", LATEST, 1, None),),
    (PartnerKind.DEVELOPER, 2): (("certified_people", LATEST, 2, None),
                                 ("published_listings", LATEST, 1, None), ("avg_rating", LATEST, "4.0", 5)),
    (PartnerKind.ALLIANCE, 1): (("revenue", S12, 20_000_000, None), ("active_customers", LATEST, 200, None)),
}  # fmt: skip

# What a partner at the top of its ladder (or with no threshold on a metric) looks like.
CEILING = {
    "revenue": 30_000_000,
    "active_customers": 400,
    "published_listings": 8,
    "certified_people": 40,
    "delivery_success_rate": 99,
    "avg_rating": Decimal("4.9"),
    "review_count": 120,
}
FLOOR = {"revenue": 20_000, "delivery_success_rate": 70, "avg_rating": Decimal("3.6")}
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = (
    "伟",
    "芳",
    "娜",
    "敏",
    "静",
    "强",
    "磊",
    "洋",
    "艳",
    "杰",
    "涛",
    "明",
    "超",
    "霞",
    "平",
    "刚",
    "丽",
    "军",
)


# --- criteria and catalogue ---------------------------------------------------------------------
def seed_criteria(ctx: SeedContext) -> None:
    with ctx.section("Programme: tier criteria and certification catalogue") as counts:
        metrics = {m.slug: m for m in Metric.objects.all()}
        created = 0
        for tier in Tier.objects.all():
            if TierCriterion.objects.filter(tier=tier).exists():
                continue
            for order, (metric, window, threshold, min_count) in enumerate(
                DEFAULT_CRITERIA.get((tier.kind, tier.rank), ())
            ):
                TierCriterion.objects.create(
                    tier=tier,
                    metric=metrics[metric],
                    window=window,
                    threshold=Decimal(str(threshold)),
                    min_count=min_count,
                    sort_order=order,
                )
                created += 1
        for slug, zh, en, level, months, kinds in CERTIFICATIONS:
            Certification.objects.update_or_create(
                slug=slug,
                defaults={
                    "name": zh,
                    "name_en": en,
                    "level": level,
                    "validity_months": months,
                    "partner_kinds": [str(k) for k in kinds],
                },
            )
        counts["criteria added"] = created
        counts["certifications"] = len(CERTIFICATIONS)


# --- targets ------------------------------------------------------------------------------------
def _requirements(ladder: Ladder) -> dict[str, dict]:
    """metric → {"window", "by_rank": {rank: threshold}, "min_count": {rank: n}}"""
    out: dict[str, dict] = {}
    for tier in ladder.tiers:
        for c in ladder.criteria.get(tier.pk, []):
            entry = out.setdefault(c.metric.slug, {"window": c.window, "by_rank": {}, "min_count": {}})
            entry["by_rank"][tier.rank] = max(c.threshold, entry["by_rank"].get(tier.rank, Decimal(0)))
            if c.min_count:
                entry["min_count"][tier.rank] = c.min_count
    return out


def _between(rng: random.Random, reached: dict[int, Decimal], rank: int, metric: str, *, low=0.15, high=0.85):
    """A value meeting every threshold up to ``rank`` and missing the next one above it."""
    need = max([v for r, v in reached.items() if r <= rank], default=Decimal(FLOOR.get(metric, 0)))
    above = [v for r, v in reached.items() if r > rank and v > need]
    ceiling = Decimal(CEILING.get(metric, need * 2 or 10))
    top = min(above) if above else max(ceiling, need * Decimal("1.3"))
    return need + (top - need) * Decimal(str(rng.uniform(low, high)))


def _targets(rng, requirements: dict, rank: int, drift: str) -> dict[str, tuple[str, Decimal]]:
    """metric → (window, value over that window) for a partner aiming at ``rank``."""
    out = {}
    for metric, req in requirements.items():
        out[metric] = (req["window"], _between(rng, req["by_rank"], rank, metric))
        if req["min_count"]:
            out["review_count"] = (req["window"], _between(rng, req["min_count"], rank, "review_count"))
    if drift == "slip" and "revenue" in requirements:
        need = max((v for r, v in requirements["revenue"]["by_rank"].items() if r <= rank + 0), default=0)
        out["revenue"] = (
            requirements["revenue"]["window"],
            Decimal(need) * Decimal(str(rng.uniform(0.45, 0.8))),
        )
    return out


def _round(metric: str, value: Decimal) -> Decimal:
    if metric in ("avg_rating",):
        return min(Decimal(5), value).quantize(Decimal("0.01"))
    if metric in ("delivery_success_rate",):
        return min(Decimal(100), value).quantize(Decimal("0.1"))
    if metric == "revenue":
        return value.quantize(Decimal("0.01"))
    return value.quantize(Decimal(1), rounding=ROUND_DOWN)  # counts: never round up past a threshold


def _series(rng, metric: str, window: str, value: Decimal) -> list[Decimal]:
    """24 monthly values, oldest first, whose trailing-12 aggregate is ``value``."""
    if window == S12:  # a flow: revenue grows year on year, with monthly noise
        out = []
        for year_total in (value * Decimal(str(rng.uniform(0.55, 0.95))), value):
            weights = [rng.uniform(0.7, 1.3) for _ in range(12)]
            scale = year_total / Decimal(str(sum(weights)))
            out += [_round(metric, Decimal(str(w)) * scale) for w in weights]
        drift = value - sum(out[12:])
        out[-1] = _round(metric, out[-1] + drift)
        return out
    if window == AVG:  # a rate: noise around the level, the last 12 averaging to it
        noise = [rng.uniform(-2.5, 2.5) for _ in range(MONTHS)]
        shift = sum(noise[12:]) / 12
        return [_round(metric, value + Decimal(str(n - shift))) for n in noise]
    low, high = (0.92, 0.99) if metric == "avg_rating" else (0.5, 0.9)
    start = value * Decimal(str(rng.uniform(low, high)))  # a level: ramps up to today's value
    return [_round(metric, start + (value - start) * i / (MONTHS - 1)) for i in range(MONTHS)]


# --- people -------------------------------------------------------------------------------------
def _person_name(rng) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def _people_for(
    rng, partner: dict, count: int, certs: list[Certification], expiring: bool
) -> list[CertifiedPerson]:
    people = []
    usable = [c for c in certs if c.applies_to(partner["kind"])] or certs
    for i in range(count + 1):  # one more, already expired: it must not count
        cert = usable[i % len(usable)]
        if i == count:
            issued = add_months(DEMO_TODAY, -cert.validity_months) - timedelta(days=rng.randint(20, 200))
        elif expiring and i < 2:
            # expires 5–55 days after the demo's today: some inside the 30-day reminder window
            issued = add_months(DEMO_TODAY + timedelta(days=rng.randint(5, 55)), -cert.validity_months)
        else:
            issued = DEMO_TODAY - timedelta(days=rng.randint(30, 30 * (cert.validity_months - 3)))
        people.append(
            CertifiedPerson(
                partner_id=partner["id"],
                name=_person_name(rng),
                email=f"cert{i + 1}.{partner['slug']}@{partner['slug']}.example",
                certification=cert,
                issued_on=issued,
                expires_on=add_months(issued, cert.validity_months),
            )
        )
    return people


# --- seed ---------------------------------------------------------------------------------------
def _registry(ctx: SeedContext) -> list[dict]:
    if ctx.registry.get("partners.partners"):
        return ctx.registry["partners.partners"]
    return [
        {"id": pid, "slug": slug, "kind": kind, "rank": rank or 0}
        for pid, slug, kind, rank in Partner.objects.order_by("pk").values_list(
            "pk", "organisation__slug", "kind", "tier__rank"
        )
    ]


def _drifts(ctx: SeedContext, partners: list[dict], tops: dict[str, int]) -> dict[int, str]:
    rng = ctx.rng("programme:drift")
    flagship = ctx.registry.get("partners.flagship")
    climbers = [p for p in partners if p["rank"] < tops.get(p["kind"], 0) and p["id"] != flagship]
    slippers = [p for p in partners if p["rank"] >= 1 and p["id"] != flagship]
    n_up = max(2, len(partners) * 4 // 100)
    n_down = max(2, len(partners) * 3 // 100)
    drift = {p["id"]: "climb" for p in rng.sample(climbers, min(n_up, len(climbers)))}
    for p in rng.sample(slippers, min(n_down, len(slippers))):
        drift.setdefault(p["id"], "slip")
    return drift


def seed_facts_and_people(ctx: SeedContext, partners: list[dict]) -> None:
    all_ladders = ladders()
    requirements = {kind: _requirements(ladder) for kind, ladder in all_ladders.items()}
    tops = {kind: max(t.rank for t in ladder.tiers) for kind, ladder in all_ladders.items()}
    drift = _drifts(ctx, partners, tops)
    certs = list(Certification.objects.order_by("slug"))
    rng = ctx.rng("programme:facts")
    months = [shift_months(AS_OF, -(MONTHS - 1 - i)) for i in range(MONTHS)]
    ids = [p["id"] for p in partners]

    with ctx.section("Programme: certified people and 24 months of facts") as counts:
        CertifiedPerson.objects.filter(partner_id__in=ids, email__endswith=".example").delete()
        counts["facts"] = counts["certified people"] = 0
        done = 0
        for batch in chunked(partners):
            rows, people = [], []
            for partner in batch:
                kind_reqs = requirements.get(partner["kind"], {})
                state = drift.get(partner["id"], "")
                aim = partner["rank"] + 1 if state == "climb" else partner["rank"]
                for metric, (window, value) in _targets(rng, kind_reqs, aim, state).items():
                    series = _series(rng, metric, window, value)
                    rows += [
                        FactRow(partner["id"], metric, m, v) for m, v in zip(months, series, strict=True)
                    ]
                    if metric == "certified_people":
                        expiring = rng.random() < 0.3 or partner["id"] == ctx.registry.get(
                            "partners.flagship"
                        )
                        people += _people_for(rng, partner, int(series[-1]), certs, expiring)
            counts["facts"] += report_facts(source=DEMO_SOURCE, rows=rows)
            CertifiedPerson.objects.bulk_create(people, batch_size=1000)
            counts["certified people"] += len(people)
            done += len(batch)
            ctx.progress("partners with facts", done, len(partners))
        # The latest month's certified-people fact comes from the records themselves.
        report_certified_people(month=AS_OF, partners=Partner.objects.filter(pk__in=ids))


def seed_histories(ctx: SeedContext, partners: list[dict]) -> None:
    rng = ctx.rng("programme:history")
    tiers = {(t.kind, t.rank): t.pk for t in Tier.objects.all()}
    joined = dict(Partner.objects.filter(pk__in=[p["id"] for p in partners]).values_list("pk", "joined_on"))
    with ctx.section("Programme: tier histories") as counts:
        TierChange.objects.filter(partner_id__in=list(joined), reason=DEMO_REASON).delete()
        changes = []
        for partner in partners:
            start = joined.get(partner["id"]) or DEMO_TODAY - timedelta(days=720)
            span = max(1, (DEMO_TODAY - timedelta(days=45) - start).days)
            previous = None
            for rank in range(partner["rank"] + 1):
                tier_id = tiers.get((partner["kind"], rank))
                if tier_id is None:
                    break
                when = start + timedelta(days=span * rank // (partner["rank"] + 1) + rng.randint(0, 20))
                changes.append(
                    TierChange(
                        partner_id=partner["id"],
                        from_tier_id=previous,
                        to_tier_id=tier_id,
                        reason=DEMO_REASON,
                        changed_at=_aware(min(when, DEMO_TODAY - timedelta(days=40))),
                    )
                )
                previous = tier_id
        TierChange.objects.bulk_create(changes, batch_size=1000)
        counts["tier changes"] = len(changes)


def _aware(day: date):
    from datetime import datetime, time

    from django.utils import timezone

    return timezone.make_aware(datetime.combine(day, time(10, 0)))


def seed_evaluation(ctx: SeedContext, partners: list[dict]) -> None:
    with ctx.section("Programme: first evaluation") as counts:
        scope = Partner.objects.filter(pk__in=[p["id"] for p in partners])
        TierRecommendation.objects.filter(
            partner__in=scope,
            status__in=[
                TierRecommendation.Status.PENDING,
                TierRecommendation.Status.SUPERSEDED,
                TierRecommendation.Status.RECORDED,
            ],
        ).delete()
        EvaluationRun.objects.filter(started_by__isnull=True, recommendations__isnull=True).delete()
        run = EvaluationRun.objects.create(as_of=AS_OF)
        summary = evaluate_tiers(as_of=AS_OF, run=run)
        counts.update({"promote": summary.promote, "demote": summary.demote, "hold": summary.hold})


def seed(ctx: SeedContext) -> None:
    seed_criteria(ctx)
    partners = _registry(ctx)
    if not partners:
        ctx.log("  no partners: run demo.partners first")
        return
    seed_facts_and_people(ctx, partners)
    seed_histories(ctx, partners)
    seed_evaluation(ctx, partners)
