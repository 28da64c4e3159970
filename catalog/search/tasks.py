"""Celery tasks of the search index: they take ids, and are enqueued after the transaction that
changed the catalogue commits (``enqueue_*``), so the worker reads what was committed."""

from __future__ import annotations

from celery import shared_task
from django.core.cache import cache
from django.utils import timezone

from catalog.search import indexing
from core.tasks import enqueue_on_commit

RETRY = {"autoretry_for": (ConnectionError,), "retry_backoff": True, "max_retries": 5}
REINDEX_PROGRESS_KEY = "catalog.search.reindex.progress"


@shared_task(name="catalog.search.index_listings", **RETRY)
def index_listings(listing_ids: list[int]) -> int:
    return indexing.index_listings(listing_ids)


@shared_task(name="catalog.search.remove_listings", **RETRY)
def remove_listings(listing_ids: list[int]) -> int:
    return indexing.remove_listings(listing_ids)


@shared_task(name="catalog.search.reindex_all")
def reindex_all() -> int:
    """The whole index, with progress in the cache for the admin screen (``reindex_progress``)."""
    started = timezone.now().isoformat()

    def progress(done, total):
        cache.set(
            REINDEX_PROGRESS_KEY,
            {"done": done, "total": total, "started": started, "finished": False},
            60 * 60,
        )

    count = indexing.reindex_all(progress=progress)
    cache.set(
        REINDEX_PROGRESS_KEY,
        {"done": count, "total": count, "started": started, "finished": True},
        60 * 60,
    )
    return count


def reindex_progress() -> dict | None:
    return cache.get(REINDEX_PROGRESS_KEY)


@shared_task(name="catalog.search.refresh_ranking")
def refresh_ranking() -> int:
    """Daily: freshness decays with time (django-celery-beat entry made by migration)."""
    return indexing.refresh_ranking()


def enqueue_index(listing_ids) -> None:
    ids = sorted({int(i) for i in listing_ids})
    if ids:
        enqueue_on_commit(index_listings, ids)


def enqueue_remove(listing_ids) -> None:
    ids = sorted({int(i) for i in listing_ids})
    if ids:
        enqueue_on_commit(remove_listings, ids)


def enqueue_reindex_all() -> None:
    enqueue_on_commit(reindex_all)
