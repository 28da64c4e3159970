"""The partner API: list endpoints' latency at 10,000 rows and the usage endpoint's requests/s.

Run through ``scripts/bench.sh`` (``make bench``), or by hand against any PostgreSQL:

    BENCH_SEED=none scripts/bench.sh benchmarks/api.py
    DJANGO_SETTINGS_MODULE=config.settings.bench DATABASE_URL=postgres://… .venv/bin/python benchmarks/api.py

It creates (once; kept between runs) a partner ``bench-api`` with one listing, 10,000
subscriptions of it and 10,000 ledger entries, plus a usage-based subscription with 10,000 usage
records, and an API key with every scope and no rate limit. Requests go through the whole Django
stack in process (Django's test client: middleware, authentication, throttling, serialisation;
no network), one at a time, so the figures are server time:

1. ``GET /api/v1/transactions`` and ``/api/v1/subscriptions``: every page at ``limit=50`` and
   ``limit=200`` following ``next`` to the end (p50 / p95 / max per page, SQL statements per page,
   first and last page alike — cursor pagination does not slow down with depth);
2. ``POST /api/v1/usage-records`` with 100 records a batch, every key already reported (each
   record looked up and answered ``duplicate``: the whole path except the Stripe call a new record
   makes) — requests/s and records/s; and the same with 1-record batches;
3. ``GET /api/v1/leads`` and ``/api/v1/events`` paged the same way (10,000 verified leads and
   10,000 events of the partner, among another partner's as many — the lists must not read them);
4. ``POST /api/v1/certified-people/import``: 10,000 people in 20 batches of 500 rows, once
   creating them and once more updating them (p50 / p95 per batch, rows/s).
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
import uuid
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.bench")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402
from wagtail.models import Page  # noqa: E402

from accounts.models import Organisation  # noqa: E402
from api.services import create_key  # noqa: E402
from benchmarks.common import environment  # noqa: E402
from billing.models import LedgerEntry, LedgerKind, PlanPrice, Subscription, UsageRecord  # noqa: E402
from catalog.models import ListingPage  # noqa: E402
from demand.models import Lead  # noqa: E402
from partners.models import Certification, CertifiedPerson, Event, Partner, PartnerKind  # noqa: E402

ROWS = 10_000
SLUG = "bench-api"


def ensure_data():
    org, _created = Organisation.objects.get_or_create(
        slug=SLUG,
        defaults={"name": "接口基准伙伴", "name_en": "API bench partner", "kind": Organisation.Kind.PARTNER},
    )
    partner, _created = Partner.objects.get_or_create(organisation=org, defaults={"kind": PartnerKind.ISV})
    listing = ListingPage.objects.filter(partner=partner).first()
    if listing is None:
        parent = Page.get_first_root_node()
        listing = parent.add_child(
            instance=ListingPage(title="基准应用", title_en="Bench app", slug=f"{SLUG}-app", partner=partner)
        )
    customer, _created = Organisation.objects.get_or_create(
        slug=f"{SLUG}-customer", defaults={"name": "基准客户", "kind": Organisation.Kind.CUSTOMER}
    )
    flat, _created = PlanPrice.objects.get_or_create(
        listing=listing, currency="CNY", unit_amount=Decimal("99.00"), interval="month", usage_type="licensed"
    )
    metered, _created = PlanPrice.objects.get_or_create(
        listing=listing, currency="CNY", unit_amount=Decimal("0.50"), interval="month", usage_type="metered"
    )
    now = timezone.now()
    have = Subscription.objects.filter(listing=listing, price=flat).count()
    Subscription.objects.bulk_create(
        Subscription(
            organisation=customer,
            listing=listing,
            price=flat,
            plan_name="月度版",
            currency="CNY",
            unit_amount=Decimal("99.00"),
            interval="month",
            status=Subscription.Status.ACTIVE,
            idempotency_key=f"{SLUG}-{uuid.uuid4().hex}",
        )
        for _ in range(ROWS - have)
    )
    have = LedgerEntry.objects.filter(partner=partner).count()
    LedgerEntry.objects.bulk_create(
        LedgerEntry(
            partner=partner,
            kind=LedgerKind.CHARGE,
            amount=Decimal("99.00"),
            currency="CNY",
            occurred_at=now - timedelta(minutes=i),
            description="月度版",
        )
        for i in range(ROWS - have)
    )
    usage_sub = Subscription.objects.filter(listing=listing, price=metered).first()
    if usage_sub is None:
        usage_sub = Subscription.objects.create(
            organisation=customer,
            listing=listing,
            price=metered,
            plan_name="按量",
            currency="CNY",
            unit_amount=Decimal("0.50"),
            interval="month",
            status=Subscription.Status.ACTIVE,
            idempotency_key=f"{SLUG}-usage",
        )
    have = UsageRecord.objects.filter(subscription=usage_sub).count()
    UsageRecord.objects.bulk_create(
        UsageRecord(subscription=usage_sub, quantity=1, idempotency_key=f"api-{partner.pk}-k{i}")
        for i in range(have, ROWS)
    )
    ensure_leads_and_events(partner)
    other_org, _created = Organisation.objects.get_or_create(
        slug=f"{SLUG}-other",
        defaults={
            "name": "另一基准伙伴",
            "name_en": "Other bench partner",
            "kind": Organisation.Kind.PARTNER,
        },
    )
    other, _created = Partner.objects.get_or_create(
        organisation=other_org, defaults={"kind": PartnerKind.ISV}
    )
    ensure_leads_and_events(other)  # another partner's rows: the lists must not read them
    key, token = create_key(
        partner=partner,
        user=None,
        name="bench",
        scopes=[
            "payouts:read",
            "entitlements:read",
            "usage:write",
            "leads:read",
            "webhooks:manage",
            "certifications:write",
        ],
    )
    key.rate_per_second = key.burst = 30_000
    key.save()
    return partner, usage_sub, token


def ensure_leads_and_events(partner):
    now = timezone.now()
    have = Lead.objects.filter(partner=partner).count()
    Lead.objects.bulk_create(
        Lead(
            partner=partner,
            contact_name=f"客户 {i}",
            email=f"lead{i}@bench.example.cn",
            message="想了解报价。",
            verified_at=now - timedelta(minutes=i),
            first_response_due=now + timedelta(days=1),
        )
        for i in range(have, ROWS)
    )
    have = Event.objects.filter(partner=partner).count()
    Event.objects.bulk_create(
        Event(
            partner=partner,
            type="entitlement.created",
            payload={"id": str(uuid.uuid4()), "status": "active", "seats": 5},
            created_at=now - timedelta(seconds=i * 30),  # within the 30 days the API lists
        )
        for i in range(have, ROWS)
    )


def import_batches(client, partner, rounds_label):
    certification, _created = Certification.objects.get_or_create(
        slug=f"{SLUG}-cert", defaults={"name": "基准认证", "name_en": "Bench certification"}
    )
    times = []
    started = time.perf_counter()
    for batch in range(ROWS // 500):
        body = json.dumps(
            {
                "rows": [
                    {
                        "name": f"工程师 {batch * 500 + i}",
                        "email": f"cert{batch * 500 + i}@bench.example.cn",
                        "certification": certification.slug,
                        "issued_on": "2026-06-01" if rounds_label == "create" else "2026-07-01",
                    }
                    for i in range(500)
                ]
            }
        )
        t0 = time.perf_counter()
        response = client.post(
            "/api/v1/certified-people/import",
            body,
            content_type="application/json",
            headers={"Idempotency-Key": uuid.uuid4().hex},
        )
        times.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200 and response.json()["failed"] == 0, response.content[:300]
    elapsed = time.perf_counter() - started
    print(
        f"POST /api/v1/certified-people/import, 500 rows a batch ({rounds_label}): {len(times)} batches · "
        f"p50 {statistics.median(times):.0f} ms · p95 {pct(times, 95):.0f} ms · "
        f"{ROWS / elapsed:,.0f} rows/s"
    )


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def page_through(client, path, limit):
    url, times, queries, rows = f"{path}?limit={limit}", [], [], 0
    while url:
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.content[:300]
        body = response.json()
        rows += len(body["results"])
        queries.append(len(ctx.captured_queries))
        url = body["next"]
    return times, queries, rows


def main():
    print(f"Partner API benchmark · {environment()}")
    partner, usage_sub, token = ensure_data()
    client = Client(
        headers={"authorization": f"Bearer {token}", "accept-language": "en"}, SERVER_NAME="localhost"
    )
    settings.ALLOWED_HOSTS = ["*"]
    client.get("/api/v1/transactions?limit=50")  # warm up (connections, templates, caches)
    print(f"rows: {ROWS:,} per list · one client, in process (server time)")
    for path in ("/api/v1/transactions", "/api/v1/subscriptions", "/api/v1/leads", "/api/v1/events"):
        for limit in (50, 200):
            times, queries, rows = page_through(client, path, limit)
            print(
                f"{path} limit={limit}: {len(times)} pages, {rows:,} rows · "
                f"p50 {statistics.median(times):.1f} ms · p95 {pct(times, 95):.1f} ms · "
                f"max {max(times):.1f} ms · "
                f"first {times[0]:.1f} ms · last {times[-1]:.1f} ms · SQL/page {min(queries)}–{max(queries)}"
            )
    now = timezone.now().isoformat()
    for size, requests in ((100, 100), (1, 500)):
        batches = [
            json.dumps(
                {
                    "records": [
                        {
                            "subscription": str(usage_sub.public_id),
                            "quantity": 1,
                            "key": f"k{(r * size + i) % ROWS}",
                            "timestamp": now,
                        }
                        for i in range(size)
                    ]
                }
            )
            for r in range(requests)
        ]
        started = time.perf_counter()
        for n, body in enumerate(batches):
            response = client.post(
                "/api/v1/usage-records",
                body,
                content_type="application/json",
                headers={"Idempotency-Key": f"b{size}-{n}-{uuid.uuid4().hex}"},
            )
            assert response.status_code == 200, response.content[:300]
        elapsed = time.perf_counter() - started
        print(
            f"POST /api/v1/usage-records, {size} record(s) a batch (duplicates): "
            f"{requests / elapsed:.1f} requests/s · "
            f"{requests * size / elapsed:,.0f} records/s · {elapsed / requests * 1000:.1f} ms a request"
        )
    CertifiedPerson.objects.filter(partner=partner).delete()  # the first round creates every row
    import_batches(client, partner, "create")
    import_batches(client, partner, "update")


if __name__ == "__main__":
    main()
