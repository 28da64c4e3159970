"""Search relevance on the demo catalogue: nDCG@10 of our engine beside Wagtail's built-in search,
same data, same run, over graded judgements (``benchmarks/relevance_judgements.json``).

    rm -f var/db.sqlite3; .venv/bin/python manage.py migrate -v0 && .venv/bin/python manage.py seed_demo
    .venv/bin/python benchmarks/relevance.py            # SQLite (config.settings.local)
    BENCH_SEED=small scripts/bench.sh benchmarks/relevance.py   # PostgreSQL, same demo data

Judgements. Each query states its *intent* (what a buyer typing it is after, decided from the
words, never from any engine's answers): the demo products it means (grade 3, or 2 for a
near neighbour), and optionally a listing type that makes a product listing a perfect match
(the others of that product then get 1) or a category whose listings are relevant (grade 2 or
1). ``--write-judgements`` expands the intents over the demo listings into explicit grades per
listing (by English title) in the same file; the benchmark reads only those grades. Listings
not named are grade 0.

Queries: Chinese, English, mixed, typos, abbreviations and pinyin (``kind`` in the file). Our
engine is asked as the search page asks it (``relax=True``: see ``catalog.search.relax``), in
the query's language (Chinese for Chinese, mixed and pinyin, English for
English); Wagtail's search is ``ListingPage.objects.live().search(query)`` with its configured
backend (the database backend of ``settings.WAGTAILSEARCH_BACKENDS``), whose index the demo
seeding fills as pages are published (``manage.py update_index`` refreshes it).

nDCG@10 = DCG@10 / ideal DCG@10 with gain 2^grade − 1 and discount log2(rank + 1); a query
whose engine returns nothing relevant scores 0. Printed per query kind and overall.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.utils import translation  # noqa: E402

from catalog.models import ListingPage  # noqa: E402
from catalog.search import search  # noqa: E402
from catalog.selectors.listings import live_listings  # noqa: E402

JUDGEMENTS = Path(__file__).with_name("relevance_judgements.json")
K = 10


def dcg(grades: list[int]) -> float:
    return sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(grades[:K]))


def ndcg(ranked_ids: list[int], grades: dict[int, int]) -> float:
    ideal = dcg(sorted(grades.values(), reverse=True))
    if not ideal:
        return 0.0
    return dcg([grades.get(i, 0) for i in ranked_ids[:K]]) / ideal


# --- judgements ----------------------------------------------------------------------------------
def _listings() -> list[dict]:
    """Every live listing with what an intent matches on: English title, type, category slugs
    (with their ancestors)."""
    from catalog.models import Category

    parents = dict(Category.objects.values_list("pk", "parent_id"))
    slugs = dict(Category.objects.values_list("pk", "slug"))
    out = []
    for page in live_listings().prefetch_related("categories").order_by("pk"):
        categories = set()
        for category in page.categories.all():
            pk = category.pk
            while pk:
                categories.add(slugs[pk])
                pk = parents.get(pk)
        out.append(
            {"id": page.pk, "title_en": page.title_en, "type": page.listing_type, "categories": categories}
        )
    return out


def expand(intent: dict, listings: list[dict]) -> dict[str, int]:
    """Grades per English title from a query's intent (see the module docstring)."""
    grades: dict[str, int] = {}

    def give(title: str, grade: int):
        grades[title] = max(grades.get(title, 0), grade)

    for listing in listings:
        title = listing["title_en"].casefold()
        for category, grade in intent.get("categories", {}).items():
            if category in listing["categories"]:
                give(listing["title_en"], grade)
        for product, grade in intent.get("products", {}).items():
            if product.casefold() in title:
                wanted = intent.get("type")
                if wanted and listing["type"] != wanted:
                    grade = 1
                give(listing["title_en"], grade)
    return dict(sorted(grades.items()))


def write_judgements() -> None:
    data = json.loads(JUDGEMENTS.read_text())
    listings = _listings()
    for query in data["queries"]:
        query["grades"] = expand(query["intent"], listings)
        if not query["grades"]:
            print(f"  no listing matches the intent of {query['query']!r}", file=sys.stderr)
    JUDGEMENTS.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n")
    print(f"wrote grades for {len(data['queries'])} queries over {len(listings)} listings")


# --- engines ---------------------------------------------------------------------------------------
def ours(query: dict) -> list[int]:
    language = "en" if query["language"] == "en" else "zh-hans"
    with translation.override(language):
        result = search(text=query["query"], language=language, per_page=K, relax=True)  # as the page asks
    return [hit.listing_id for hit in result.hits]


def wagtail(query: dict) -> list[int]:
    return [page.pk for page in ListingPage.objects.live().search(query["query"])[:K]]


def run(args) -> None:
    data = json.loads(JUDGEMENTS.read_text())
    by_title: dict[str, list[int]] = defaultdict(list)
    for listing in _listings():
        by_title[listing["title_en"]].append(listing["id"])
    engines = {"ours": ours, "wagtail": wagtail}
    scores: dict[str, dict[str, list[float]]] = {name: defaultdict(list) for name in engines}
    timings: dict[str, list[float]] = {name: [] for name in engines}
    rows = []
    for query in data["queries"]:
        grades = {pk: g for title, g in query["grades"].items() for pk in by_title.get(title, [])}
        row = [query["kind"], query["query"]]
        for name, engine in engines.items():
            started = time.perf_counter()
            ranked = engine(query)
            timings[name].append(time.perf_counter() - started)
            score = ndcg(ranked, grades)
            scores[name][query["kind"]].append(score)
            scores[name]["all"].append(score)
            row.append(f"{score:.3f}")
        rows.append(row)
    vendor = connection.vendor
    print(f"Relevance on the demo catalogue — {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {vendor}")
    print(f"{len(by_title)} listing titles, {len(data['queries'])} judged queries, nDCG@{K}")
    if args.verbose:
        print(f"\n{'kind':<12} {'query':<28} {'ours':>6} {'wagtail':>8}")
        for kind, text, a, b in rows:
            print(f"{kind:<12} {text:<28} {a:>6} {b:>8}")
    print(f"\n{'queries':<14} {'n':>3} {'ours':>7} {'wagtail':>8}")
    kinds = sorted({q["kind"] for q in data["queries"]}) + ["all"]
    for kind in kinds:
        a, b = scores["ours"][kind], scores["wagtail"][kind]
        print(f"{kind:<14} {len(a):>3} {sum(a) / len(a):>7.3f} {sum(b) / len(b):>8.3f}")
    for name, values in timings.items():
        values.sort()
        print(f"{name}: median {1000 * values[len(values) // 2]:.1f} ms per query")
    overall = sum(scores["ours"]["all"]) / len(scores["ours"]["all"])
    print(f"\ntarget nDCG@{K} ≥ 0.90: {'met' if overall >= 0.9 else 'NOT met'} ({overall:.3f})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--write-judgements", action="store_true", help="expand the intents into grades")
    parser.add_argument("-v", "--verbose", action="store_true", help="one line per query")
    args = parser.parse_args()
    if args.write_judgements:
        write_judgements()
    else:
        run(args)


if __name__ == "__main__":
    main()
