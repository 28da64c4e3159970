"""Load: 50 concurrent clients for 60 s of mixed traffic against gunicorn + PostgreSQL + Redis.

Run through ``scripts/bench.sh`` (PostgreSQL and Redis started for it), on the demo data:

    BENCH_SEED=small scripts/bench.sh benchmarks/load.py

or by hand against a seeded database (``config.settings.bench``, ``DATABASE_URL``, ``REDIS_URL``):

    .venv/bin/python benchmarks/load.py [--clients 50] [--duration 60] [--workers 5]

The project's own WSGI app (``config.wsgi``, as the Docker image serves it) runs under gunicorn
with sync workers (2 × cores + 1 by default) and the production-like bench settings: DEBUG off,
Redis cache (so the anonymous search page cache is on, as in production), persistent database
connections. Two demo people sign in over HTTP first, through allauth's real forms: the demo
customer (organisation owner) and the demo partner owner, who also answers the TOTP second step
with the demo authenticator's current code (owners must have two-factor before the console).
Their session cookies are then sent with every signed-in request.

The paths come from the database: home (zh and en), search pages (varied words, with and
without facets), the category index and category / industry pages, every live listing page, the
partner directory and partner profiles, the customer's subscription pages and the partner
console pages. Every path is requested once before the run (a redirect or 4xx of a signed-in
page there means the sign-in failed or the page is not mounted: such console candidates are
left out and named). Then ``--clients`` threads, each with its own keep-alive HTTP connection
(reopened when gunicorn closes it), request the mixed paths in a shuffled order for
``--duration`` seconds after a short warm-up. Per page type: requests, errors (status ≥ 400 or
a socket error), redirects, p50 / p95 / p99 / max latency measured by the client. Exit status
1 on any error.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.bench")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402

from benchmarks.common import environment, facet_choices, gunicorn, percentile  # noqa: E402

SEARCH_WORDS = (
    "CRM", "ERP", "SSO", "HR", "BI", "invoice", "contract", "expense", "payroll", "analytics",
    "财务", "发票", "合同", "客户管理", "人力", "报销", "数据", "供应链", "单点登录", "协同",
    "caiwu", "fapiao", "contract manager", "客户关系管理", "云", "security", "电子签", "ticket",
)  # fmt: skip

CONSOLE_CANDIDATES = (
    "/partners/console/",
    "/en/partners/console/",
    "/partners/console/health/",
    "/partners/console/deals/",
    "/demand/console/leads/",
    "/demand/console/hall/",
    "/demand/console/deliveries/",
    "/billing/partner/",
    "/incentives/console/",
    "/partners/api/keys/",
    "/partners/api/docs/",
)
CUSTOMER_CANDIDATES = (
    "/billing/subscriptions/",
    "/en/billing/subscriptions/",
    "/account/",
    "/demand/enquiries/",
    "/demand/requirements/",
)
# Share of requests per page type (anonymous browsing dominates, as on a marketplace).
WEIGHTS = {
    "home": 10,
    "search": 25,
    "category": 12,
    "listing": 20,
    "partners": 13,
    "customer": 10,
    "console": 10,
}


def anonymous_paths(rng: random.Random) -> dict[str, list[str]]:
    from catalog.models import Category, ListingPage
    from partners.models import Industry, Partner
    from partners.models.pages import PartnerPage, PartnersIndexPage

    paths: dict[str, list[str]] = {"home": ["/", "/en/"]}
    search = []
    for n in range(150):
        params = [] if n % 4 == 0 else [("q", rng.choice(SEARCH_WORDS))]  # a quarter: facets only
        filters = facet_choices(rng, k=rng.choice((0, 1, 2, 3))) if n % 3 else {}
        params += [(key, value) for key, values in filters.items() for value in values]
        prefix = "/en" if n % 5 == 0 else ""
        search.append(f"{prefix}/search/?{urlencode(params)}")
    paths["search"] = search
    paths["category"] = [
        "/categories/",
        *(f"/categories/{slug}/" for slug in Category.objects.values_list("slug", flat=True)),
        *(f"/industries/{slug}/" for slug in Industry.objects.values_list("slug", flat=True)[:10]),
    ]
    paths["listing"] = [page.url for page in ListingPage.objects.live().specific(defer=True)]
    # A suspended partner's page stays live in the tree but answers 404 by design
    # (partners.selectors.directory.partner_profile): the directory links active partners only.
    partner_pages = list(
        PartnerPage.objects.live().filter(partner__status=Partner.Status.ACTIVE).order_by("path")[:120]
    )
    paths["partners"] = [page.url for page in PartnersIndexPage.objects.live()] * 10 + [
        page.url for page in partner_pages
    ]
    return {kind: [p for p in values if p] for kind, values in paths.items()}


def wait_ready(base: str, timeout: float = 180) -> None:
    """Until every worker has imported the project: ``/healthz`` answers several times in a row."""
    import requests

    deadline, answered = time.monotonic() + timeout, 0
    while answered < 10:
        if time.monotonic() > deadline:
            raise RuntimeError("gunicorn workers did not answer /healthz")
        try:
            answered = answered + 1 if requests.get(f"{base}/healthz", timeout=60).ok else 0
        except requests.RequestException:
            time.sleep(1)


def sign_in(base: str, email: str, *, totp: bool) -> str:
    """The session id of ``email`` after allauth's login form (and its TOTP step)."""
    import requests

    from demo.accounts import demo_password, demo_totp_code

    session = requests.Session()
    login = f"{base}/en/accounts/login/"
    session.get(login, timeout=120).raise_for_status()
    response = session.post(
        login,
        data={
            "login": email,
            "password": demo_password(),
            "csrfmiddlewaretoken": session.cookies["csrftoken"],
        },
        headers={"Referer": login},
        timeout=120,
    )
    response.raise_for_status()
    if "/2fa/authenticate" in response.url:
        if not totp:
            raise RuntimeError(f"{email}: unexpected two-factor step")
        response = session.post(
            response.url,
            data={"code": demo_totp_code(), "csrfmiddlewaretoken": session.cookies["csrftoken"]},
            headers={"Referer": response.url},
            timeout=120,
        )
        response.raise_for_status()
    if "/accounts/" in urlsplit(response.url).path:
        raise RuntimeError(f"{email} could not sign in (ended on {response.url})")
    return session.cookies["sessionid"]


def customer_detail_paths(email: str) -> list[str]:
    from accounts.models import Membership
    from billing.models import Subscription

    organisations = Membership.objects.filter(user__email=email).values_list("organisation_id", flat=True)
    subscriptions = Subscription.objects.filter(organisation_id__in=list(organisations))
    return [f"/billing/subscriptions/{sub.public_id}/" for sub in subscriptions[:10]]


def fetch(conn: http.client.HTTPConnection, path: str, cookie: str | None) -> int:
    headers = {"Cookie": f"sessionid={cookie}"} if cookie else {}
    conn.request("GET", path, headers=headers)
    response = conn.getresponse()
    response.read()
    return response.status


def preflight(base: str, schedule: dict[str, list[tuple[str, str | None]]]) -> list[str]:
    """Request every path once; drop signed-in candidates that are not a 200; name any 5xx."""
    parts = urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    problems = []
    for kind, entries in schedule.items():
        kept = []
        for path, cookie in entries:
            status = fetch(conn, path, cookie)
            if status == 200 or (cookie is None and status < 400):
                kept.append((path, cookie))
            elif status >= 500 or cookie is None:
                problems.append(f"{kind} {path}: {status}")
                kept.append((path, cookie))  # keep it: the run must show the error
            else:
                print(f"  left out {kind} {path}: {status} for the signed-in user")
        schedule[kind] = kept
    conn.close()
    return problems


def run(base: str, mix: list[tuple[str, str, str | None]], clients: int, duration: float) -> dict:
    """``clients`` threads with one keep-alive connection each, cycling through ``mix`` from
    their own offset; per page type: latencies (ms), errors, redirects, statuses seen."""
    parts = urlsplit(base)
    results = [
        {kind: {"ms": [], "errors": 0, "redirects": 0, "statuses": {}} for kind in WEIGHTS}
        for _ in range(clients)
    ]
    stop = time.monotonic() + duration

    def client(i: int) -> None:
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
        mine = results[i]
        n = i * (len(mix) // clients)
        while time.monotonic() < stop:
            kind, path, cookie = mix[n % len(mix)]
            n += 1
            row = mine[kind]
            started = time.perf_counter()
            try:
                status = fetch(conn, path, cookie)
            except (OSError, http.client.HTTPException) as error:
                conn.close()
                status = type(error).__name__
            row["ms"].append((time.perf_counter() - started) * 1000)
            row["statuses"][status] = row["statuses"].get(status, 0) + 1
            if not isinstance(status, int) or status >= 400:
                row["errors"] += 1
            elif status >= 300:
                row["redirects"] += 1
        conn.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    merged = {kind: {"ms": [], "errors": 0, "redirects": 0, "statuses": {}} for kind in WEIGHTS}
    for per_client in results:
        for kind, row in per_client.items():
            merged[kind]["ms"] += row["ms"]
            merged[kind]["errors"] += row["errors"]
            merged[kind]["redirects"] += row["redirects"]
            for status, count in row["statuses"].items():
                merged[kind]["statuses"][status] = merged[kind]["statuses"].get(status, 0) + count
    return merged


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--duration", type=int, default=60, help="seconds of measured load")
    parser.add_argument("--warmup", type=int, default=5, help="seconds of unmeasured load first")
    parser.add_argument("--workers", type=int, default=(os.cpu_count() or 2) * 2 + 1)
    args = parser.parse_args()
    rng = random.Random(2026)

    from gunicorn import __version__ as gunicorn_version

    from demo.accounts import demo_login

    cache = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
    print(
        f"Load benchmark · {environment(f'gunicorn {gunicorn_version}')} · cache {cache} · "
        f"search page cache {settings.SEARCH_PAGE_CACHE_SECONDS}s"
    )
    anonymous = anonymous_paths(rng)
    customer, partner = demo_login("customer").email, demo_login("partner").email
    with gunicorn("config.wsgi:application", workers=args.workers, extra=("--timeout", "60")) as base:
        wait_ready(base)
        customer_session = sign_in(base, customer, totp=False)
        partner_session = sign_in(base, partner, totp=True)
        print(f"  signed in over HTTP: {customer} (customer), {partner} (partner owner, password + TOTP)")
        schedule: dict[str, list[tuple[str, str | None]]] = {
            kind: [(path, None) for path in paths] for kind, paths in anonymous.items()
        }
        schedule["customer"] = [
            (path, customer_session) for path in (*CUSTOMER_CANDIDATES, *customer_detail_paths(customer))
        ]
        schedule["console"] = [(path, partner_session) for path in CONSOLE_CANDIDATES]
        problems = preflight(base, schedule)
        for problem in problems:
            print(f"  preflight: {problem}")
        print(
            "  paths: " + ", ".join(f"{kind} {len(entries)}" for kind, entries in schedule.items()) + f"; "
            f"gunicorn {args.workers} sync workers; {args.clients} clients"
        )
        # The mix: each page type's share of requests from WEIGHTS, its own paths cycled.
        mix = []
        for kind, weight in WEIGHTS.items():
            entries = schedule[kind]
            for k in range(weight * 40):
                path, cookie = entries[k % len(entries)]
                mix.append((kind, path, cookie))
        rng.shuffle(mix)
        run(base, mix, args.clients, args.warmup)
        started = time.perf_counter()
        merged = run(base, mix, args.clients, args.duration)
        elapsed = time.perf_counter() - started

    total = sum(len(row["ms"]) for row in merged.values())
    errors = sum(row["errors"] for row in merged.values())
    print(f"  {total:,} requests in {elapsed:.1f}s ({total / elapsed:,.1f} req/s), {errors} errors")
    columns = ("requests", "errors", "3xx", "p50 ms", "p95 ms", "p99 ms", "max ms")
    print(
        f"  {'page type':<10} "
        + " ".join(f"{c:>{w}}" for c, w in zip(columns, (9, 7, 5, 8, 8, 8, 8), strict=True))
    )
    every = []
    for kind, row in merged.items():
        every += row["ms"]
        print(
            f"  {kind:<10} {len(row['ms']):>9,} {row['errors']:>7} {row['redirects']:>5} "
            f"{percentile(row['ms'], 0.5):>8.1f} {percentile(row['ms'], 0.95):>8.1f} "
            f"{percentile(row['ms'], 0.99):>8.1f} {max(row['ms'], default=0):>8.1f}"
        )
        odd = {s: c for s, c in row["statuses"].items() if s != 200}
        if odd:
            print(f"  {'':<10} statuses other than 200: {odd}")
    print(
        f"  {'all':<10} {total:>9,} {errors:>7} {sum(r['redirects'] for r in merged.values()):>5} "
        f"{percentile(every, 0.5):>8.1f} {percentile(every, 0.95):>8.1f} {percentile(every, 0.99):>8.1f} "
        f"{max(every, default=0):>8.1f}"
    )
    print(f"  target 0 errors: {'PASS' if not errors and not problems else 'FAIL'}")
    return 0 if not errors and not problems else 1


if __name__ == "__main__":
    sys.exit(main())
