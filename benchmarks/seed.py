"""``seed_demo`` on PostgreSQL, section by section, in wall-clock and CPU time.

Run through ``scripts/bench.sh`` with its own seed switched off (this script seeds):

    BENCH_SEED=none scripts/bench.sh benchmarks/seed.py            # --size large
    BENCH_SEED=none SEED_SIZE=small scripts/bench.sh benchmarks/seed.py
    # or: DJANGO_SETTINGS_MODULE=config.settings.bench DATABASE_URL=postgres://… \\
    #     .venv/bin/python benchmarks/seed.py [--size large] [--profile SECTION-PREFIX]

For every section of the seed it prints the wall-clock seconds, this process's CPU seconds
(``time.process_time``) and the CPU seconds of the PostgreSQL backend serving this process's
connection (from ``/proc/<pid>/stat``, so only when the server runs on the same machine), then
the totals and the load average. On a shared machine the CPU columns are what to compare.
Then it times publishing one listing and one partner page at that size (``--publish-runs``;
``--publish-only``, or a database seeded before, times that alone).
``--profile "Listings"`` runs the sections whose title starts with that text under cProfile
and prints the 40 costliest functions (cumulative CPU time of this process).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import sys
import time
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.bench")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from benchmarks.common import environment, timed  # noqa: E402
from demo.base import SeedContext  # noqa: E402

TICKS = os.sysconf("SC_CLK_TCK")


def backend_cpu() -> float | None:
    """CPU seconds (user + system) used so far by this connection's PostgreSQL backend."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pid = cursor.fetchone()[0]
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime
    except (OSError, IndexError, ValueError):
        return None


def load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


HEADER = f"{'section':<66} {'wall s':>8} {'py cpu s':>9} {'pg cpu s':>9}  load"
ROWS: list[tuple[str, float, float, float | None, str]] = []


def row(title, wall, cpu, pg, when) -> str:
    return f"{title[:66]:<66} {wall:8.1f} {cpu:9.1f} {'' if pg is None else f'{pg:9.1f}':>9}  {when}"


def instrument(profile_prefix: str | None) -> None:
    original = SeedContext.section

    @contextmanager
    def section(self, title, **kwargs):
        pg0, cpu0, wall0 = backend_cpu(), time.process_time(), time.perf_counter()
        profiler = (
            cProfile.Profile(time.process_time)
            if profile_prefix and title.startswith(profile_prefix)
            else None
        )
        with original(self, title, **kwargs) as counts:
            if profiler:
                profiler.enable()
            try:
                yield counts
            finally:
                if profiler:
                    profiler.disable()
        pg1 = backend_cpu()
        pg = pg1 - pg0 if pg0 is not None and pg1 is not None else None
        ROWS.append((title, time.perf_counter() - wall0, time.process_time() - cpu0, pg, load()))
        print(row(*ROWS[-1]), flush=True)
        if profiler:
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(40)
            print(out.getvalue())

    SeedContext.section = section


def publish_timings(runs: int) -> None:
    """What one publish costs at this size: ``save_revision().publish()`` of a live listing and
    of a partner page, ``runs`` times each (rolled back), median and worst, with SQL counts."""
    from catalog.models import ListingPage
    from partners.models import PartnerPage

    for model in (ListingPage, PartnerPage):
        page = model.objects.live().order_by("pk").first()
        if page is None:
            continue
        timings = []
        with transaction.atomic():
            for _ in range(runs):
                cpu0, pg0 = time.process_time(), backend_cpu()
                elapsed, queries, _result = timed(lambda page=page: page.save_revision().publish())
                cpu, pg1 = time.process_time() - cpu0, backend_cpu()
                pg = pg1 - pg0 if pg0 is not None and pg1 is not None else 0.0
                timings.append((elapsed * 1000, (cpu + pg) * 1000, queries))
                page = model.objects.get(pk=page.pk)
            transaction.set_rollback(True)
        wall = sorted(t[0] for t in timings)
        cpu = sorted(t[1] for t in timings)
        print(
            f"publish one {model.__name__}: median {wall[len(wall) // 2]:.1f} ms wall-clock "
            f"(max {wall[-1]:.1f}), median {cpu[len(cpu) // 2]:.1f} ms CPU (Python + PostgreSQL), "
            f"{timings[-1][2]} queries (of {model.objects.count():,} pages; load {load()})"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", default=os.environ.get("SEED_SIZE", "large"))
    parser.add_argument("--profile", default=os.environ.get("SEED_PROFILE"))
    parser.add_argument("--publish-runs", type=int, default=10)
    parser.add_argument("--publish-only", action="store_true", help="no seeding: time publishing only")
    args = parser.parse_args()
    from partners.models import Partner

    if not args.publish_only and Partner.objects.exists():
        # `make bench` (BENCH_SEED=large) seeded already: a second, idempotent seed times nothing useful.
        print("The database is seeded already (BENCH_SEED=none times the seed): publishing only.")
        args.publish_only = True
    if args.publish_only:
        print(environment(f"load {load()}"))
        publish_timings(args.publish_runs)
        return
    print(environment(f"seed_demo --size {args.size}", f"load {load()}"))
    instrument(args.profile)
    print(HEADER, flush=True)
    started, cpu0, pg0 = time.perf_counter(), time.process_time(), backend_cpu()
    call_command("seed_demo", size=args.size, verbosity=0)
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu0
    pg1 = backend_cpu()
    print(HEADER)
    for values in ROWS:
        print(row(*values))
    pg = f"{pg1 - pg0:9.1f}" if pg0 is not None and pg1 is not None else ""
    print(f"{'whole seed':<66} {wall:8.1f} {cpu:9.1f} {pg:>9}  {load()}")
    publish_timings(args.publish_runs)


if __name__ == "__main__":
    main()
