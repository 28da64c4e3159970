"""Shared fixtures. Unit tests run on PostgreSQL with eager tasks; integration tests use the
Redis and localstripe that `make test` started (their URLs arrive in the environment).

One module because pytest shares a fixture or hook with every test directory only from the root
``conftest.py``; its sections are headed: scheduling over the workers, the restore after
transactional tests, the demo seed and media, services, staff, the browser, the Celery worker."""

import itertools
import os
import subprocess
import sys
import time
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from django.test import Client

if TYPE_CHECKING:
    from demo.base import SeedContext

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
# pytest-xdist (scripts/test.sh runs ``-n 2 --dist loadgroup``): tests sharing something that
# cannot be split per worker run on one worker, by ``xdist_group``, given here by what they use.
LOCALSTRIPE_GROUP = "localstripe"  # one localstripe server; webhook endpoints it calls are global
BROWSER_GROUP = "browser"  # one Chromium (Playwright marks the thread's event loop running)
DEMO_GROUP = "demo"  # tests marked ``demo`` (seeding the demo data): a group per module, handed out first
DEMO_SEED = "demo_seed"  # the session's one full demo seed: its users share DEMO_GROUP itself
# Playwright 1.65's ``disabledFeatures`` (playwright/driver/package/lib/coreBundle.js).
PLAYWRIGHT_DISABLED_FEATURES = [
    "AvoidUnnecessaryBeforeUnloadCheckSync",
    "DestroyProfileOnBrowserClose",
    "HttpsUpgrades",
    "HttpsFirstBalancedModeAutoEnable",
    "LensOverlay",
    "MediaRouter",
    "PaintHolding",
    "ThirdPartyStoragePartitioning",
    "AvoidCorsURLLoaderRestartOnRedirect",
    "TcpPortRandomizationWin",
    "OptimizationHints",
    "NetworkTimeServiceQuerying",
    "AimEnabled",
    "PreconnectToSearch",
    "msForceBrowserSignIn",
    "msEdgeUpdateLaunchServicesPreferredVersion",
]
CHROMIUM_DISABLED_FEATURES = [
    # Site isolation: one renderer process for the test site instead of one per site plus spare
    # ones (with --disable-site-isolation-trials and no PaintHolding: 12–20 % less Chromium CPU
    # over the journeys, docs/testing.md). The tests serve one origin, so it protects nothing.
    "IsolateOrigins",
    "site-per-process",
    # Headless Chromium 156 is the whole browser: each browser context's window builds its
    # omnibox popups as WebUI pages (chrome://omnibox-popup.top-chrome/ and its AI-mode page),
    # two renderer processes per context that nobody sees — ~15 % of Chromium's CPU over the
    # journeys (docs/testing.md, 2026-12-05 fifth session).
    "WebUIOmniboxPopup",
    "WebUIOmniboxAimPopup",
    "WebUIOmniboxFullPopup",
]
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # No site isolation (see CHROMIUM_DISABLED_FEATURES).
    "--disable-site-isolation-trials",
    # V8's baseline compilers only (Ignition + Sparkplug; no Maglev or TurboFan): each browser
    # context is a fresh renderer process, so optimised code was compiled again for every person
    # of every journey — axe-core's functions above all (~2.3 s of Maglev jobs in the partner and
    # staff audit alone) — and thrown away minutes later. 10–15 % less Chromium CPU on the
    # journeys that run axe, the same on the others (docs/testing.md, 2026-12-05 fifth session).
    "--js-flags=--max-opt=1",
    # Chromium keeps only the last --disable-features switch, and this one comes after
    # Playwright's own: it has to repeat Playwright's list (tests/browser/test_chromium_args.py
    # checks it against the installed Playwright) or those features come back on.
    "--disable-features=" + ",".join(PLAYWRIGHT_DISABLED_FEATURES + CHROMIUM_DISABLED_FEATURES),
]


def _shared_db_fixture(item):
    """The first module-, package- or session-scoped fixture of ours that writes test data
    (it takes ``django_db_blocker``), as ``baseid::name``; None when the test uses none."""
    info = getattr(item, "_fixtureinfo", None)
    if info is None:
        return None
    for name in item.fixturenames:
        for fixturedef in (info.name2fixturedefs.get(name) or ())[-1:]:
            if fixturedef.scope == "function" or "django_db_blocker" not in fixturedef.argnames:
                continue
            if not str(getattr(fixturedef.func, "__module__", "")).startswith("tests."):
                continue  # pytest-django's own django_db_setup
            return f"{fixturedef.baseid}::{name}"
    return None


# First: xdist's worker hook reads the xdist_group marks right after the plain hooks, and
# pytest-django's (also tryfirst, registered earlier, so run after this one) sorts stably.
@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """Order and group the tests for pytest-xdist (``--dist loadgroup``).

    A fixture that builds data once per module (``_shared_db_fixture``) keeps its transaction
    open until the module's last test: the module's tests that do not use it run first (their
    order is otherwise kept) and the whole module runs on one worker. Tests that use
    localstripe, the browser or the demo seed are grouped by that.
    """
    shared = {item.nodeid: _shared_db_fixture(item) for item in items}
    module_group = {}
    for item in items:
        if shared[item.nodeid]:
            # One group per module, also for a fixture of a package's conftest (each module
            # builds its own data): the search package's modules then spread over the workers.
            module = item.nodeid.split("::", 1)[0]
            name = shared[item.nodeid].rpartition("::")[2]
            module_group.setdefault(item.path, f"{module}::{name}")
            if name == DEMO_SEED:  # one seed for every module that reads it: one group, one worker
                module_group[item.path] = DEMO_GROUP
            elif item.get_closest_marker("demo"):  # the slow seeds: a group each, so two workers share them
                module_group[item.path] = f"{DEMO_GROUP}-{item.path.stem}"
    start = 0
    while start < len(items):  # each run of consecutive tests from one such module
        end = start
        while end < len(items) and items[end].path == items[start].path:
            end += 1
        if items[start].path in module_group:
            items[start:end] = sorted(items[start:end], key=lambda it: shared[it.nodeid] is not None)
        start = end
    for item in items:
        if item.get_closest_marker("xdist_group"):
            continue
        if item.path in module_group:
            group = module_group[item.path]
        elif item.get_closest_marker("browser"):
            group = BROWSER_GROUP
        elif "stripe_api_base" in item.fixturenames:
            group = LOCALSTRIPE_GROUP
        elif item.get_closest_marker("demo"):  # seeds of their own in each worker's database
            group = f"{DEMO_GROUP}-{item.path.stem}"
        else:
            continue
        item.add_marker(pytest.mark.xdist_group(group))
    if hasattr(config, "workerinput") and config.getvalue("loadgroup"):
        _suffix_group_names(items)


def _suffix_group_names(items):
    """What pytest-xdist's worker does for ``--dist loadgroup``: append ``@group`` to the node id,
    which its scheduler reads. xdist 3.8 sets ``item._nodeid``; pytest 9 builds ``nodeid`` from
    ``item._id``, so without this the groups are silently ignored."""
    from _pytest.nodeid import NodeId

    for item in items:
        names = sorted({str(mark.args[0]) for mark in item.iter_markers("xdist_group") if mark.args})
        if names and "@" not in item.nodeid.rpartition("]")[2]:
            item._id = NodeId.parse(f"{item.nodeid}@{'_'.join(names)}")


class _SlowSeedsFirst:
    """After every other reordering (pytest-django's included): the demo-seeding groups go to
    the front, the longest first, with the browser journeys second. xdist hands out work units
    in collection order, one more to a worker whenever it has two tests left, so a long unit
    handed out last keeps one worker busy while the other idles; the seeds sat near the end
    (``tests/unit/test_seed_demo.py`` is collected after every app directory). The seeds are
    ordinary database tests; after the journeys (transactional: they flush) the worker's next
    database test restores the migrated data first (``pytest_runtest_setup`` below)."""

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, items):
        def group(item):
            names = [str(m.args[0]) for m in item.iter_markers("xdist_group") if m.args]
            return names[0] if names else ""

        seeds = {}
        for item in items:
            if group(item).startswith(DEMO_GROUP):
                seeds.setdefault(group(item), []).append(item)
        for name in seeds:  # the users of the session's demo seed run one after the other, last
            seeds[name].sort(key=lambda item: DEMO_SEED in item.fixturenames)
        ordered = sorted(seeds, key=lambda n: -len(seeds[n]))
        # The browser journeys (~75 s on one worker) go second, so that the other worker takes
        # them while the first seeds: handed out last (pytest-django orders transactional tests
        # last) they kept one worker busy for a minute after the other had finished.
        browser = [item for item in items if group(item) == BROWSER_GROUP]
        first = list(seeds[ordered[0]]) if ordered else []
        first += browser + [item for name in ordered[1:] for item in seeds[name]]
        if first:
            front = {id(item) for item in first}
            items[:] = first + [item for item in items if id(item) not in front]


def pytest_configure(config):
    config.pluginmanager.register(_SlowSeedsFirst(), "symbio-slow-seeds-first")


def pytest_collection_finish(session):
    """What is loaded by now (Django, Wagtail, every test module) lives for the whole run: moved
    out of the garbage collector's sight (``gc.freeze``), and the youngest generation collected
    every 20,000 allocations instead of 700. Cycles are still collected, less often: ~2-3 % of
    the CPU of a worker (tests/unit/api + billing, one process: 73.5-74.4 s → 71.2-72.8 s)."""
    import gc

    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 20, 50)


# --- Transactional tests leave an empty database ----------------------------------------------
# A transactional test (``transaction=True``, ``live_server``) ends by flushing every table, and
# with ``serialized_rollback`` Django does not even re-run post_migrate: what the migrations
# created (Wagtail's root page and site, locales, content types, groups) is gone until the next
# serialized_rollback test restores it. Django therefore runs them last; under pytest-xdist a
# worker may get other tests after them, so the migrated data is restored before the next test
# that needs it (what Django does at the start of a serialized_rollback test).
_FLUSHED = pytest.StashKey[bool]()
_HIDDEN = pytest.StashKey[dict]()


def _database_use(item):
    """None (no database), "db", "transactional" or "serialized" (transactional that restores)."""
    from pytest_django.fixtures import validate_django_db

    fixtures = set(getattr(item, "fixturenames", ()))
    marker = item.get_closest_marker("django_db")
    transactional = serialized = False
    if marker:
        transactional, reset_sequences, _databases, serialized, _apps = validate_django_db(marker)
        transactional = transactional or reset_sequences
    elif not fixtures & {"db", "transactional_db", "live_server"}:
        return None
    transactional = transactional or bool(fixtures & {"transactional_db", "live_server"})
    serialized = serialized or "django_db_serialized_rollback" in fixtures
    if not transactional:
        return "db"
    return "serialized" if serialized else "transactional"


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    """Every database test starts from the migrated data. After a transactional test (which
    flushed, and may have re-run post_migrate), empty the database and restore the serialized
    copy here; a serialized_rollback test does not restore it again (its copy is hidden from
    Django for the test and given back at teardown, before Django's own flush)."""
    use = _database_use(item)
    if use is None:
        return
    from django.core.management import call_command
    from django.db import connections
    from pytest_django.plugin import blocking_manager_key

    with item.config.stash[blocking_manager_key].unblock():
        dirty = item.config.stash.get(_FLUSHED, False)
        hidden = {}
        for connection in connections.all():
            contents = getattr(connection, "_test_serialized_contents", None)
            if not contents:
                continue
            if dirty:
                if not _empty(connection):
                    call_command(
                        "flush",
                        verbosity=0,
                        interactive=False,
                        database=connection.alias,
                        reset_sequences=False,
                        inhibit_post_migrate=True,
                    )
                _restore(connection, contents)
            if use == "serialized":
                hidden[connection.alias] = contents
                del connection._test_serialized_contents
        item.config.stash[_FLUSHED] = False
        item.stash[_HIDDEN] = hidden


def _empty(connection) -> bool:
    """Every table empty, as Django's flush at the end of a serialized_rollback test leaves them:
    one statement instead of flushing again (a TRUNCATE of ~200 tables, ~0.35 s of PostgreSQL).
    Anything left in a table (rows a test's server or worker wrote after that flush, or what a
    transactional test's post_migrate made) and the tables are flushed as before."""
    quote = connection.ops.quote_name
    tables = connection.introspection.django_table_names(only_existing=True, include_views=False)
    if not tables:
        return True
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + " OR ".join(f"EXISTS (SELECT 1 FROM {quote(t)})" for t in tables))
        return not cursor.fetchone()[0]


def _restore(connection, contents: str) -> None:
    """Django's ``deserialize_db_from_string`` into the emptied tables, content types first:
    models such as Wagtail's tasks ask for their content type while being built, which would
    otherwise create it anew. One raw INSERT per model and per many-to-many table instead of an
    UPDATE-then-INSERT per object: ~1,100 objects (700 permissions) a restore. The rows are those
    serialized, as with ``save(raw=True)`` (no ``auto_now``, no signals); models with a parent
    table (multi-table inheritance) are saved one by one as Django does."""
    import json

    from django.contrib.contenttypes.models import ContentType
    from django.core import serializers
    from django.db import transaction

    alias = connection.alias
    records = json.loads(contents)
    first = [r for r in records if r["model"] == "contenttypes.contenttype"]
    rest = [r for r in records if r["model"] != "contenttypes.contenttype"]
    tables = set()
    with transaction.atomic(using=alias), connection.constraint_checks_disabled():
        for batch in (first, rest):
            by_model, links = {}, {}
            for obj in serializers.deserialize("python", batch, using=alias):
                model = type(obj.object)
                tables.add(model._meta.db_table)
                if model._meta.parents:
                    obj.save(using=alias)
                    continue
                by_model.setdefault(model, []).append(obj.object)
                for name, values in (obj.m2m_data or {}).items():
                    field = model._meta.get_field(name)
                    through = field.remote_field.through
                    tables.add(through._meta.db_table)
                    links.setdefault(through, []).extend(
                        through(**{field.m2m_column_name(): obj.object.pk, field.m2m_reverse_name(): value})
                        for value in values
                    )
            for model, objects in (*by_model.items(), *links.items()):
                keyed = objects[0].pk is not None  # many-to-many rows take their id from the sequence
                fields = [f for f in model._meta.local_concrete_fields if keyed or not f.primary_key]
                for start in range(0, len(objects), 500):  # raw: the values as serialized (auto_now too)
                    model._base_manager.using(alias)._insert(objects[start : start + 500], fields, raw=True)
        connection.check_constraints(table_names=tables)
    ContentType.objects.clear_cache()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    from django.db import connections

    for alias, contents in item.stash.get(_HIDDEN, {}).items():
        connections[alias]._test_serialized_contents = contents
    if _database_use(item) in ("transactional", "serialized"):
        # Set before Django's flush runs: a flush that fails (a deadlock with a server thread still
        # writing) leaves rows behind, and the next test must then empty and restore the tables
        # instead of building on them (one error, not twenty tests seeing another test's rows).
        item.config.stash[_FLUSHED] = True
    result = yield
    if DEMO_SEED in item.fixturenames and (nextitem is None or DEMO_SEED not in nextitem.fixturenames):
        # The last test reading the demo seed: roll it back now, not at the end of the session,
        # so that the tests this worker runs next start from the migrated data.
        item._fixtureinfo.name2fixturedefs[DEMO_SEED][-1].finish(item._request)
    return result


@dataclass
class DemoSeed:
    output: str  # what ``seed_demo`` printed
    ctx: "SeedContext"  # its context (``registry`` holds the seeded objects' keys)


@pytest.fixture(scope="session")
def demo_seed(django_db_setup, django_db_blocker):
    """The small demo ecosystem, seeded once per run by ``seed_demo`` inside a transaction that is
    rolled back after the last test using it (each test runs in a savepoint inside it).
    ``pytest_collection_modifyitems`` puts its users in one group (one worker), one after the
    other; a test that changes the data (``--reset``) changes it only inside its savepoint."""
    import io

    from django.core.management import call_command
    from django.db import connection, transaction

    from demo.management.commands.seed_demo import Command

    out = io.StringIO()
    command = Command(stdout=out)
    with django_db_blocker.unblock(), transaction.atomic():
        call_command(command)
        # Check the seed's deferred foreign keys now, once, as its commit would. Left pending,
        # every test's teardown (Django's check_constraints inside the test's savepoint) fired all
        # of them again — the savepoint's rollback marks them unchecked — ~0.4 s of PostgreSQL
        # per test on a quiet machine, about 40 tests (docs/testing.md).
        connection.check_constraints()
        yield DemoSeed(output=out.getvalue(), ctx=command.ctx)
        transaction.set_rollback(True)


_media_numbers = itertools.count()


@pytest.fixture(scope="session")
def _media_roots(tmp_path_factory):
    return tmp_path_factory.mktemp("media-roots")


@pytest.fixture(autouse=True)
def _media_root(settings, _media_roots):
    """Each test its own empty media and private media directories. Made with ``mkdir`` under one
    directory of the session: ``tmp_path_factory.mktemp`` lists every directory it made before
    to number the next, so two per test cost more with each test (~3-6 ms a test by a worker's
    thousandth test)."""
    root = _media_roots / str(next(_media_numbers))
    (root / "media").mkdir(parents=True)
    (root / "private").mkdir()
    settings.MEDIA_ROOT = root / "media"
    settings.PRIVATE_MEDIA_ROOT = root / "private"


@pytest.fixture(autouse=True)
def _default_language():
    """Every test starts in the default language: a request to ``/en/…`` in an earlier test
    leaves English active in this thread (LocaleMiddleware does not switch it back)."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _celery_join_flag():
    """Every test starts with Celery's process-wide "joining would block" flag off, as in a fresh
    process: once something in the process has built a worker's pool, ``EagerResult.get()``
    raises "Never call result.get() within a task!" in whatever test runs next on that worker."""
    from celery._state import _set_task_join_will_block

    _set_task_join_will_block(False)


@pytest.fixture
def english():
    """For tests that read English messages raised in this thread (services, forms)."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    from marketplace.views import search_cache

    cache.clear()
    search_cache._local.clear()  # the search page's per-process micro-cache
    yield


# --- Staff (members of the staff groups, enrolled in two-factor); apps may override -----------------
@pytest.fixture
def reviewer(db):
    from tests.factories.accounts import staff_member

    return staff_member("reviewer")


@pytest.fixture
def programme_manager(db):
    from tests.factories.accounts import staff_member

    return staff_member("programme_manager")


@pytest.fixture
def finance(db):
    from tests.factories.accounts import staff_member

    return staff_member("finance")


@pytest.fixture
def superuser(db):
    from tests.factories.accounts import UserFactory
    from tests.unit.accounts.helpers import enrol_totp

    user = UserFactory(is_superuser=True, is_staff=True)
    enrol_totp(user)  # staff need two-factor before the admin (accounts.mfa)
    return user


@pytest.fixture
def client_en():
    return Client(headers={"accept-language": "en"})


def require_env(name: str) -> str:
    value = os.environ.get(name, "")
    if not value:
        pytest.skip(f"{name} is not set: run the suite with `make test`, which starts the service")
    return value


@pytest.fixture(scope="session")
def redis_url():
    return require_env("REDIS_URL")


@pytest.fixture(scope="session")
def stripe_api_base():
    return require_env("STRIPE_API_BASE")


@pytest.fixture
def stripe(settings, stripe_api_base):
    """Point the billing gateway at the test localstripe (legacy Plans, no network retries)."""
    settings.STRIPE_API_BASE = stripe_api_base
    settings.STRIPE_SECRET_KEY = "sk_test_12345"
    settings.STRIPE_LEGACY_PLANS = None
    settings.STRIPE_MAX_NETWORK_RETRIES = 0
    settings.STRIPE_WEBHOOK_SECRET = "whsec_test_unit"
    return stripe_api_base


# --- Browser --------------------------------------------------------------------------
@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing: `make test` installs Debian's chromium package")
    from django.db import connections
    from playwright.sync_api import sync_playwright

    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright runs an event loop
    serialized = {
        conn.alias: conn._test_serialized_contents
        for conn in connections.all()
        if hasattr(conn, "_test_serialized_contents")
    }
    with sync_playwright() as p:
        # Playwright's sync API leaves its event loop marked as running in this thread, so from
        # here on Django's thread-critical connection storage (asgiref ``Local``) hands out new
        # connection objects. When unit tests ran first, the test database was set up (and
        # serialized for ``serialized_rollback``) on the old ones: give the new ones that copy,
        # or a transactional browser test after a flush would start from an empty database.
        for alias, contents in serialized.items():
            connections[alias]._test_serialized_contents = contents
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


# --- Celery worker ---------------------------------------------------------------------
_CELERY_MAIN = """
import gc, sys
from celery.__main__ import main
sys.argv[0] = "celery"
try:
    main()
finally:
    gc.freeze()
"""


def celery_command() -> list[str]:
    """``celery`` as a test starts it: Celery's own entry point, except that the process leaves
    without the interpreter's last full garbage collection (``gc.freeze``), 1–2 s of CPU per
    worker or beat on this machine once it has stopped."""
    return [sys.executable, "-c", _CELERY_MAIN]


@contextmanager
def celery_worker(redis_url, tmp_path, *, pool="solo", **extra_env):
    """A real Celery worker process (``pool``) on the test Redis, pointed at the test database."""
    from django.db import connection

    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test_worker",
        "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "REDIS_URL": redis_url,
        "EMAIL_URL": f"filemail://{tmp_path / 'mail'}",
        "C_FORCE_ROOT": "1",
        **extra_env,
    }
    hostname = f"test-{os.getpid()}@localhost"
    log = open(tmp_path / "worker.log", "w")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        [
            *celery_command(),
            "-A",
            "config",
            "worker",
            f"--pool={pool}",
            "--concurrency=1",
            "-l",
            "INFO",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            "-n",
            hostname,
        ],
        cwd=REPO,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        # Hand the worker over once it consumes ("… ready."): on a loaded machine its start-up
        # alone can outlast a test's own waiting time.
        log_path = tmp_path / "worker.log"
        deadline = time.monotonic() + 180
        while proc.poll() is None and " ready." not in log_path.read_text() and time.monotonic() < deadline:
            time.sleep(0.05)
        if proc.poll() is not None or " ready." not in log_path.read_text():
            pytest.fail(f"the Celery worker did not start\n{log_path.read_text()[-4000:]}")
        yield {"process": proc, "mail_dir": tmp_path / "mail", "log": log_path, "hostname": hostname}
    finally:
        _stop_worker(proc, hostname)
        log.close()


def _stop_worker(proc, hostname):
    """Warm shutdown, at once. SIGTERM only sets a flag that an idle worker reads when its event
    loop next wakes (kombu polls for up to 10 s between timers): 2–5 s per worker of nothing.
    The ``shutdown`` remote-control command reaches it on the broker connection it is polling;
    SIGTERM stays as the fallback."""
    from config.celery import app

    if proc.poll() is None:
        with suppress(Exception):
            app.control.shutdown(destination=[hostname])
        with suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=10)
    stop_process(proc)


def stop_process(proc):
    """SIGTERM, then SIGKILL if it is still there 10 s later (a no-op for a process that ended)."""
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=5)


@pytest.fixture
def celery_worker_process(redis_url, tmp_path, settings):
    with celery_worker(redis_url, tmp_path) as worker:
        yield worker
