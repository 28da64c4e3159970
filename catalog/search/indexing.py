"""Keeping the search index in step with the catalogue (either engine).

``index_listings(ids)`` (re)writes the documents of the listings that are live and not
delisted and removes the others among ``ids``; ``remove_listing`` drops one; ``reindex_all``
rebuilds the whole index in batches, reporting progress as ``progress(done, total)``. Callers
in request code go through ``catalog.search.tasks`` (Celery, after commit).
"""

from __future__ import annotations

from django.db.models import Q

from catalog.search import documents, get_engine

BATCH_SIZE = 500


def index_listings(listing_ids, *, engine=None) -> int:
    ids = sorted({int(i) for i in listing_ids})
    if not ids:
        return 0
    engine = engine or get_engine()
    docs = documents.build(ids)
    written = engine.index(docs)
    gone = set(ids) - {d.listing_id for d in docs}
    if gone:
        engine.remove(sorted(gone))
    return written


def index_listing(listing_id: int) -> int:
    return index_listings([listing_id])


def remove_listing(listing_id: int) -> int:
    return get_engine().remove([int(listing_id)])


def remove_listings(listing_ids) -> int:
    return get_engine().remove(sorted({int(i) for i in listing_ids}))


def live_listing_ids() -> list[int]:
    from catalog.selectors.listings import live_listings

    return list(live_listings().order_by("pk").values_list("pk", flat=True))


def reindex_all(progress=None, *, batch_size: int = BATCH_SIZE, engine=None) -> int:
    """Rebuild the whole index from the live catalogue; returns the number of documents.
    ``progress(done, total)`` is called after every batch."""
    engine = engine or get_engine()
    ids = live_listing_ids()
    total = len(ids)
    if progress:
        progress(0, total)
    batches = (documents.build(ids[start : start + batch_size]) for start in range(0, total, batch_size))
    return engine.rebuild(batches, total=total, progress=progress)


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
