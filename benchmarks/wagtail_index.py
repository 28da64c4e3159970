"""Publishing one page into Wagtail's admin search index on PostgreSQL, at a large index.

Run through ``scripts/bench.sh`` (``make bench``), or by hand against any PostgreSQL:

    BENCH_SEED=none scripts/bench.sh benchmarks/wagtail_index.py
    # or: DJANGO_SETTINGS_MODULE=config.settings.bench DATABASE_URL=postgres://… \\
    #     .venv/bin/python benchmarks/wagtail_index.py [--entries 120000] [--runs 30]

It fills Wagtail's ``IndexEntry`` table with ``--entries`` synthetic entries (titles and bodies
like the catalogue's, written with one ``INSERT … SELECT``; about what ``seed_demo --size large``
leaves: 10,000 partner pages, 100,000 listings and their images and documents), then measures,
in the same run and on the same table, ``backend.add(page)`` — what every publish pays — for:

1. Wagtail's own PostgreSQL backend (the baseline): the upsert plus the title-norm refresh,
   an aggregate over every entry;
2. ``core.wagtail_search`` (what Symbio runs): the upsert alone; plus, separately, the deferred
   refresh that beat runs every 15 minutes.

Prints the median and p95 of each in milliseconds, and the ratio.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.bench")

import django  # noqa: E402

django.setup()

from django.contrib.contenttypes.models import ContentType  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from wagtail.models import Page  # noqa: E402
from wagtail.search.backends.database.postgres.postgres import PostgresSearchBackend  # noqa: E402
from wagtail.search.models import IndexEntry  # noqa: E402

from benchmarks.common import environment  # noqa: E402
from core.wagtail_search import DeferredNormsBackend, refresh_title_norms  # noqa: E402

BENCH_OBJECT_PREFIX = "bench-wagtail-index-"


def fill(entries: int) -> None:
    """Top the table up to ``entries`` synthetic rows (kept between runs)."""
    content_type = ContentType.objects.get_for_model(Page)
    have = IndexEntry.objects.filter(object_id__startswith=BENCH_OBJECT_PREFIX).count()
    if have >= entries:
        return
    table = IndexEntry._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {table} (content_type_id, object_id, title, autocomplete, body, title_norm,
                                 title_text, body_text)
            SELECT %s, %s || n,
                   to_tsvector('simple', 'Cloudsail Contract Manager ' || n),
                   to_tsvector('simple', 'Cloudsail Contract Manager ' || n),
                   to_tsvector('simple', repeat('contracts approvals e-signature obligations ', 12) || n),
                   1.0, 'Cloudsail Contract Manager ' || n, 'contracts approvals e-signature obligations'
            FROM generate_series(%s, %s) AS n
            """,
            [content_type.pk, BENCH_OBJECT_PREFIX, have + 1, entries],
        )
        cursor.execute(f"ANALYZE {table}")


def measure(backend, page: Page, runs: int) -> list[float]:
    timings = []
    for n in range(runs):
        page.title = f"Benchmark page {n}"
        started = time.perf_counter()
        with transaction.atomic():
            backend.add(page)
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def summary(timings: list[float]) -> str:
    ordered = sorted(timings)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"median {statistics.median(ordered):8.1f} ms   p95 {p95:8.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=120_000)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()

    print(environment())
    started = time.perf_counter()
    fill(args.entries)
    total = IndexEntry.objects.count()
    print(f"index entries: {total:,} (filled in {time.perf_counter() - started:.1f} s)")

    root = Page.get_first_root_node()
    page = Page.objects.filter(slug="bench-wagtail-index").first() or root.add_child(
        instance=Page(title="Benchmark page", slug="bench-wagtail-index")
    )
    params = {"BACKEND": "core.wagtail_search"}
    stock = measure(PostgresSearchBackend(params), page, args.runs)
    ours = measure(DeferredNormsBackend(params), page, args.runs)
    refresh = []
    for _ in range(max(3, args.runs // 10)):
        IndexEntry.objects.filter(object_id=str(page.pk)).update(title_norm=1.0)
        started = time.perf_counter()
        refresh_title_norms()
        refresh.append((time.perf_counter() - started) * 1000)

    print(f"publish, Wagtail's backend (baseline):  {summary(stock)}")
    print(f"publish, core.wagtail_search:           {summary(ours)}")
    print(f"deferred norm refresh (beat, 15 min):   {summary(refresh)}")
    print(f"ratio (baseline median ÷ ours): {statistics.median(stock) / statistics.median(ours):.1f}×")


if __name__ == "__main__":
    main()
