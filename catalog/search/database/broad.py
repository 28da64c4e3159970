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
"""

from __future__ import annotations

import contextlib
import hashlib
import pickle
import zlib
from collections import OrderedDict

import numpy as np
from django.conf import settings
from django.core.cache import cache

from catalog.search.base import SearchRequest
from catalog.search.database import bitsets
from catalog.search.database.query import TextMatch, ranked_and_ids, scored, with_text
from catalog.search.generation import local_generation

RANKED = 200  # positions of the relevance order kept per text
LOCAL_SIZE = 32  # texts kept in each process
KEY = "catalog.search.db.broad"
TIMEOUT = 60 * 60

_local: OrderedDict = OrderedDict()  # (key, local generation) → (ids, rows)


def enabled() -> bool:
    return bool(getattr(settings, "SEARCH_BROAD_CACHE", True))


def _key(match: TextMatch) -> str:
    sql, params = scored(match)
    digest = hashlib.sha256(repr((sql, params)).encode()).hexdigest()[:40]
    return f"{KEY}.{bitsets.version_key()}.{digest}"


def _pack(ids: np.ndarray, rows: list[dict]) -> bytes:
    deltas = np.diff(ids.astype(np.int64), prepend=0)
    return pickle.dumps((zlib.compress(deltas.tobytes(), 1), rows), protocol=pickle.HIGHEST_PROTOCOL)


def _unpack(stored: bytes) -> tuple[np.ndarray, list[dict]]:
    packed, rows = pickle.loads(stored)  # noqa: S301 - our own cache entry
    ids = np.cumsum(np.frombuffer(zlib.decompress(packed), dtype=np.int64)).astype(np.int32)
    return ids, rows


def _get(key: str):
    local_key = (key, local_generation())
    found = _local.get(local_key)
    if found is not None:
        with contextlib.suppress(KeyError):  # dropped meanwhile by another thread
            _local.move_to_end(local_key)
        return found
    stored = cache.get(key)
    if stored is None:
        return None
    found = _unpack(stored)
    _remember(local_key, found)
    return found


def _remember(local_key, found) -> None:
    _local[local_key] = found
    with contextlib.suppress(KeyError):  # another thread's changes: the order is only a hint
        _local.move_to_end(local_key)
        while len(_local) > LOCAL_SIZE:
            _local.popitem(last=False)


def _put(key: str, ids: np.ndarray, rows: list[dict]) -> None:
    _remember((key, local_generation()), (ids, rows))
    cache.set(key, _pack(ids, rows), TIMEOUT)


def hits_and_ids(request: SearchRequest, match: TextMatch):
    """``query.hits_and_ids`` (text without filters, by relevance: a page of hits and the
    ascending ids of every match), from the kept scan of a broad text when there is one."""
    end = request.offset + request.per_page
    if not enabled() or end > RANKED:
        rows, ids = ranked_and_ids(match, limit=request.per_page, offset=request.offset)
        return with_text(rows), ids
    key = _key(match)
    found = _get(key)
    if found is None:
        rows, ids = ranked_and_ids(match, limit=RANKED, offset=0)
        ids = np.asarray(ids, dtype=np.int32)  # listing ids are PostgreSQL integers: half the memory
        if len(ids) >= bitsets.min_hits():
            _put(key, ids, rows)
    else:
        ids, rows = found
    page = [dict(row) for row in rows[request.offset : end]]  # with_text adds to the rows
    return with_text(page), ids


def text_ids(match: TextMatch) -> np.ndarray | None:
    """The ascending ids of every document the text matches, when its scan is kept."""
    if not enabled():
        return None
    found = _get(_key(match))
    return None if found is None else found[0]
