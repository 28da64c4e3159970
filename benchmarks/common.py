"""What every benchmark script shares: the machine line printed at the top, and timing with an
SQL statement count. Import after ``django.setup()``."""

from __future__ import annotations

import json
import os
import platform
import re
import subprocess
import tempfile
import time
from contextlib import contextmanager
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


# --- serving over HTTP: a free port, gunicorn, percentiles ------------------------------------
ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(port: int, timeout: float = 30) -> None:
    import socket

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not start")


@contextmanager
def gunicorn(app: str, *, workers: int, env: dict | None = None, extra: tuple[str, ...] = ()):
    """Serve ``app`` ("module:callable") with ``workers`` sync gunicorn workers on a free loopback
    port with the current environment (plus ``env``); yields the base URL and stops the server
    (by its PID) afterwards. ``BENCH_ACCESS_LOG=1`` prints the access log."""
    import shutil
    import signal
    import subprocess

    port = free_port()
    environ = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    binary = shutil.which("gunicorn", path=str(ROOT / ".venv" / "bin")) or "gunicorn"
    cmd = [
        binary,
        app,
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        "sync",
        "--log-level",
        "warning",
        "--access-logfile",
        "-" if os.environ.get("BENCH_ACCESS_LOG") else "/dev/null",
        *extra,
    ]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=environ)
    try:
        wait_for(port)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


def bench_organisations(prefix: str, start: int, stop: int, *, name: str, name_en: str) -> list:
    """Bulk-create the partner organisations ``<prefix>NNNNN`` numbered ``start`` to ``stop - 1``,
    named ``"<name> NNNNN"`` / ``"<name_en> NNNNN"`` (each benchmark builds its partners on them)."""
    from accounts.models import Organisation

    return Organisation.objects.bulk_create(
        [
            Organisation(
                name=f"{name} {i:05d}",
                name_en=f"{name_en} {i:05d}",
                slug=f"{prefix}{i:05d}",
                kind=Organisation.Kind.PARTNER,
            )
            for i in range(start, stop)
        ],
        batch_size=2000,
    )


def percentile(values, p: float) -> float:
    """Linear interpolation between closest ranks (``p`` in 0–1); 0.0 for no values."""
    ordered = sorted(values)
    if not ordered:
        return 0.0
    k = (len(ordered) - 1) * p
    low, high = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


def facet_choices(rng, k: int = 3) -> dict:
    """``k`` random search facets with one or two of their top-level values each."""
    from catalog.search.facets import facet_options

    keys = rng.sample(
        ["type", "category", "region", "pricing", "tier", "rating", "industry", "deployment", "kind"], k
    )
    filters = {}
    for key in keys:
        options = [value for value, _label, depth in facet_options(key) if depth == 0]
        if key == "rating":
            options = ["4", "3"]
        if options:
            filters[key] = rng.sample(options, k=min(len(options), rng.choice((1, 1, 2))))
    return filters


def wrk_load(base: str, paths: list[str], duration: int, connections: int) -> dict:
    """``wrk`` cycling through ``paths``: requests/s, latency p50 / p99 (ms), non-2xx/3xx."""
    script = (
        f"paths = {{{', '.join(json.dumps(p) for p in paths)}}}\n"
        "counter = 0\n"
        "request = function()\n"
        "  counter = counter + 1\n"
        '  return wrk.format("GET", paths[(counter % #paths) + 1])\n'
        "end\n"
    )
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
    try:
        out = subprocess.run(
            [
                "wrk",
                "-t2",
                f"-c{connections}",
                f"-d{duration}s",
                "--timeout",
                "10s",
                "--latency",
                "-s",
                handle.name,
                base,
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        os.unlink(handle.name)

    def latency(percent: str) -> float:
        match = re.search(rf"^\s+{percent}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        if not match:
            return 0.0
        value, unit = float(match.group(1)), match.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50": latency("50"),
        "p99": latency("99"),
        "errors": int(errors.group(1)) if errors else 0,
    }


# --- pages called in process: the WSGI application, no HTTP server ------------------------------
def wsgi_environ(url: str) -> dict:
    """A cookieless anonymous GET of ``url`` (path and query string) on 127.0.0.1."""
    import io
    import sys

    path, _, query = url.partition("?")
    return {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "HTTP_HOST": "127.0.0.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_USER_AGENT": "bench",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }


def wsgi_get(application, url: str) -> tuple[float, float, int]:
    """(CPU seconds of this process, wall seconds, status code) of one GET through ``application``
    (the project's whole middleware), the body read to its end."""
    status = {}

    def start_response(code, headers, exc_info=None):
        status["code"] = code

    started, wall = time.process_time(), time.perf_counter()
    body = application(wsgi_environ(url), start_response)
    try:
        for _chunk in body:
            pass
    finally:
        if hasattr(body, "close"):
            body.close()
    return time.process_time() - started, time.perf_counter() - wall, int(status["code"].split()[0])


@contextmanager
def search_call_timer():
    """Time every ``catalog.search.search()`` call the search page makes (wall and CPU seconds,
    appended to the yielded dict's lists): the page's time minus these is what it does around
    the search call (issue #17: ≤ 8 ms p50)."""
    from marketplace.views import search as view

    spent = {"wall": [], "cpu": []}
    original = view.search

    def timed_search(*args, **kwargs):
        cpu, wall = time.process_time(), time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            spent["wall"].append(time.perf_counter() - wall)
            spent["cpu"].append(time.process_time() - cpu)

    view.search = timed_search
    try:
        yield spent
    finally:
        view.search = original
