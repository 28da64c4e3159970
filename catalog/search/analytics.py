"""Search analytics: what people search for, what finds nothing, and which results they open.

``log_search`` and ``log_click`` write ``SearchQueryLog`` / ``SearchClick`` rows (never raising:
analytics must not break a search); ``report(days)`` reads them for the staff screen with a
fixed number of queries.
"""

from __future__ import annotations

import atexit
import hashlib
import logging
import threading
import time
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError
from django.db.models import Avg, Count, Max, Q
from django.utils import timezone

from catalog.models import SearchClick, SearchQueryLog
from catalog.search.text import normalise

logger = logging.getLogger(__name__)
TOP_LIMIT = 25
POSITIONS = 10  # positions 1-10 shown one by one, the rest together


def session_hash(*parts: str) -> str:
    """A pseudonymous visitor key (keyed BLAKE2b of the session key, or of address + agent + day)."""
    key = settings.SECRET_KEY.encode()[:64]
    digest = hashlib.blake2b("\x1f".join(p or "" for p in parts).encode(), key=key, digest_size=16)
    return digest.hexdigest()


def _entry(result, language: str, session: str) -> SearchQueryLog:
    return SearchQueryLog(
        query=result.text[:200],
        normalised=normalise(result.text)[:200],
        language=language[:10],
        filters=result.filters,
        sort=result.sort,
        result_count=result.total,
        engine=result.engine,
        session_hash=session,
    )


def log_search(*, result, language: str, session: str = "", buffered: bool = False) -> int | None:
    """Record a search; its id (``None`` when buffered: the page-cache hot path queues rows and
    writes them in bulk every ``FLUSH_SECONDS`` or ``FLUSH_SIZE`` rows, and at exit)."""
    entry = _entry(result, language, session)
    if buffered:
        with _lock:
            _buffer.append(entry)
            due = len(_buffer) >= FLUSH_SIZE or time.monotonic() - _last_flush[0] >= FLUSH_SECONDS
        if due:
            flush_search_log()
        return None
    try:
        entry.save()
    except DatabaseError:  # pragma: no cover - analytics never break a search
        logger.exception("Could not log a search")
        return None
    return entry.pk


FLUSH_SECONDS = 1.0
FLUSH_SIZE = 100
_buffer: list[SearchQueryLog] = []
_last_flush = [time.monotonic()]
_lock = threading.Lock()


def flush_search_log() -> int:
    """Write the queued search rows (one INSERT)."""
    with _lock:
        rows = list(_buffer)
        _buffer.clear()
        _last_flush[0] = time.monotonic()
    if not rows:
        return 0
    now = timezone.now()
    for row in rows:
        row.created_at = row.created_at or now
    try:
        SearchQueryLog.objects.bulk_create(rows)
    except DatabaseError:  # pragma: no cover
        logger.exception("Could not write %d queued searches", len(rows))
        return 0
    return len(rows)


atexit.register(flush_search_log)


def log_click(
    *, listing_id: int, position: int, query: str = "", query_log_id=None, session: str = ""
) -> None:
    try:
        if query_log_id is not None and not SearchQueryLog.objects.filter(pk=query_log_id).exists():
            query_log_id = None
        SearchClick.objects.create(
            listing_id=listing_id,
            position=position,
            normalised=normalise(query)[:200],
            query_log_id=query_log_id,
            session_hash=session,
        )
    except DatabaseError:  # pragma: no cover
        logger.exception("Could not log a search click")


@dataclass
class Report:
    days: int
    since: object
    searches: int
    with_results: int
    zero_results: int
    clicks: int
    top_queries: list[dict]
    zero_queries: list[dict]
    positions: list[dict]

    @property
    def zero_rate(self) -> float:
        return self.zero_results / self.searches if self.searches else 0.0

    @property
    def click_through(self) -> float:
        """Result clicks per search that had results."""
        return self.clicks / self.with_results if self.with_results else 0.0


def report(days: int = 7, *, now=None) -> Report:
    flush_search_log()
    days = 30 if int(days) == 30 else 7
    now = now or timezone.now()
    since = now - timedelta(days=days)
    searches = SearchQueryLog.objects.filter(created_at__gte=since)
    clicks = SearchClick.objects.filter(created_at__gte=since)

    totals = searches.aggregate(
        searches=Count("pk"),
        zero=Count("pk", filter=Q(result_count=0)),
    )
    click_total = clicks.count()
    typed = searches.exclude(normalised="")
    top = list(
        typed.values("normalised")
        .annotate(
            searches=Count("pk"),
            results=Avg("result_count"),
            zero=Count("pk", filter=Q(result_count=0)),
            visitors=Count("session_hash", distinct=True),
        )
        .order_by("-searches", "normalised")[:TOP_LIMIT]
    )
    click_counts = dict(
        clicks.filter(normalised__in=[row["normalised"] for row in top])
        .values_list("normalised")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in top:
        row["clicks"] = click_counts.get(row["normalised"], 0)
        row["ctr"] = row["clicks"] / row["searches"] if row["searches"] else 0.0
    zero = list(
        typed.filter(result_count=0)
        .values("normalised")
        .annotate(searches=Count("pk"), last=Max("created_at"))
        .order_by("-searches", "normalised")[:TOP_LIMIT]
    )
    by_position = dict(clicks.values_list("position").annotate(n=Count("pk")).order_by())
    with_results = totals["searches"] - totals["zero"]
    positions = []
    for position in range(1, POSITIONS + 1):
        n = by_position.get(position, 0)
        positions.append(
            {"position": str(position), "clicks": n, "rate": n / with_results if with_results else 0.0}
        )
    beyond = sum(n for p, n in by_position.items() if p > POSITIONS)
    positions.append(
        {
            "position": f"{POSITIONS + 1}+",
            "clicks": beyond,
            "rate": beyond / with_results if with_results else 0.0,
        }
    )
    return Report(
        days=days,
        since=since,
        searches=totals["searches"],
        with_results=with_results,
        zero_results=totals["zero"],
        clicks=click_total,
        top_queries=top,
        zero_queries=zero,
        positions=positions,
    )
