"""Health snapshots for 10,000 partners × 24 months of facts, recomputed in full, on PostgreSQL.

Run through ``scripts/bench.sh`` (``make bench``), or by hand against any PostgreSQL:

    DJANGO_SETTINGS_MODULE=config.settings.bench DATABASE_URL=postgres://… \\
        .venv/bin/python benchmarks/health_snapshots.py [--partners 10000] [--runs 1]

It creates its own partners (organisation slugs ``bench-health-…``, kept between runs) with 24
monthly facts of every metric the default health model reads (``partners.0007_health_defaults``),
bulk-loaded with ``COPY``, then measures in one run:

1. the naive baseline — for a sample of partners and one month, one aggregate query per
   partner × metric, then percentiles in Python — extrapolated to every partner × 24 months;
2. ``health.services.snapshots.compute_snapshots`` over the 24 months (values, percentiles and
   medians in SQL; dimensions and composite in memory; snapshots upserted in bulk; the
   ``health_score`` facts and at-risk flags written): wall time and SQL statements.

Target (DESIGN.md): ≤ 30 s.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.bench")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.db.models import Avg, Count, Max, Sum  # noqa: E402
from django.utils import timezone  # noqa: E402

from benchmarks.common import bench_organisations, environment, timed  # noqa: E402
from health.models import HealthSnapshot  # noqa: E402
from health.services import snapshots as health  # noqa: E402
from partners.models import Metric, Partner, PartnerFact, PartnerKind  # noqa: E402
from partners.selectors.programme import shift_months  # noqa: E402

PREFIX = "bench-health-"
LAST = date(2026, 9, 1)
MONTHS = 24
KINDS = (
    (PartnerKind.SERVICE, 0.35),
    (PartnerKind.ISV, 0.30),
    (PartnerKind.CHANNEL, 0.18),
    (PartnerKind.DEVELOPER, 0.10),
    (PartnerKind.ALLIANCE, 0.07),
)
# metric slug → (typical monthly level, spread)
LEVELS = {
    "revenue": (80_000, 0.9),
    "new_customers": (6, 0.9),
    "trials_started": (20, 0.8),
    "trials_converted": (5, 0.9),
    "churned_customers": (2, 1.0),
    "customer_retention": (88, 0.1),
    "payment_failures": (1, 1.0),
    "listing_releases": (1, 1.0),
    "fresh_listings_pct": (70, 0.4),
    "joint_solutions": (1, 1.0),
    "certified_people": (8, 0.8),
    "delivery_success_rate": (90, 0.08),
    "avg_rating": (4.3, 0.1),
    "review_count": (4, 0.9),
}


def bench_partners():
    return Partner.objects.filter(organisation__slug__startswith=PREFIX)


def create_partners(count: int, rng: random.Random) -> None:
    have = bench_partners().count()
    if have >= count:
        print(f"  {have:,} benchmark partners already there")
        return
    kinds = [k for k, _w in KINDS]
    weights = [w for _k, w in KINDS]
    started = time.perf_counter()
    with transaction.atomic():
        orgs = bench_organisations(PREFIX, have, count, name="健康基准伙伴", name_en="Health bench partner")
        Partner.objects.bulk_create(
            [Partner(organisation=org, kind=rng.choices(kinds, weights)[0]) for org in orgs], batch_size=2000
        )
    print(f"  created {count - have:,} partners in {time.perf_counter() - started:.1f}s")


def load_facts(rng: random.Random) -> int:
    partners = list(bench_partners().values_list("pk", flat=True))
    ids_sql, params = bench_partners().values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM partners_partnerfact WHERE partner_id IN ({ids_sql})", params)
        cursor.execute(f"DELETE FROM partners_healthsnapshot WHERE partner_id IN ({ids_sql})", params)
        cursor.execute(f"DELETE FROM partners_atriskflag WHERE partner_id IN ({ids_sql})", params)
    metric_ids = dict(Metric.objects.filter(slug__in=LEVELS).values_list("slug", "id"))
    months = [shift_months(LAST, -i) for i in range(MONTHS)]
    now = timezone.now()
    rows = 0
    started = time.perf_counter()
    with connection.cursor() as cursor:
        copy_sql = (
            "COPY partners_partnerfact (partner_id, metric_id, month, value, source, updated_at) FROM STDIN"
        )
        with cursor.cursor.copy(copy_sql) as copy:
            for pid in partners:
                for slug, (level, spread) in LEVELS.items():
                    base = level * rng.uniform(1 - spread, 1 + spread)
                    trend = rng.uniform(-0.03, 0.04)
                    for i, month in enumerate(reversed(months)):
                        value = max(0.0, base * (1 + trend) ** i * rng.uniform(0.85, 1.15))
                        copy.write_row((pid, metric_ids[slug], month, round(value, 2), "bench", now))
                        rows += 1
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE partners_partnerfact")
    print(f"  loaded {rows:,} facts with COPY in {time.perf_counter() - started:.1f}s")
    return rows


def naive(sample: int, month: date) -> int:
    """A per-partner loop: for each partner and each metric, one aggregate query over its
    window; then percentiles within the sample's kinds in Python."""
    defs = health.definitions()
    values: dict[tuple[int, str], list[tuple[int, float]]] = {}
    done = 0
    for pid, kind in bench_partners().order_by("pk").values_list("pk", "kind")[:sample]:
        for d in defs:
            if kind not in d.kinds:
                continue
            start = shift_months(month, -(d.span - 1))
            facts = PartnerFact.objects.filter(
                partner_id=pid, metric_id=d.metric_id, month__range=(start, month)
            )
            agg = facts.aggregate(total=Sum("value"), average=Avg("value"), n=Count("id"), last=Max("month"))
            if agg["n"]:
                values.setdefault((d.id, kind), []).append((pid, float(agg["total"])))
        done += 1
    for rows in values.values():
        ordered = sorted(v for _p, v in rows)
        n = len(ordered)
        _ = [(ordered.index(v) * 100 / max(n - 1, 1)) for _p, v in rows]
    return done


def main() -> int:

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--partners", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--naive-sample", type=int, default=300)
    args = parser.parse_args()
    rng = random.Random(2026)

    print(f"Health snapshots benchmark · {environment()}")
    create_partners(args.partners, rng)
    facts = load_facts(rng)
    first = shift_months(LAST, -(MONTHS - 1))
    active = Partner.objects.filter(status=Partner.Status.ACTIVE).count()

    naive_s, naive_q, sampled = timed(lambda: naive(args.naive_sample, LAST))
    naive_all = naive_s * active * MONTHS / max(sampled, 1)

    runs = []
    for _ in range(args.runs):
        seconds, queries, summary = timed(
            lambda: health.compute_snapshots(first=first, last=LAST, notify=False)  # noqa: B023
        )
        runs.append((seconds, queries, summary))
    best = min(r[0] for r in runs)
    median = statistics.median(r[0] for r in runs)
    queries, summary = runs[-1][1], runs[-1][2]
    snapshots = HealthSnapshot.objects.filter(month__gte=first, month__lte=LAST).count()

    print()
    print(f"  partners: {active:,} active ({args.partners:,} benchmark); facts loaded {facts:,}")
    print(
        f"  naive per-partner loop:  {naive_s:,.2f} s for {sampled} partners × 1 month, {naive_q:,} queries "
        f"→ ~{naive_all:,.0f} s for {active:,} partners × {MONTHS} months (extrapolated)"
    )
    print(
        f"  compute_snapshots:       best {best:,.2f} s, median {median:,.2f} s of {len(runs)} runs, "
        f"{queries} SQL statements, {summary['snapshots']:,} snapshots written "
        f"({snapshots:,} in the table), {summary['flags']:,} at-risk flags "
        f"(×{naive_all / best:,.0f} faster than the naive loop; target ≤ 30 s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
