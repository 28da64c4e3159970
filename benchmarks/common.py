"""What every benchmark script shares: the machine line printed at the top, and timing with an
SQL statement count. Import after ``django.setup()``."""

from __future__ import annotations

import os
import platform
import time
from pathlib import Path

from django.db import connection


def environment(*extras: str) -> str:
    """ "<CPU> × <cores> · Python … · PostgreSQL …" plus ``extras`` (e.g. "gunicorn 23.0")."""
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg = cursor.fetchone()[0]
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    parts = [f"{cpu} × {os.cpu_count()}", f"Python {platform.python_version()}", f"PostgreSQL {pg}", *extras]
    return " · ".join(parts)


def timed(fn):
    """(seconds, SQL statements executed on this connection, result) — counted by an execute
    wrapper, so there is no cap as with ``CaptureQueriesContext``'s 9,000-query log."""
    executed = []

    def count(execute, sql, params, many, context):
        executed.append(1)
        return execute(sql, params, many, context)

    started = time.perf_counter()
    with connection.execute_wrapper(count):
        result = fn()
    return time.perf_counter() - started, len(executed), result
