"""Tier evaluation for 10,000 partners × 24 months of facts, set-based, on PostgreSQL.

Run through ``scripts/bench.sh`` (``make bench``), or by hand against any PostgreSQL:

    DJANGO_SETTINGS_MODULE=config.settings.bench DATABASE_URL=postgres://… \\
        .venv/bin/python benchmarks/tier_evaluation.py [--partners 10000] [--runs 3]

It creates its own partners (organisation slugs ``bench-tier-…``, kept between runs) with
facts for every metric their kind's ladder uses, bulk-loaded with ``COPY``, then measures in
one run:

1. ``SELECT count(*)`` over the whole fact table — the floor any full read pays;
2. the naive baseline — one aggregate query per partner × criterion, on 500 partners,
   extrapolated to all of them;
3. ``partners.services.programme.evaluate_tiers`` over the benchmark partners (aggregation
   in SQL, tier arithmetic in memory, recommendations written in bulk): wall time and SQL
   query count, best and median of ``--runs``.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.bench")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.db.models import Avg, Sum  # noqa: E402
from django.utils import timezone  # noqa: E402

from benchmarks.common import bench_organisations, environment, timed  # noqa: E402
from partners.models import Partner, PartnerFact, PartnerKind, TierCriterion  # noqa: E402
from partners.selectors.programme import (  # noqa: E402
    aggregate_facts,
    assess_ladder,
    ladders,
    shift_months,
    window_start,
)
from partners.services.programme import evaluate_tiers  # noqa: E402

PREFIX = "bench-tier-"
AS_OF = date(2026, 10, 1)
MONTHS = 24
KINDS = (
    (PartnerKind.SERVICE, 0.35),
    (PartnerKind.ISV, 0.30),
    (PartnerKind.CHANNEL, 0.18),
    (PartnerKind.DEVELOPER, 0.10),
    (PartnerKind.ALLIANCE, 0.07),
)


def bench_partners():
    return Partner.objects.filter(organisation__slug__startswith=PREFIX)


def create_partners(count: int, rng: random.Random) -> None:
    have = bench_partners().count()
    if have >= count:
        print(f"  {have:,} benchmark partners already there")
        return
    all_ladders = ladders()
    kinds = [k for k, _w in KINDS]
    weights = [w for _k, w in KINDS]
    started = time.perf_counter()
    with transaction.atomic():
        orgs = bench_organisations(PREFIX, have, count, name="基准伙伴", name_en="Bench partner")
        partners = []
        for org in orgs:
            kind = rng.choices(kinds, weights)[0]
            tiers = all_ladders[kind].tiers
            partners.append(Partner(organisation=org, kind=kind, tier=rng.choice(tiers)))
        Partner.objects.bulk_create(partners, batch_size=2000)
    print(f"  created {count - have:,} partners in {time.perf_counter() - started:.1f}s")


def load_facts(rng: random.Random) -> int:
    """24 months of every metric the partner's ladder uses, around a random rung's thresholds."""
    partners = list(bench_partners().values_list("pk", "kind"))
    ids_sql, params = bench_partners().values("pk").query.sql_with_params()
    with connection.cursor() as cursor:  # one statement, not Django's collect-and-delete
        cursor.execute(f"DELETE FROM partners_partnerfact WHERE partner_id IN ({ids_sql})", params)
    all_ladders = ladders()
    thresholds: dict[str, dict[int, list[Decimal]]] = {}  # kind → metric id → thresholds
    for kind, ladder in all_ladders.items():
        per_metric: dict[int, list[Decimal]] = {}
        for criteria in ladder.criteria.values():
            for c in criteria:
                per_metric.setdefault(c.metric_id, []).append(c.threshold)
                if c.metric.count_metric_id and c.min_count:
                    per_metric.setdefault(c.metric.count_metric_id, []).append(Decimal(c.min_count))
        thresholds[kind] = per_metric
    # how each metric is read decides its monthly size
    windows = {c.metric_id: c.window for c in TierCriterion.objects.all()}
    months = [shift_months(AS_OF, -i) for i in range(MONTHS)]
    now = timezone.now()
    rows = 0
    started = time.perf_counter()
    with connection.cursor() as cursor:
        copy_sql = (
            "COPY partners_partnerfact (partner_id, metric_id, month, value, source, updated_at) FROM STDIN"
        )
        with cursor.cursor.copy(copy_sql) as copy:
            for pid, kind in partners:
                for metric_id, levels in thresholds.get(kind, {}).items():
                    level = float(rng.choice(levels)) * rng.uniform(0.6, 1.4)
                    if windows.get(metric_id) == TierCriterion.Window.SUM_12M:
                        level /= 12
                    for month in months:
                        value = round(level * rng.uniform(0.85, 1.15), 2)
                        copy.write_row((pid, metric_id, month, value, "bench", now))
                        rows += 1
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE partners_partnerfact")
    print(f"  loaded {rows:,} facts with COPY in {time.perf_counter() - started:.1f}s")
    return rows


def count_facts():
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM partners_partnerfact")
        return cursor.fetchone()[0]


def naive(sample: int) -> int:
    """What a per-partner loop costs: for each partner and each criterion, one aggregate."""
    all_ladders = ladders()
    start = window_start(AS_OF)
    evaluated = 0
    for partner in bench_partners().order_by("pk")[:sample]:
        ladder = all_ladders[partner.kind]
        for tier in ladder.tiers:
            for c in ladder.criteria.get(tier.pk, []):
                facts = PartnerFact.objects.filter(
                    partner=partner, metric_id=c.metric_id, month__range=(start, AS_OF)
                )
                facts.aggregate(total=Sum("value"), average=Avg("value"))
                facts.order_by("-month").values_list("value", flat=True).first()
        evaluated += 1
    return evaluated


def read_side(scope) -> int:
    """The part of ``evaluate_tiers`` the naive loop is compared with: ladders, one aggregate
    over the facts, the tier arithmetic for every partner; no writes."""
    all_ladders = ladders()
    metric_ids = set().union(*(ladder.metric_ids() for ladder in all_ladders.values()))
    aggregates = aggregate_facts(metric_ids=metric_ids, as_of=AS_OF, partners=scope)
    decided = 0
    for pid, kind in scope.values_list("pk", "kind"):
        assess_ladder(all_ladders[kind], pid, aggregates)
        decided += 1
    return decided


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--partners", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--naive-sample", type=int, default=500)
    args = parser.parse_args()
    rng = random.Random(2026)

    print(f"Tier evaluation benchmark · {environment()}")
    create_partners(args.partners, rng)
    facts = load_facts(rng)
    scope = bench_partners()
    total_partners = scope.count()

    count_s, _q, total_facts = timed(count_facts)
    naive_s, naive_q, sampled = timed(lambda: naive(args.naive_sample))
    naive_all = naive_s * total_partners / max(sampled, 1)

    reads = [timed(lambda: read_side(scope)) for _ in range(args.runs)]
    read_best = min(r[0] for r in reads)
    read_queries = reads[-1][1]

    runs = []
    for _ in range(args.runs):
        seconds, queries, summary = timed(lambda: evaluate_tiers(as_of=AS_OF, partners=scope))
        runs.append((seconds, queries, summary))
    best = min(r[0] for r in runs)
    median = statistics.median(r[0] for r in runs)
    queries = runs[-1][1]
    summary = runs[-1][2]

    print()
    print(f"  partners evaluated:        {summary.evaluated:,} (facts: {total_facts:,}; loaded {facts:,})")
    print(f"  SELECT count(*) facts:     {count_s * 1000:,.0f} ms")
    print(
        f"  naive per-partner loop:    {naive_s:,.2f} s for {sampled} partners, {naive_q:,} queries "
        f"→ ~{naive_all:,.0f} s for {total_partners:,} (extrapolated)"
    )
    print(
        f"  set-based read side:       best {read_best:,.2f} s of {len(reads)} runs, "
        f"{read_queries} SQL queries "
        f"(×{naive_all / read_best:,.0f} faster than the naive loop)"
    )
    print(
        f"  evaluate_tiers (complete): best {best:,.2f} s, median {median:,.2f} s of {len(runs)} runs, "
        f"{queries} SQL queries (reads + {summary.evaluated:,} recommendations written)"
    )
    print(
        f"  outcome: promote {summary.promote:,}, demote {summary.demote:,}, hold {summary.hold:,} "
        f"(as of {AS_OF:%Y-%m})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
