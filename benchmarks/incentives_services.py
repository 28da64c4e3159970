"""The incentives services at the seeded size, in CPU time: a pool previewed and published over
every eligible partner, then one month's star ratings — each in a transaction rolled back.

Run on a seeded database (``BENCH_SEED=large scripts/bench.sh benchmarks/incentives_services.py``,
or after ``benchmarks/seed.py`` with the same ``DATABASE_URL``); run it from an older checkout
against the same database for a side-by-side comparison. Prints wall-clock seconds, this
process's CPU seconds, its PostgreSQL backend's CPU seconds and the SQL statements of each step.
"""

from __future__ import annotations

import os
import sys
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.bench")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402

from accounts.models import User  # noqa: E402
from benchmarks.seed import backend_cpu, load  # noqa: E402
from demo.base import DEMO_TODAY  # noqa: E402
from incentives.services import allocation, stars  # noqa: E402


def measure(label: str, step) -> None:
    statements = [0]

    def count(execute, sql, params, many, context):
        statements[0] += 1
        return execute(sql, params, many, context)

    with transaction.atomic():
        pg0, cpu0, wall0 = backend_cpu() or 0.0, time.process_time(), time.perf_counter()
        with connection.execute_wrapper(count):
            rows = step()
        wall, cpu, pg = time.perf_counter() - wall0, time.process_time() - cpu0, (backend_cpu() or 0.0) - pg0
        transaction.set_rollback(True)
    print(
        f"{label:<32} {rows:>6} rows  wall {wall:6.1f} s  CPU {cpu:5.1f} + {pg:4.1f} s  "
        f"{statements[0]:>6} statements  load {load()}",
        flush=True,
    )


def publish_a_pool() -> int:
    manager = User.objects.get(email="pm@symbio.demo")
    pool = allocation.create_pool(
        user=manager,
        name="benchmark pool",
        period_start=date(DEMO_TODAY.year, 1, 1),
        period_end=date(DEMO_TODAY.year, 12, 31),
        amount=Decimal("10000000.00"),
        currency="CNY",
        exclude_at_risk=False,
    )
    rows = allocation.preview_allocation(pool=pool, user=manager)
    allocation.publish_pool(pool=pool, user=manager)
    return len(rows)


if __name__ == "__main__":
    measure("preview + publish a pool", publish_a_pool)
    measure("star ratings of one month", lambda: stars.compute_star_ratings(month=DEMO_TODAY.replace(day=1)))
