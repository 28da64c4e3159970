"""Search analytics: what people search for, what finds nothing, and which results they open.

``log_search`` and ``log_click`` write ``SearchQueryLog`` / ``SearchClick`` rows (never raising:
analytics must not break a search); searches of pages served whole are queued in Redis and written
in bulk (``flush_search_log``); ``report(days)`` flushes, then reads them for the staff screen with
a fixed number of queries.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import DatabaseError, transaction
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
    """Record a search; its id, or ``None`` when ``buffered``: the row is queued in Redis (one
    ``RPUSH``, no SQL — the pages served whole to anonymous visitors) and written in bulk by
    ``flush_search_log`` (the ``catalog.flush_search_log`` task every 10 seconds, the
    request that queues the ``FLUSH_SIZE``-th row, and ``report`` before it reads). Without Redis
    the row is written at once."""
    entry = _entry(result, language, session)
    if buffered and _queue(entry):
        return None
    try:
        entry.save()
    except DatabaseError:  # pragma: no cover - analytics never break a search
        logger.exception("Could not log a search")
        return None
    return entry.pk


# --- the queue of searches not written yet (Redis) ------------------------------------------------
QUEUE_KEY = "catalog.search.log.queue"
#: the rows one flush has taken from the queue; left behind by a flush that died, it is written
#: first by the next one
CLAIMED_KEY = "catalog.search.log.claimed"
LOCK_KEY = "catalog.search.log.flushing"
LOCK_SECONDS = 300
FLUSH_SIZE = 100  # queued rows that make the request queuing the last one write them all
CHUNK = 1000  # rows per INSERT
_FIELDS = ("query", "normalised", "language", "filters", "sort", "result_count", "engine", "session_hash")


def _queue(entry: SearchQueryLog) -> bool:
    """Queue ``entry`` (with the time of the search); False when there is no Redis to queue in."""
    from core.cache import UNAVAILABLE, redis_client

    found = redis_client()
    if found is None:
        return False
    client, key = found
    row = {name: getattr(entry, name) for name in _FIELDS}
    row["created_at"] = timezone.now().isoformat()
    try:
        queued = client.rpush(key(QUEUE_KEY), json.dumps(row, ensure_ascii=False, separators=(",", ":")))
    except UNAVAILABLE:
        logger.warning("Redis unavailable: a search is logged directly")
        return False
    if queued >= FLUSH_SIZE:
        flush_search_log()
    return True


def flush_search_log(*, wait: float = 0.0) -> int:
    """Write the queued searches in bulk; the number written. One flush at a time (a lock in
    Redis); the queue is claimed by renaming it, so searches queued meanwhile wait for the next
    flush, and the claimed rows are removed only after their INSERT committed. A chunk whose
    INSERT committed but whose removal did not happen (the process died in between) is found by
    its last row — the same search at the same microsecond — and not written twice. With ``wait``,
    a flush under way elsewhere is waited for (up to ``wait`` seconds), then this one runs: what
    was queued before the call is in the table when it returns."""
    from redis.exceptions import ResponseError

    from core.cache import UNAVAILABLE, redis_client

    found = redis_client()
    if found is None:
        return 0
    client, key = found
    token = uuid.uuid4().hex
    lock, claimed = key(LOCK_KEY), key(CLAIMED_KEY)
    give_up = time.monotonic() + wait
    try:
        while not client.set(lock, token, nx=True, ex=LOCK_SECONDS):
            if time.monotonic() >= give_up:
                return 0  # another process is flushing
            time.sleep(0.05)
        try:
            written = _write_claimed(client, claimed)  # left by a flush that died
            try:
                client.rename(key(QUEUE_KEY), claimed)
            except ResponseError:  # nothing queued
                return written
            return written + _write_claimed(client, claimed)
        finally:
            if client.get(lock) == token.encode():
                client.delete(lock)
    except UNAVAILABLE:
        logger.warning("Redis unavailable: queued searches are written by a later flush")
        return 0


def _write_claimed(client, claimed: str) -> int:
    written = 0
    while True:
        chunk = client.lrange(claimed, 0, CHUNK - 1)
        if not chunk:
            return written
        rows = [_row(json.loads(item)) for item in chunk]
        try:
            with transaction.atomic():
                if not _written(rows[-1]):
                    _insert(rows)
                    written += len(rows)
        except DatabaseError:
            logger.exception("Could not write %d queued searches (kept for the next flush)", len(rows))
            return written
        client.ltrim(claimed, len(chunk), -1)


def _row(data: dict) -> SearchQueryLog:
    row = SearchQueryLog(**{name: data[name] for name in _FIELDS})
    row.created_at = datetime.fromisoformat(data["created_at"])
    return row


def _insert(rows: list[SearchQueryLog]) -> None:
    """One INSERT of ``rows`` with their own ``created_at`` (the time of the search, not of the
    flush: ``bulk_create`` would give every row ``auto_now_add``'s now)."""
    fields = [f for f in SearchQueryLog._meta.concrete_fields if not f.primary_key]
    SearchQueryLog.objects._insert(rows, fields=fields, raw=True)


def _written(row: SearchQueryLog) -> bool:
    return SearchQueryLog.objects.filter(
        created_at=row.created_at, session_hash=row.session_hash, query=row.query, language=row.language
    ).exists()


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
    flush_search_log(wait=5.0)
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
