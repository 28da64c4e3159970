"""Celery tasks of the search index: they take ids, and are enqueued after the transaction that
changed the catalogue commits (``enqueue_*``), so the worker reads what was committed."""

from __future__ import annotations

from celery import shared_task
from django.core.cache import cache
from django.db import OperationalError
from django.utils import timezone

from catalog.search import indexing
from core.tasks import enqueue_on_commit


class SearchIndexUnavailable(Exception):
    """The search engine could not take a write now (its own transient error, chained)."""


def _transient(exc) -> bool:
    if isinstance(exc, ConnectionError | OperationalError):  # Python's own (sockets), the database's
        return True
    from catalog.search.elastic.connection import transient_write

    return transient_write(exc)  # elasticsearch.ConnectionError / ConnectionTimeout / 429 / 5xx …


def _retrying(write, listing_ids):
    """Run ``write``; a transient failure becomes ``SearchIndexUnavailable`` (retried with
    exponential backoff and jitter, up to ~1 hour in all), anything else fails the task."""
    try:
        return write(listing_ids)
    except Exception as exc:
        if _transient(exc):
            raise SearchIndexUnavailable(f"{type(exc).__name__}: {exc}") from exc
        raise


RETRY = {
    "autoretry_for": (SearchIndexUnavailable,),
    "retry_backoff": 5,
    "retry_backoff_max": 600,
    "retry_jitter": True,
    "max_retries": 10,
}
REINDEX_PROGRESS_KEY = "catalog.search.reindex.progress"


@shared_task(name="catalog.search.index_listings", **RETRY)
def index_listings(listing_ids: list[int]) -> int:
    return _retrying(indexing.index_listings, listing_ids)


@shared_task(name="catalog.search.remove_listings", **RETRY)
def remove_listings(listing_ids: list[int]) -> int:
    return _retrying(indexing.remove_listings, listing_ids)


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
