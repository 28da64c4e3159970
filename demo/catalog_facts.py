"""Demo catalogue facts: 24 months of published listings, releases, freshness and joint
solutions per partner, from the seeded listings and versions (``seed_demo`` runs it after
``demo.marketplace`` and before ``demo.health``, which scores them). Idempotent:
facts are upserted."""

from demo.base import DEMO_TODAY, SeedContext

MONTHS = 24


def seed(ctx: SeedContext) -> None:
    from catalog.services.facts import report_catalog_facts

    with ctx.section("Catalogue facts (24 months)") as counts:
        counts["facts"] = report_catalog_facts(months=MONTHS, last=DEMO_TODAY)
