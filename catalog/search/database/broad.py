"""Broad words, answered once per index version (PostgreSQL).

A broad word ("管理", "cloud") matches a quarter to all of the catalogue. Its facet counts come
from bitsets (``bitsets``), but its page of hits still takes the one scan that evaluates the
match and ``ts_rank`` on every matching row (``query.ranked_and_ids``): tens of thousands of
rows of a table larger than PostgreSQL's default shared buffers. An index ordered by a static
rank cannot stop that scan early with the ranking formula (relevance × boost: a name match at
low boost outranks a description match at high boost), and the ids of *every* match are needed
anyway for the total and the counts.

What that scan returns depends only on the index and the query. So the scan of a text that
matches at least ``bitsets.min_hits()`` documents is kept: the ids of every match (sorted,
delta-encoded and compressed) and the first ``RANKED`` positions of its relevance order (the
narrow rows ``query.ranked_and_ids`` returns), in this process's memory (the last
``LOCAL_SIZE`` texts) and in the shared cache, under

* ``bitsets.version_key()`` — the index version (bumped by every index write, after it
  commits) and its epoch, read *before* the scan, so a write racing the scan leaves an entry
  that the write's bump retires; this process's own change counter for the local copy;
* a digest of the scan's SQL and parameters — the text's ``tsquery``, the exact-name text and
  every ranking weight, so a changed ``SEARCH_RANKING`` is another key.

The next search of that text in the same index version reads its page (up to position
``RANKED``: 10 pages of 20) and its ids from there, with no scan — the same rows in the same
order as the scan gives, since they *are* the scan's rows. With filters, the kept ids of the
text give the facet counts without the statement that fetches them. ``SEARCH_BROAD_CACHE =
False`` turns it off (the benchmark's "cold" row).

After an index write, the first search does not scan again: the kept scan of an earlier version
is brought up to date with the documents written or removed since (``changes``, ``updated``).
"""

from __future__ import annotations

import contextlib
import hashlib
import pickle
import zlib
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
from django.conf import settings
from django.core.cache import cache

from catalog.search import ranking
from catalog.search.base import SearchRequest
from catalog.search.database import bitsets, changes
from catalog.search.database.query import TextMatch, ranked_and_ids, scored, scored_rows, with_text
from catalog.search.generation import local_generation

RANKED = 200  # positions of the relevance order kept per text
LOCAL_SIZE = 32  # texts kept in each process
KEY = "catalog.search.db.broad.2"  # .2: entries with boosts and exact positions (``Kept``)
TIMEOUT = 60 * 60

_local: OrderedDict = OrderedDict()  # (key, local generation) → Kept
_latest: OrderedDict = OrderedDict()  # digest → (epoch, version, Kept): where an update starts
_digests: dict = {}  # what the scan's SQL is made of → its digest (``_digest``)


@dataclass
class Kept:
    """What one scan of a text gives: the ascending ids of every match, the first positions of
    its relevance order (narrow rows with their score) with each row's boost (the order's
    tie-break), and how many of those positions are exact (``valid``: all of them after a scan;
    after an update, up to the last kept row that was not rewritten — see ``updated``)."""

    ids: np.ndarray
    rows: list[dict]
    boosts: list[float]
    valid: int


def enabled() -> bool:
    return bool(getattr(settings, "SEARCH_BROAD_CACHE", True))


def _digest(match: TextMatch) -> str:
    """A digest of the scan's SQL and parameters. Compiling that SQL costs about a millisecond,
    and every search with filters asks (``text_ids``): this process remembers the digests of the
    last ``LOCAL_SIZE * 8`` texts, keyed on everything the SQL is made of — the query, its terms
    after the synonym dictionary, the database and the ranking settings."""
    memo_key = (type(match).__name__, match.query, match.fuzzy, match.postgres, repr(match.terms))
    memo_key += (repr(sorted(ranking.config().items())),)
    found = _digests.get(memo_key)
    if found is None:
        sql, params = scored(match)
        found = _digests[memo_key] = hashlib.sha256(repr((sql, params)).encode()).hexdigest()[:40]
        while len(_digests) > LOCAL_SIZE * 8:
            with contextlib.suppress(KeyError, StopIteration, RuntimeError):  # another thread's
                del _digests[next(iter(_digests))]
    return found


def _key(at_epoch: str, version: int, digest: str) -> str:
    return f"{KEY}.{at_epoch}.{version}.{digest}"


def _pack(kept: Kept) -> bytes:
    deltas = np.diff(kept.ids.astype(np.int64), prepend=0)
    return pickle.dumps(
        (zlib.compress(deltas.tobytes(), 1), kept.rows, kept.boosts, kept.valid),
        protocol=pickle.HIGHEST_PROTOCOL,
    )


def _unpack(stored: bytes) -> Kept:
    packed, rows, boosts, valid = pickle.loads(stored)  # noqa: S301 - our own cache entry
    ids = np.cumsum(np.frombuffer(zlib.decompress(packed), dtype=np.int64)).astype(np.int32)
    return Kept(ids, rows, boosts, valid)


def _get(key: str, *, also: str | None = None):
    """The kept scan under ``key`` (this process's, else the cache's), or ``None``. With
    ``also``, (that, the cache's value under ``also``) — read in the same round trip; ``None``
    for ``also`` when the scan is in this process (not needed then)."""
    local_key = (key, local_generation())
    found = _local.get(local_key)
    if found is not None:
        with contextlib.suppress(KeyError):  # dropped meanwhile by another thread
            _local.move_to_end(local_key)
        return found if also is None else (found, None)
    if also is None:
        return _unpacked(local_key, cache.get(key))
    stored = cache.get_many([key, also])
    return _unpacked(local_key, stored.get(key)), stored.get(also)


def _unpacked(local_key, stored) -> Kept | None:
    if stored is None:
        return None
    try:
        found = _unpack(stored)
    except (ValueError, TypeError):  # an entry in an older layout
        return None
    _remember(local_key, found)
    return found


def _remember(local_key, found) -> None:
    _local[local_key] = found
    with contextlib.suppress(KeyError):  # another thread's changes: the order is only a hint
        _local.move_to_end(local_key)
        while len(_local) > LOCAL_SIZE:
            _local.popitem(last=False)


def _put(at_epoch: str, version: int, digest: str, kept: Kept) -> None:
    key = _key(at_epoch, version, digest)
    _remember((key, local_generation()), kept)
    _latest[digest] = (at_epoch, version, kept)
    with contextlib.suppress(KeyError):
        _latest.move_to_end(digest)
        while len(_latest) > LOCAL_SIZE:
            _latest.popitem(last=False)
    cache.set(key, _pack(kept), TIMEOUT)
    cache.set(f"{KEY}.latest.{at_epoch}.{digest}", version, TIMEOUT)


def _scan(match: TextMatch) -> Kept:
    rows, ids = ranked_and_ids(match, limit=RANKED, offset=0, boosts=True)
    boosts = [row.pop("boost") for row in rows]
    ids = np.asarray(ids, dtype=np.int32)  # listing ids are PostgreSQL integers: half the memory
    return Kept(ids, rows, boosts, len(rows))


def _order(row: dict, boost: float) -> tuple:
    """The scan's order: score, then boost, descending; then the id."""
    return (-row["score"], -boost, row["listing_id"])


def updated(kept: Kept, match: TextMatch, changed: np.ndarray) -> Kept | None:
    """``kept`` (an earlier version's) with the documents ``changed`` (ascending ids) re-read:
    a document's score depends on that document alone (its head vector, name and boost; no
    collection statistics), so the others keep their rows and their order. The ids lose the
    changed documents and gain those that match now; the kept rows lose theirs, and the
    changed documents that match now are scored (one statement over those ids, the scan's own
    expression) and merged in by the scan's order. Positions stay exact down to the last kept
    row that was not rewritten (anything beyond it in the old order still comes after it), or
    all of them when the rows held every match. ``None`` when fewer than half the kept
    positions would be left exact: a new scan is due."""
    rows, boosts = scored_rows(match, changed.tolist())
    matching = np.asarray(sorted(row["listing_id"] for row in rows), dtype=np.int64)
    ids = np.union1d(np.setdiff1d(kept.ids.astype(np.int64), changed, assume_unique=True), matching)
    complete = kept.valid == len(kept.ids) == len(kept.rows)
    gone = set(changed.tolist())
    staying = [
        (row, boost)
        for row, boost in zip(kept.rows[: kept.valid], kept.boosts, strict=False)
        if row["listing_id"] not in gone
    ]
    merged = sorted([*staying, *zip(rows, boosts, strict=True)], key=lambda pair: _order(*pair))
    if complete:
        valid = len(merged)
    elif not staying:
        return None
    else:
        last = _order(*staying[-1])
        valid = len(staying) + sum(_order(row, boost) < last for row, boost in zip(rows, boosts, strict=True))
    valid = min(valid, RANKED)
    if not complete and valid < RANKED // 2:
        return None
    merged = merged[:valid]
    return Kept(ids.astype(np.int32), [row for row, _b in merged], [b for _r, b in merged], valid)


def _current(match: TextMatch, at_epoch: str, version: int, digest: str) -> Kept | None:
    """The kept scan of this version, or an earlier version's brought up to date (``changes``)."""
    base = _latest.get(digest)
    known = base is not None and base[0] == at_epoch and base[1] < version
    key = _key(at_epoch, version, digest)
    if known:
        found, latest = _get(key), None
    else:  # the latest kept version is asked in the same round trip
        found, latest = _get(key, also=f"{KEY}.latest.{at_epoch}.{digest}")
    if found is not None:
        return found
    if not known:
        if not isinstance(latest, int) or latest >= version:
            return None
        kept = _get(_key(at_epoch, latest, digest))
        if kept is None:
            return None
        base = (at_epoch, latest, kept)
    changed = changes.since(at_epoch, base[1], version)
    if changed is None:
        return None
    found = updated(base[2], match, changed) if len(changed) else base[2]
    if found is not None and len(found.ids) >= bitsets.min_hits():
        _put(at_epoch, version, digest, found)
    return found


def hits_and_ids(request: SearchRequest, match: TextMatch):
    """``query.hits_and_ids`` (text without filters, by relevance: a page of hits and the
    ascending ids of every match), from the kept scan of a broad text when there is one."""
    end = request.offset + request.per_page
    if not enabled() or end > RANKED:
        rows, ids = ranked_and_ids(match, limit=request.per_page, offset=request.offset)
        return with_text(rows), ids
    at_epoch, version = changes.current()
    digest = _digest(match)
    found = _current(match, at_epoch, version, digest)
    if found is None:
        found = _scan(match)
        if len(found.ids) >= bitsets.min_hits():
            _put(at_epoch, version, digest, found)
    if end > found.valid < len(found.ids):  # positions an update left unknown: this page scanned
        rows, _ids = ranked_and_ids(match, limit=request.per_page, offset=request.offset)
        return with_text(rows), found.ids
    page = [dict(row) for row in found.rows[request.offset : end]]  # with_text adds to the rows
    return with_text(page), found.ids


def text_ids(match: TextMatch) -> np.ndarray | None:
    """The ascending ids of every document the text matches, when its scan is kept."""
    if not enabled():
        return None
    at_epoch, version = changes.current()
    found = _current(match, at_epoch, version, _digest(match))
    return None if found is None else found.ids
