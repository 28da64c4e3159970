"""In-process CPU of the customer pages (issue #17): the companion of ``benchmarks/pages.py`` for a
shared machine, where throughput ratios mean nothing but a process's own CPU time still does.

    BENCH_SEED=small scripts/bench.sh benchmarks/pages_cpu.py
    DJANGO_SETTINGS_MODULE=config.settings.bench DATABASE_URL=postgres://… REDIS_URL=… \\
        .venv/bin/python benchmarks/pages_cpu.py [--requests 40] [--modes warm miss] [--urls 20]

The WSGI application of ``benchmarks.pages`` (the project's whole middleware, no HTTP server) is
called directly for the same URL sets as ``pages.py`` (plus the trivial view), each URL warmed
first. Printed per page: the p50 and p90 of ``time.process_time`` per request over ``--requests``
requests cycling through the URLs (this Python process only: PostgreSQL's and Redis's work is not
in it), the SQL statements and the cache round trips of one request (the median).

Modes: ``warm`` — the fragment caches (``core.fragments``) are filled (every URL requested
once before); ``miss`` — the fragments' content version is bumped before every request, so each
one renders and stores its fragments afresh (untimed bump); ``off`` — every cache of
``docs/caching.md`` off (``FRAGMENT_CACHE_SECONDS=0``: no fragments, no whole anonymous pages, no
cached routes), each request rendered from scratch. On code without ``core.fragments``
``warm`` and ``miss`` measure the same thing. The search page cache stays off
(``SEARCH_PAGE_CACHE_SECONDS=0``). For the search page the CPU and wall time inside
``catalog.search.search()`` are measured too, and the page's time around that call (the page minus
the call, per request: issue #17's "≤ 8 ms p50 around the search call") is printed beside it.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.bench")
os.environ.setdefault("SEARCH_PAGE_CACHE_SECONDS", "0")

from benchmarks import pages  # noqa: E402  (django.setup, the URLconf with the trivial view)


class _Counter:
    def __init__(self):
        self.sql = 0

    def __call__(self, execute, sql, params, many, context):
        self.sql += 1
        return execute(sql, params, many, context)


def _cache_calls():
    """Count the default cache's operations (each is one Redis round trip)."""
    from django.core.cache import cache

    counter = {"n": 0}
    names = ("get", "get_many", "set", "set_many", "add", "incr", "delete", "has_key", "touch")
    for name in names:
        original = getattr(cache, name)

        def wrapped(*args, _original=original, **kwargs):
            counter["n"] += 1
            return _original(*args, **kwargs)

        setattr(cache, name, wrapped)
    return counter


def request(url: str) -> tuple[float, int]:
    from benchmarks.common import wsgi_get

    spent, _wall, code = wsgi_get(pages.application, url)
    return spent, code


def _bump():
    try:
        from core.fragments import bump_content_version
    except ImportError:  # code without fragment caches
        return
    bump_content_version()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--modes", nargs="*", default=["warm", "miss"])
    parser.add_argument("--pages", nargs="*", default=["trivial", *pages.TARGETS])
    parser.add_argument("--urls", type=int, default=0, help="only the first N URLs of each page type")
    args = parser.parse_args()

    from django.conf import settings
    from django.db import connection

    from benchmarks.common import search_call_timer

    urls = {"trivial": ["/bench/trivial/"], **pages.page_urls()}
    calls = _cache_calls()
    fragment_seconds = settings.FRAGMENT_CACHE_SECONDS
    print(f"In-process CPU per request, ms (p50 / p90 of {args.requests}), load {os.getloadavg()[0]:.1f}")
    for mode in args.modes:
        settings.FRAGMENT_CACHE_SECONDS = 0 if mode == "off" else fragment_seconds
        for kind in args.pages:
            chosen = urls[kind][: args.urls] if args.urls else urls[kind]
            for url in chosen:  # warm: templates, connections, renditions, label caches, fragments
                spent, code = request(url)
                assert code == 200, (url, code)
            times, sql, trips, around = [], [], [], []
            for i in range(args.requests):
                url = chosen[i % len(chosen)]
                if mode == "miss":
                    _bump()
                counter = _Counter()
                calls["n"] = 0
                with connection.execute_wrapper(counter), search_call_timer() as inside:
                    spent, code = request(url)
                assert code == 200, (url, code)
                times.append(spent * 1000)
                sql.append(counter.sql)
                trips.append(calls["n"])
                if inside["cpu"]:
                    around.append((spent - sum(inside["cpu"])) * 1000)
            times.sort()
            p90 = times[int(len(times) * 0.9) - 1]
            print(
                f"  {mode:5} {kind:10} {statistics.median(times):7.2f} / {p90:7.2f}"
                f"   SQL {statistics.median(sql):4.0f}   cache {statistics.median(trips):3.0f}"
                + (f"   around the search call p50 {statistics.median(around):6.2f}" if around else "")
            )
    print(f"  load at the end {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
