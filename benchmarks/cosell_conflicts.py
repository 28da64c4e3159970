"""The co-sell conflict check with 100,000 deal registrations on PostgreSQL.

Run through ``scripts/bench.sh`` (``BENCH_SEED=none scripts/bench.sh benchmarks/cosell_conflicts.py``)
or by hand against any PostgreSQL:

    DJANGO_SETTINGS_MODULE=config.settings.bench DATABASE_URL=postgres://… \\
        .venv/bin/python benchmarks/cosell_conflicts.py [--registrations 100000] [--probes 300]

It creates 20 bench partners (organisation slugs ``bench-cosell-…``) and N approved registrations
of generated Chinese / English company names (region + brand + industry + legal form, a third
with a credit code or a website), with their blocking keys, bulk-loaded; kept between runs.
Then it times ``cosell.services.conflicts.find_conflicts`` — the check run on submit: key
lookup, candidates, scoring — for probes written differently from a registered customer
(short name, Traditional characters, English name with the website) and for new customers,
and prints p50 / p95 / max and the SQL statements per check.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.bench")

import django  # noqa: E402

django.setup()

from django.db import transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import Organisation  # noqa: E402
from benchmarks.common import environment, timed  # noqa: E402
from cosell.matching import blocking_keys, company_keys  # noqa: E402
from cosell.models import DealRegistration, MatchKey, Status  # noqa: E402
from cosell.services.conflicts import find_conflicts, registration_company  # noqa: E402
from partners.models import Partner, PartnerKind  # noqa: E402

PREFIX = "bench-cosell-"
CHARS = "华星云腾宇辰博恒嘉瑞信达泰和安盛鼎丰汇景鸿远创新智联科讯易佳美正天明光海峰金银龙凤祥德兴隆佳瑞"
INDUSTRY = ["科技", "信息技术", "网络科技", "软件", "数据服务", "物流", "贸易", "电子", "医疗", "教育"]
LEGAL = ["有限公司", "股份有限公司", "有限责任公司", "集团有限公司"]
REGIONS = ["北京", "上海", "深圳市", "广州", "杭州", "成都", "武汉", "南京", ""]


def company(rng: random.Random, n: int) -> dict:
    brand = "".join(rng.sample(CHARS, rng.choice((2, 2, 3, 4))))
    data = {
        "customer_name": f"{rng.choice(REGIONS)}{brand}{rng.choice(INDUSTRY)}{rng.choice(LEGAL)}",
        "customer_name_en": "",
        "customer_domain": f"www.c{n}-corp.cn" if n % 3 == 0 else "",
        "brand": brand,
    }
    return data


def partners() -> list[Partner]:
    out = []
    for i in range(20):
        org, _ = Organisation.objects.get_or_create(
            slug=f"{PREFIX}{i}", defaults={"name": f"基准伙伴{i}", "kind": "partner"}
        )
        partner, _ = Partner.objects.get_or_create(organisation=org, defaults={"kind": PartnerKind.CHANNEL})
        out.append(partner)
    return out


def load(total: int, rng: random.Random, owners: list[Partner]) -> list[dict]:
    existing = DealRegistration.objects.filter(partner__in=owners).count()
    companies = [company(rng, n) for n in range(total)]
    if existing >= total:
        print(f"{existing:,} bench registrations exist: reused")
        return companies
    today = timezone.localdate()
    print(f"loading {total - existing:,} registrations …")
    for start in range(existing, total, 5000):
        batch = companies[start : start + 5000]
        with transaction.atomic():
            regs = DealRegistration.objects.bulk_create(
                [
                    DealRegistration(
                        partner=owners[(start + i) % len(owners)],
                        status=Status.APPROVED,
                        customer_name=c["customer_name"],
                        customer_domain=c["customer_domain"],
                        contact_name="张三",
                        estimated_value=Decimal("10000"),
                        expected_close=today + timedelta(days=90),
                        submitted_at=timezone.now(),
                        protection_until=today + timedelta(days=90),
                    )
                    for i, c in enumerate(batch)
                ]
            )
            MatchKey.objects.bulk_create(
                [
                    MatchKey(registration=reg, key=key)
                    for reg in regs
                    for key in blocking_keys(company_keys(registration_company(reg)))
                ]
            )
    return companies


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--registrations", type=int, default=100_000)
    parser.add_argument("--probes", type=int, default=300)
    args = parser.parse_args()
    rng = random.Random(14)
    print(environment())
    owners = partners()
    companies = load(args.registrations, rng, owners)
    prober = Partner.objects.get(organisation__slug=f"{PREFIX}0")
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE cosell_matchkey; ANALYZE cosell_dealregistration")
    import opencc

    s2t = opencc.OpenCC("s2t")
    probes = []
    for i in range(args.probes):
        c = companies[rng.randrange(len(companies))]
        kind = i % 4
        if kind == 0:
            probes.append({"customer_name": c["brand"]})  # short name
        elif kind == 1:
            probes.append({"customer_name": s2t.convert(c["customer_name"])})  # Traditional
        elif kind == 2:
            probes.append(
                {"customer_name_en": f"{c['brand']} Co., Ltd.", "customer_domain": c["customer_domain"]}
            )
        else:
            probes.append({"customer_name": "新客户" + "".join(rng.sample(CHARS, 4)) + "有限公司"})
    times, queries, found = [], [], 0
    for probe in probes:
        reg = DealRegistration(partner=prober, contact_name="x", **probe)
        seconds, n_sql, hits = timed(lambda reg=reg: find_conflicts(reg))
        times.append(seconds * 1000)
        queries.append(n_sql)
        found += bool(hits)
    times.sort()
    p95 = times[int(len(times) * 0.95) - 1]
    print(
        f"conflict check, {DealRegistration.objects.count():,} registrations, {len(probes)} probes: "
        f"p50 {statistics.median(times):.1f} ms · p95 {p95:.1f} ms · max {times[-1]:.1f} ms · "
        f"{max(queries)} SQL statements at most · {found} probes found a conflict"
    )


if __name__ == "__main__":
    main()
