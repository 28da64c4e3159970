"""``manage.py seed_demo``: a deterministic, idempotent, bilingual demo ecosystem.

Each app contributes a ``demo`` module with ``seed(ctx)`` (and optionally ``reset(ctx)``);
they run here in layer order, lowest first. A later app adds its module to ``SEEDERS`` at
its place in the layering (``demo.billing`` between catalog and marketplace).
"""

import time

from django.core.management.base import BaseCommand

import demo.accounts
import demo.api
import demo.billing
import demo.catalog
import demo.catalog_facts
import demo.cosell
import demo.demand
import demo.health
import demo.incentives
import demo.marketplace
import demo.onboarding
import demo.partners
import demo.programme
from catalog.search.indexing import reindex_all
from core.fragments import one_content_bump
from core.reference_index import one_update_per_object
from demo.base import SIZES, SeedContext, without_savepoints

SEEDERS = (
    demo.accounts,
    demo.partners,
    demo.programme,
    demo.onboarding,
    demo.catalog,
    demo.billing,
    demo.cosell,
    demo.marketplace,
    demo.demand,
    demo.catalog_facts,  # health model: catalogue facts history, then scores (after every fact)
    demo.health,
    demo.incentives,  # after health: allocation weighs health scores and reads facts
    demo.api,  # the demo partner's API key (printed by demo_logins)
)


class Command(BaseCommand):
    help = "Create (or refresh) the demo ecosystem: the same data on every run, never duplicated."

    def add_arguments(self, parser):
        parser.add_argument(
            "--size",
            choices=SIZES,
            default="small",
            help="small: ~60 partners for trying the site; large: 10,000 partners for benchmarks.",
        )
        parser.add_argument(
            "--reset",
            action="store_true",
            help="First delete the demo organisations and people (example.com / .example / symbio.demo).",
        )

    def handle(self, *args, size, reset, verbosity, **options):
        self.ctx = ctx = SeedContext(size=size, stdout=self.stdout, style=self.style, verbosity=verbosity)
        started = time.perf_counter()
        self.stdout.write(f"Seeding the {size} demo ecosystem")
        # The cached pages' content version is bumped once at the end instead of on every saved or
        # deleted row (~2,400 Redis increments a small seed); the reset removes the deleted
        # objects' reference-index rows in a few statements instead of two per object; no inner
        # atomic() sets a savepoint (demo.base.without_savepoints: nothing here recovers from one).
        with one_content_bump(), without_savepoints():
            if reset:
                with one_update_per_object():
                    for module in reversed(SEEDERS):
                        if hasattr(module, "reset"):
                            module.reset(ctx)
            for module in SEEDERS:
                module.seed(ctx)
        # Pages published by the seeders are indexed on commit; a rebuild makes sure the
        # search index matches the catalogue whatever ran before (e.g. an engine switch).
        indexed = reindex_all()
        self.stdout.write(f"  search index: {indexed} listings")
        self.stdout.write(
            self.style.SUCCESS(f"Demo ecosystem ready in {time.perf_counter() - started:.1f}s.")
        )
        self.stdout.write("Log in with `manage.py demo_logins` to list the demo accounts.")
