"""Customer pages without any cache (issue #17): requests/s of the search, listing, home, category
and partner-directory pages beside a trivial view served by the same gunicorn in the same run,
on the demo catalogue (``seed_demo``), with the search page cache off.

    BENCH_SEED=small scripts/bench.sh benchmarks/pages.py          # ~6 min with the seed
    DJANGO_SETTINGS_MODULE=config.settings.bench DATABASE_URL=postgres://… REDIS_URL=… \\
        .venv/bin/python benchmarks/pages.py [--duration 10] [--workers 5] [--connections 16]

For each page type a list of URLs (search: 60 queries and facet combinations drawn from the demo
titles and taxonomy; listing: every live listing; category: every category; home; directory)
is cycled by ``wrk`` (``-t2 -c16``), alternately with ``/bench/trivial/`` (``HttpResponse("ok")``
behind the project's whole middleware), best of two rounds each. Printed per page: requests/s,
the ratio to the trivial view and its target (search ≥ 0.15, the others ≥ 0.25), wrk's latency
p50 / p99, non-2xx responses, and the SQL statements of one request (Django test client).

The module doubles as the gunicorn app (``benchmarks.pages:application``).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.bench")
os.environ.setdefault("SEARCH_PAGE_CACHE_SECONDS", "0")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.urls import path  # noqa: E402


def trivial(request):
    return HttpResponse("ok", content_type="text/plain")


def _urlpatterns():
    from config import urls as project

    return [path("bench/trivial/", trivial, name="bench-trivial"), *project.urlpatterns]


urlpatterns = _urlpatterns()
settings.ROOT_URLCONF = "benchmarks.pages"

from django.core.wsgi import get_wsgi_application  # noqa: E402

application = get_wsgi_application()

TARGETS = {"search": 0.15, "listing": 0.25, "home": 0.25, "category": 0.25, "directory": 0.25}


def page_urls() -> dict[str, list[str]]:
    """The URLs of each page type on this database (Chinese, the default language)."""
    import random
    from urllib.parse import urlencode

    from django.utils import translation

    from catalog.models import Category
    from catalog.selectors.listings import live_listings
    from partners.models import Industry

    rng = random.Random(17)
    with translation.override(settings.LANGUAGE_CODE):
        listings = list(live_listings().order_by("pk"))
        listing_urls = [page.get_url() for page in listings]
        categories = list(Category.objects.order_by("pk").values_list("slug", flat=True))
        industries = list(Industry.objects.order_by("pk").values_list("slug", flat=True))
        words = []
        for page in listings:
            for title in (page.title, page.title_en):
                if title:
                    words.extend(w for w in re.split(r"[\s\-–·/]+", title) if len(w) >= 2)
        words = sorted(set(words))
        search = []
        for i in range(60):
            params = []
            if i % 4 != 3 and words:
                params.append(("q", rng.choice(words)))
            if i % 2 and categories:
                params.append(("category", rng.choice(categories)))
            if i % 3 == 1 and industries:
                params.append(("industry", rng.choice(industries)))
            if i % 5 == 2:
                params.append(("sort", rng.choice(["price", "rating", "newest"])))
            search.append(f"/search/?{urlencode(params)}")
    return {
        "search": search,
        "listing": listing_urls,
        "home": ["/"],
        "category": [f"/categories/{slug}/" for slug in categories],
        "directory": ["/partners/"],
    }


def sql_statements(url: str) -> int:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    client.get(url)  # warm the site, settings and label caches
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(queries.captured_queries)


def ready_within(base: str, connections: int, seconds: float = 300) -> None:
    """Wait until every worker has booted (on a loaded machine that takes longer than the warm-up
    rounds): 3-second trivial loads until two in a row serve within 20 % of each other."""
    import time

    from benchmarks.common import wrk_load

    deadline = time.monotonic() + seconds
    previous = 0.0
    while time.monotonic() < deadline:
        rps = wrk_load(base, ["/bench/trivial/"], 3, connections)["rps"]
        if rps > 0 and previous > 0 and abs(rps - previous) <= 0.2 * max(rps, previous):
            return
        previous = rps


def request_each_once(base: str, urls: list[str]) -> None:
    """Every URL once before the measured rounds (four at a time), so each page's fragments and
    image renditions exist: the rates below are for warm fragment caches (a miss costs what the
    page cost before them — ``benchmarks/pages_cpu.py`` measures both). Without this, 8 seconds
    of warm-up reached a third of the 155 listing pages and the rest were measured as misses."""
    from concurrent.futures import ThreadPoolExecutor
    from urllib.request import urlopen

    def fetch(url: str) -> None:
        with urlopen(base + url, timeout=300) as response:  # noqa: S310 - our own loopback server
            response.read()

    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(fetch, urls))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per round")
    parser.add_argument("--workers", type=int, default=(os.cpu_count() or 2) * 2 + 1)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--pages", nargs="*", default=list(TARGETS))
    args = parser.parse_args()
    if not shutil.which("wrk"):
        print("wrk is missing: apt-get install wrk")
        return 1

    from gunicorn import __version__ as gunicorn_version

    from benchmarks.common import environment, gunicorn, wrk_load

    print(f"Customer pages without cache · {environment(f'gunicorn {gunicorn_version}')}")
    urls = page_urls()
    print(
        "  URLs: "
        + ", ".join(f"{kind} {len(urls[kind])}" for kind in args.pages)
        + f" · SEARCH_PAGE_CACHE_SECONDS={os.environ['SEARCH_PAGE_CACHE_SECONDS']}"
    )
    statements = {kind: max(sql_statements(u) for u in urls[kind][:5]) for kind in args.pages}

    failed = False
    # a long timeout: on a loaded machine booting a worker alone can take gunicorn's default 30 s,
    # and the arbiter would kill and restart workers in a loop
    with gunicorn("benchmarks.pages:application", workers=args.workers, extra=("--timeout", "300")) as base:
        ready_within(base, args.connections)
        wrk_load(base, ["/bench/trivial/"], 5, args.connections)
        request_each_once(base, [url for kind in args.pages for url in urls[kind]])
        for kind in args.pages:  # warm every worker on every page (templates, caches, connections)
            wrk_load(base, urls[kind], 8, args.connections)
        print(
            f"  wrk -t2 -c{args.connections}, gunicorn {args.workers} sync workers, "
            f"best of 2 × {args.duration}s per URL set, trivial view measured before each page"
        )
        header = f"  {'page':10} {'trivial':>9} {'page':>9} {'ratio':>6} {'target':>7}"
        print(f"{header}   p50 / p99 ms   SQL  non-2xx")
        for kind in args.pages:
            trivial_rounds, page_rounds = [], []
            for _round in range(2):
                trivial_rounds.append(wrk_load(base, ["/bench/trivial/"], args.duration, args.connections))
                page_rounds.append(wrk_load(base, urls[kind], args.duration, args.connections))
            best_trivial = max(r["rps"] for r in trivial_rounds)
            best = max(page_rounds, key=lambda r: r["rps"])
            ratio = best["rps"] / best_trivial if best_trivial else 0.0
            target = TARGETS[kind]
            verdict = "PASS" if ratio >= target else "FAIL"
            failed |= ratio < target
            errors = sum(r["errors"] for r in page_rounds + trivial_rounds)
            print(
                f"  {kind:10} {best_trivial:9,.0f} {best['rps']:9,.0f} {ratio:6.3f} ≥{target:.2f} {verdict}"
                f"  {best['p50']:6.1f} / {best['p99']:6.1f}  {statements[kind]:4}  {errors}"
            )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
