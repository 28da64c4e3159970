"""Health PDFs: one partner health report, and the ecosystem report for 1,000 partners.

Run through ``scripts/bench.sh`` (``make bench``), or by hand against any PostgreSQL:

    DJANGO_SETTINGS_MODULE=config.settings.bench DATABASE_URL=postgres://… \\
        .venv/bin/python benchmarks/health_pdf.py [--partners 1000] [--runs 5]

It creates its own partners (organisation slugs ``bench-pdf-…``, kept between runs) with 12
monthly health snapshots (every default health metric in the drill-down), revenue /
commission / trial facts, vendor revenue, tier changes and at-risk flags, then measures the
complete render — context queries, SVG charts, template, WeasyPrint layout, CJK font
subsetting and embedding — as ``health.services.reports`` does it for the task:

1. the partner health report (zh-hans): the first render in the process (fonts loaded) and
   best / median of ``--runs`` further renders; targets ≤ 1.5 s;
2. the ecosystem report with every partner that has a snapshot in the month (1,000 on a
   database without other snapshots, e.g. ``BENCH_SEED=none``): best / median; target ≤ 20 s.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.bench")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import Organisation  # noqa: E402
from benchmarks.common import environment  # noqa: E402
from health.models import AtRiskFlag, HealthMetric, HealthSnapshot, VendorRevenue  # noqa: E402
from health.services import reports as health_reports  # noqa: E402
from partners.models import Metric, Partner, PartnerFact, PartnerKind, Tier, TierChange  # noqa: E402
from partners.selectors.programme import shift_months  # noqa: E402
from partners.services.facts import ensure_metric  # noqa: E402

PREFIX = "bench-pdf-"
LAST = date(2026, 9, 1)
MONTHS = [shift_months(LAST, -i) for i in range(11, -1, -1)]
PERIOD = (date(2026, 7, 1), date(2026, 9, 30))
KINDS = (
    PartnerKind.SERVICE,
    PartnerKind.ISV,
    PartnerKind.CHANNEL,
    PartnerKind.DEVELOPER,
    PartnerKind.ALLIANCE,
)


def bench_partners():
    return Partner.objects.filter(organisation__slug__startswith=PREFIX)


def create_data(count: int, rng: random.Random) -> None:
    if bench_partners().count() >= count:
        print(f"  {bench_partners().count():,} benchmark partners already there")
        return
    started = time.perf_counter()
    tiers = {kind: list(Tier.objects.filter(kind=kind).order_by("rank")) for kind in KINDS}
    definitions = list(HealthMetric.objects.filter(enabled=True).select_related("metric"))
    for slug, name, unit in (
        ("revenue", "营收", Metric.Unit.CNY),
        ("platform_commission", "平台佣金", Metric.Unit.CNY),
        ("trials_started", "试用开始", Metric.Unit.COUNT),
        ("trials_converted", "试用转化", Metric.Unit.COUNT),
    ):
        ensure_metric(slug=slug, name=name, name_en=slug, unit=unit)
    metric_ids = dict(Metric.objects.values_list("slug", "id"))
    with transaction.atomic():
        bench_partners().delete()
        orgs = Organisation.objects.bulk_create(
            [
                Organisation(
                    name=f"基准伙伴 {i:04d}",
                    name_en=f"PDF bench partner {i:04d}",
                    slug=f"{PREFIX}{i:04d}",
                    kind=Organisation.Kind.PARTNER,
                )
                for i in range(count)
            ]
        )
        partners = []
        for i, org in enumerate(orgs):
            kind = KINDS[i % len(KINDS)]
            partners.append(
                Partner(
                    organisation=org,
                    kind=kind,
                    tier=rng.choice(tiers[kind]) if tiers[kind] else None,
                    joined_on=shift_months(LAST, -rng.randrange(0, 36)),
                )
            )
        partners = Partner.objects.bulk_create(partners)
        now = timezone.now()
        snapshots, facts, flags, changes = [], [], [], []
        for partner in partners:
            level = rng.uniform(35, 90)
            previous = None
            for month in MONTHS:
                level = max(5.0, min(98.0, level + rng.uniform(-6, 6)))
                dims = [max(0.0, min(100.0, level + rng.uniform(-12, 12))) for _ in range(3)]
                metrics = {
                    d.slug: {
                        "value": str(round(rng.uniform(0, 200_000 if d.metric.unit == "CNY" else 50), 2)),
                        "score": round(rng.uniform(0, 100), 1),
                        "percentile": round(rng.uniform(0, 100), 1),
                        "median": str(round(rng.uniform(0, 100_000 if d.metric.unit == "CNY" else 25), 2)),
                        "dimension": d.dimension,
                        "weight": str(d.weight),
                        "previous": str(round(rng.uniform(0, 50), 2)),
                    }
                    for d in definitions
                    if d.applies_to(partner.kind)
                }
                composite = Decimal(f"{level:.2f}")
                snapshots.append(
                    HealthSnapshot(
                        partner=partner,
                        month=month,
                        kind=partner.kind,
                        tier=partner.tier,
                        productivity=Decimal(f"{dims[0]:.2f}"),
                        robustness=Decimal(f"{dims[1]:.2f}"),
                        innovation=Decimal(f"{dims[2]:.2f}"),
                        composite=composite,
                        previous_composite=previous,
                        metrics=metrics,
                        computed_at=now,
                    )
                )
                if previous is not None and previous - composite > 5:
                    flags.append(
                        AtRiskFlag(
                            partner=partner,
                            month=month,
                            composite=composite,
                            previous_composite=previous,
                            cause=AtRiskFlag.Cause.DROP,
                            cause_detail={"dimension": "productivity"},
                        )
                    )
                previous = composite
                revenue = round(rng.uniform(5_000, 200_000), 2)
                started_trials = rng.randrange(0, 30)
                for slug, value in (
                    ("revenue", revenue),
                    ("platform_commission", round(revenue * 0.15, 2)),
                    ("trials_started", started_trials),
                    ("trials_converted", rng.randrange(0, started_trials + 1)),
                ):
                    facts.append(
                        PartnerFact(
                            partner=partner,
                            metric_id=metric_ids[slug],
                            month=month,
                            value=value,
                            source="bench",
                        )
                    )
            if partner.tier and rng.random() < 0.2:
                changes.append(
                    TierChange(partner=partner, from_tier=partner.tier, to_tier=partner.tier, reason="bench")
                )
        HealthSnapshot.objects.bulk_create(snapshots, batch_size=2000)
        PartnerFact.objects.bulk_create(facts, batch_size=5000, ignore_conflicts=True)
        AtRiskFlag.objects.bulk_create(flags, batch_size=2000, ignore_conflicts=True)
        TierChange.objects.bulk_create(changes)
        for month in MONTHS:
            VendorRevenue.objects.update_or_create(
                month=month, defaults={"amount": Decimal(count) * Decimal(30_000), "note": "bench"}
            )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE partners_healthsnapshot")
        cursor.execute("ANALYZE partners_partnerfact")
    print(
        f"  created {count:,} partners, {len(snapshots):,} snapshots, {len(facts):,} facts, "
        f"{len(flags):,} at-risk flags in {time.perf_counter() - started:.1f}s"
    )


def timed(fn):
    started = time.perf_counter()
    result = fn()
    return time.perf_counter() - started, result


def pages(pdf: bytes) -> str:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(pdf)
        handle.flush()
        try:
            out = subprocess.run(["pdfinfo", handle.name], capture_output=True, text=True).stdout
        except FileNotFoundError:
            return "?"
    return next((line.split()[-1] for line in out.splitlines() if line.startswith("Pages:")), "?")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--partners", type=int, default=1_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    rng = random.Random(2026)
    import weasyprint

    print(f"Health PDF benchmark · {environment(f'WeasyPrint {weasyprint.__version__}')}")
    create_data(args.partners, rng)
    partner = bench_partners().select_related("organisation", "tier").order_by("organisation__slug").first()

    def partner_pdf():
        return health_reports.render_partner_report(
            partner, period_start=PERIOD[0], period_end=PERIOD[1], language="zh-hans"
        )

    cold, pdf = timed(partner_pdf)
    warm = [timed(partner_pdf)[0] for _ in range(args.runs)]
    in_scope = HealthSnapshot.objects.filter(month=LAST).count()

    def ecosystem_pdf():
        return health_reports.render_ecosystem_report(
            period_start=PERIOD[0], period_end=PERIOD[1], language="zh-hans"
        )

    eco_runs = []
    eco_pdf = b""
    for _ in range(max(1, min(args.runs, 3))):
        seconds, eco_pdf = timed(ecosystem_pdf)
        eco_runs.append(seconds)

    print()
    print(
        f"  partner PDF:   first {cold:.2f} s (fonts loaded), best {min(warm):.2f} s, "
        f"median {statistics.median(warm):.2f} s of {len(warm)} · {len(pdf):,} bytes, {pages(pdf)} pages "
        f"· target ≤ 1.5 s: {'pass' if max(cold, statistics.median(warm)) <= 1.5 else 'FAIL'}"
    )
    print(
        f"  ecosystem PDF: best {min(eco_runs):.2f} s, median {statistics.median(eco_runs):.2f} s "
        f"of {len(eco_runs)} for {in_scope:,} partners with a snapshot in {LAST:%Y-%m} · "
        f"{len(eco_pdf):,} bytes, {pages(eco_pdf)} pages · target ≤ 20 s: "
        f"{'pass' if statistics.median(eco_runs) <= 20 else 'FAIL'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
