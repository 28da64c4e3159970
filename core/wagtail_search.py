"""Wagtail's own search backend (the admin's page, image and snippet search) without its
per-save full scan on PostgreSQL.

After every save Wagtail's PostgreSQL index recomputes the average title length over *every*
index entry (``length()`` of each title tsvector) to set the new entry's title norm. That is a
full scan per publish — 1–3 s at 10,000 partner pages — and makes seeding quadratic. Here a
save only upserts its own entry (with the norm 1.0 Wagtail gives new entries); the norms of
entries written since are set in one statement by ``refresh_title_norms()``, run by beat every
15 minutes (``core.tasks.refresh_search_title_norms``) and by ``update_index`` (its rebuild
refreshes them all, as Wagtail's does). Until then a new page ranks in the admin's search as if
its title had the average length — it is found all the same.

The customer-facing catalogue search does not use this index at all (``catalog.search`` keeps
its own). On SQLite, MySQL and others this is Wagtail's backend unchanged.
"""

from __future__ import annotations

from django.db import connection
from wagtail.search.backends import get_search_backend
from wagtail.search.backends.database import SearchBackend as _database_backend
from wagtail.search.backends.database.postgres.postgres import PostgresIndex, PostgresSearchBackend


class DeferredNormsIndex(PostgresIndex):
    def _refresh_title_norms(self, full=False):
        if full:  # a rebuild: every norm at once, as Wagtail does
            super()._refresh_title_norms(full=True)

    def refresh_title_norms(self) -> None:
        """Set the norm of every entry written since the last refresh (those still at 1.0)."""
        super()._refresh_title_norms(full=False)


class DeferredNormsBackend(PostgresSearchBackend):
    index_class = DeferredNormsIndex


def SearchBackend(params):  # noqa: N802 - Wagtail looks a backend up by this name
    if connection.vendor == "postgresql":
        return DeferredNormsBackend(params)
    return _database_backend(params)


def refresh_title_norms() -> bool:
    """Bring the norms of recently saved entries up to date; False where nothing is deferred."""
    from wagtail.models import Page

    index = get_search_backend().get_index_for_model(Page)
    if not isinstance(index, DeferredNormsIndex):
        return False
    index.refresh_title_norms()
    return True
