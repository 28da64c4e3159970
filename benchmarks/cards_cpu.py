"""CPU of ``marketplace.selectors.cards.listing_cards`` for one page of cards (issue #17).

    BENCH_SEED=small scripts/bench.sh benchmarks/cards_cpu.py
    DJANGO_SETTINGS_MODULE=config.settings.bench DATABASE_URL=postgres://… REDIS_URL=… \\
        .venv/bin/python benchmarks/cards_cpu.py [--ids 20] [--calls 300]

The cards of ``--ids`` live listings (the best rated first: logos, plans, reviews; with
``--missing`` ids of no listing, as in ``search.py --page``'s synthetic index) are built
``--calls`` times in each language, alternating, after a warm-up; printed: the p50 and p90 of
``time.process_time`` per call (this Python process only, not the database's work) and the SQL
statements of one call. The same script measures any version of the function, so old and new
code can be compared back to back on the same database.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.bench")

import django  # noqa: E402

django.setup()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ids", type=int, default=20)
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument(
        "--missing",
        action="store_true",
        help="ids of no listing (as at 100,000 synthetic index documents: every card from the index)",
    )
    args = parser.parse_args()

    from django.db import connection
    from django.utils import translation

    from benchmarks.common import timed
    from catalog.selectors.listings import live_listings
    from marketplace.selectors.cards import listing_cards

    ids = list(live_listings().order_by("-rating_count", "pk").values_list("pk", flat=True)[: args.ids])
    if args.missing:
        ids = [10_000_000 + i for i in range(args.ids)]
    times = {"zh-hans": [], "en": []}
    for language in times:  # warm-up: connection, renditions, translations, caches
        with translation.override(language):
            listing_cards(ids)
    with translation.override("en"):
        _seconds, statements, cards = timed(lambda: listing_cards(ids))
    for _ in range(args.calls):
        for language, spent in times.items():
            with translation.override(language):
                started = time.process_time()
                listing_cards(ids)
                spent.append((time.process_time() - started) * 1000)
    print(
        f"listing_cards of {len(ids)} ids ({len(cards)} cards), {args.calls} calls per language,"
        f" {connection.vendor}, load {os.getloadavg()[0]:.2f}"
    )
    for language, spent in times.items():
        spent.sort()
        p90 = spent[int(len(spent) * 0.9) - 1]
        print(f"  {language:8} CPU ms p50 {statistics.median(spent):6.3f}  p90 {p90:6.3f}   SQL {statements}")
    print(f"  load at the end {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
