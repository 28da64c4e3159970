"""Routing one requirement over 10,000 partners, set-based, on PostgreSQL.

Run through ``scripts/bench.sh`` (``BENCH_SEED=none scripts/bench.sh benchmarks/demand_routing.py``)
or by hand against any PostgreSQL:

    DJANGO_SETTINGS_MODULE=config.settings.bench DATABASE_URL=postgres://… \\
        .venv/bin/python benchmarks/demand_routing.py [--partners 10000] [--runs 5]

It creates its own service partners (organisation slugs ``bench-route-…``, kept between runs):
about 70 % cover the requirement's region, 40 % hold a valid certificate of the required
certification (1–12 certified people), 30 % serve its industry, 5 % are suspended, 5 % have
paused intake, and every partner has three months of ``avg_rating`` facts. Then it times
``demand.services.routing.ranked_partners`` (hard filters, score, fair order) and the complete
``route`` (plus the ten invitations; rolled back after each run so every run routes afresh),
and prints best / median wall time and SQL statements. Target (issue #13): ≤ 1 s.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.bench")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import Organisation  # noqa: E402
from benchmarks.common import bench_organisations, environment, timed  # noqa: E402
from demand.models import PartnerIntake, Requirement  # noqa: E402
from demand.services import routing  # noqa: E402
from partners.models import (  # noqa: E402
    Certification,
    CertifiedPerson,
    Industry,
    MetricSlug,
    Partner,
    PartnerFact,
    Region,
)
from partners.services.facts import ensure_metric  # noqa: E402

PREFIX = "bench-route-"


def reference_data():
    region, _ = Region.objects.get_or_create(code="bench-route-east", defaults={"name": "华东（基准）"})
    other, _ = Region.objects.get_or_create(code="bench-route-west", defaults={"name": "西部（基准）"})
    industry, _ = Industry.objects.get_or_create(slug="bench-route-mfg", defaults={"name": "制造（基准）"})
    cert, _ = Certification.objects.get_or_create(
        slug="bench-route-erp", defaults={"name": "ERP 实施认证（基准）", "partner_kinds": ["service"]}
    )
    return region, other, industry, cert


def create_partners(count: int, rng: random.Random, region, other, industry, cert) -> None:
    have = Partner.objects.filter(organisation__slug__startswith=PREFIX).count()
    if have >= count:
        print(f"  {have:,} bench partners exist: reused")
        return
    started = time.perf_counter()
    today = timezone.localdate()
    now = timezone.now()
    metric = ensure_metric(slug=MetricSlug.AVG_RATING, name="平均评分", name_en="Average rating")
    with transaction.atomic():
        orgs = bench_organisations(PREFIX, have, count, name="基准服务商", name_en="Bench service partner")
        partners = Partner.objects.bulk_create(
            [
                Partner(
                    organisation=org,
                    kind="service",
                    status=Partner.Status.SUSPENDED if rng.random() < 0.05 else Partner.Status.ACTIVE,
                )
                for org in orgs
            ],
            batch_size=2000,
        )
        regions, industries, people, intakes, facts = [], [], [], [], []
        month = today.replace(day=1)
        months = [month, (month - timedelta(days=1)).replace(day=1)]
        months.append((months[-1] - timedelta(days=1)).replace(day=1))
        for p in partners:
            regions.append(
                Partner.regions.through(
                    partner_id=p.pk, region_id=(region if rng.random() < 0.7 else other).pk
                )
            )
            if rng.random() < 0.3:
                industries.append(Partner.industries.through(partner_id=p.pk, industry_id=industry.pk))
            if rng.random() < 0.4:
                for n in range(rng.randint(1, 12)):
                    people.append(
                        CertifiedPerson(
                            partner_id=p.pk,
                            name=f"顾问 {n}",
                            email=f"c{n}@{p.pk}.bench.example.cn",
                            certification=cert,
                            issued_on=today - timedelta(days=rng.randint(10, 600)),
                            expires_on=today + timedelta(days=rng.randint(-30, 700)),
                        )
                    )
            if rng.random() < 0.05:
                intakes.append(PartnerIntake(partner_id=p.pk, paused_until=now + timedelta(days=10)))
            for m in months:
                facts.append(
                    PartnerFact(
                        partner_id=p.pk,
                        metric=metric,
                        month=m,
                        value=Decimal(str(round(rng.uniform(3.0, 5.0), 2))),
                        source="bench",
                    )
                )
        Partner.regions.through.objects.bulk_create(regions, batch_size=5000)
        Partner.industries.through.objects.bulk_create(industries, batch_size=5000)
        CertifiedPerson.objects.bulk_create(people, batch_size=5000)
        PartnerIntake.objects.bulk_create(intakes, batch_size=5000, ignore_conflicts=True)
        PartnerFact.objects.bulk_create(facts, batch_size=5000, ignore_conflicts=True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"  created {count - have:,} partners in {time.perf_counter() - started:.1f}s")


def make_requirement(region, industry, cert) -> Requirement:
    org, _ = Organisation.objects.get_or_create(
        slug=f"{PREFIX}customer", defaults={"name": "基准客户", "kind": Organisation.Kind.CUSTOMER}
    )
    now = timezone.now()
    requirement = Requirement.objects.create(
        customer_organisation=org,
        title="ERP 实施（基准）",
        title_en="ERP rollout (bench)",
        description="基准需求",
        proposal_due=now + timedelta(days=7),
        award_by=(now + timedelta(days=30)).date(),
        currency="CNY",
        budget_min=10000,
        budget_max=50000,
        region=region,
        industry=industry,
        required_kinds=["service"],
        state="open",
    )
    requirement.required_certifications.set([cert])
    return requirement


class Rollback(Exception):
    pass


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--partners", type=int, default=10000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    rng = random.Random(13)
    region, other, industry, cert = reference_data()
    print(f"== demand routing over {args.partners:,} partners ({environment()})")
    create_partners(args.partners, rng, region, other, industry, cert)
    requirement = make_requirement(region, industry, cert)
    qualified = routing.qualified_partners(requirement=requirement).count()
    total = Partner.objects.count()
    print(f"  partners in the database: {total:,}; qualified for the requirement: {qualified:,}")

    ranked_runs, route_runs = [], []
    for _ in range(args.runs):
        seconds, queries, ranked = timed(lambda: routing.ranked_partners(requirement=requirement))
        ranked_runs.append((seconds, queries))

        def routed():
            try:
                with transaction.atomic():
                    made = routing.route(requirement=requirement)
                    raise Rollback(len(made))
            except Rollback as done:
                return done.args[0]

        seconds, queries, invited = timed(routed)
        route_runs.append((seconds, queries))
    assert len(ranked) == qualified and invited == min(10, qualified)
    for label, runs in (
        ("ranked_partners (filter + score + order)", ranked_runs),
        ("route (+ 10 invitations)", route_runs),
    ):
        times = [s for s, _q in runs]
        median = statistics.median(times)
        verdict = "pass" if median <= 1 else "FAIL"
        print(
            f"  {label}: best {min(times) * 1000:.0f} ms, median {median * 1000:.0f} ms, "
            f"{runs[0][1]} SQL statements · target ≤ 1000 ms: {verdict}"
        )
    Requirement.objects.filter(pk=requirement.pk).delete()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
