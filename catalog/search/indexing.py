"""Keeping the search index in step with the catalogue (either engine).

``index_listings(ids)`` (re)writes the documents of the listings that are live and not
delisted and removes the others among ``ids``; ``remove_listing`` drops one; ``reindex_all``
rebuilds the whole index in batches, reporting progress as ``progress(done, total)``. Callers
in request code go through ``catalog.search.tasks`` (Celery, after commit).

With Elasticsearch as the engine, every write also goes to the database engine first (unless
``SEARCH_DATABASE_FALLBACK`` is off): its index is what search falls back to when Elasticsearch
is unreachable, so it is kept current, not rebuilt in an emergency. A write that fails on
Elasticsearch is retried by the task and rewrites the database row again (idempotent).
"""

from __future__ import annotations

from django.conf import settings
from django.db.models import Q

from catalog.search import documents, get_engine

BATCH_SIZE = 500


def engines(engine=None) -> list:
    """The engines a write goes to: the database engine as the fallback, then the primary."""
    primary = engine or get_engine()
    if primary.name != "database" and getattr(settings, "SEARCH_DATABASE_FALLBACK", True):
        return [get_engine("database"), primary]
    return [primary]


def index_listings(listing_ids, *, engine=None) -> int:
    ids = sorted({int(i) for i in listing_ids})
    if not ids:
        return 0
    docs = documents.build(ids)
    gone = sorted(set(ids) - {d.listing_id for d in docs})
    written = 0
    for target in engines(engine):
        written = target.index(docs)
        if gone:
            target.remove(gone)
    return written


def index_listing(listing_id: int) -> int:
    return index_listings([listing_id])


def remove_listing(listing_id: int) -> int:
    return remove_listings([listing_id])


def remove_listings(listing_ids) -> int:
    ids = sorted({int(i) for i in listing_ids})
    removed = 0
    for target in engines():
        removed = target.remove(ids)
    return removed


def live_listing_ids() -> list[int]:
    from catalog.selectors.listings import live_listings

    return list(live_listings().order_by("pk").values_list("pk", flat=True))


def reindex_all(progress=None, *, batch_size: int = BATCH_SIZE, engine=None) -> int:
    """Rebuild the whole index from the live catalogue; returns the number of documents.
    ``progress(done, total)`` is called after every batch."""
    *mirrors, engine = engines(engine)
    ids = live_listing_ids()
    total = len(ids)
    if progress:
        progress(0, total)

    def batches():
        return (documents.build(ids[start : start + batch_size]) for start in range(0, total, batch_size))

    done = engine.rebuild(batches(), total=total, progress=progress)
    for mirror in mirrors:  # the fallback index, rebuilt after the primary (no progress of its own)
        mirror.rebuild(batches(), total=total)
    return done


def refresh_ranking() -> int:
    """Recompute time-dependent ranking signals (freshness) of every document."""
    return get_engine().refresh_ranking()


def partner_listing_ids(partner_id: int) -> list[int]:
    """Listings a partner offers or co-delivers (any state; the indexer keeps only live ones)."""
    from catalog.models import ListingPage

    return list(
        ListingPage.objects.filter(Q(partner_id=partner_id) | Q(co_partners=partner_id))
        .values_list("pk", flat=True)
        .distinct()
    )
