"""Facet counts and totals over a *large* hit set from per-value bitsets (PostgreSQL).

A broad word ("管理", "cloud") matches a quarter to all of the catalogue; counting its facets in
SQL reads and groups tens of thousands of rows, and the window count that brings the total
with the page of hits sorts them all. Here instead:

* one statement fetches the ids of the documents the **text alone** matches — or, with
  filters, the text and all filters but at most one (``candidates``) — through the GIN index,
  no ranking, no grouping, as one integer array;
* a *snapshot* holds, for every document of the index (sorted ids), one bit per facet value
  (``numpy`` packed bits: ~12.5 kB per value at 100,000 documents);
* the hit set becomes a bitset; each facet's counts are popcounts of (hits ∧ the *other*
  facets' filters ∧ the value's bits) — the same definition as ``facets.facet_counts`` — and
  the total is the popcount of (hits ∧ every filter).

The counts are exactly those of the SQL path: the snapshot is the index's own facet columns
(``facets.document_facets``, as SQLite counts them), and it is keyed on the index version
(bumped by every write, as the cached whole-catalogue counts are), on this process's own
change counter and on a random epoch kept beside the version (a cache flush that restarts the
version restarts the epoch too). A hit the snapshot does not know (a document written after
it was built) makes the caller fall back to SQL. A snapshot is built once per index version
(one pass over the facet columns: about a second at 100,000 documents), shared through the
cache and kept in each process's memory.

Used when the text matches at least ``settings.SEARCH_BITSET_MIN_HITS`` documents (default
``MIN_HITS``). With filters (or a sort other than relevance) the ids of ``candidates`` are
fetched as soon as the planner expects ``settings.SEARCH_BITSET_FILTERED_MIN_HITS`` of them
(default ``FILTERED_MIN_HITS``; always, without asking, once this process's snapshot holds
``LARGE_INDEX`` documents), and once fetched they are counted here *whatever their
number*: one index scan and popcounts cost less than the ``UNION ALL`` of ``GROUP BY``
statements (one index scan per active facet) at any size, and the total comes with them, so
the page of hits needs no window count.
"""

from __future__ import annotations

import json
import pickle
from dataclasses import dataclass

import numpy as np
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Q

from catalog.models import SearchDocument
from catalog.search.base import SearchRequest
from catalog.search.database import changes
from catalog.search.database.backend import IDS_AS_BYTES, ids_from_bytes
from catalog.search.database.facets import FACET_COLUMNS, document_facets, facet_tsquery
from catalog.search.facets import FACETS
from catalog.search.generation import local_generation

MIN_HITS = 5_000
FILTERED_MIN_HITS = 50
LARGE_INDEX = 20_000  # documents from which the candidates' ids are fetched without asking the planner
EPOCH_KEY = changes.EPOCH_KEY
SNAPSHOT_KEY = "catalog.search.db.bitsets"
SNAPSHOT_TIMEOUT = 60 * 60

_local: dict = {}  # {"key": …, "snapshot": Snapshot}


def min_hits() -> int:
    return int(getattr(settings, "SEARCH_BITSET_MIN_HITS", MIN_HITS))


def filtered_min_hits() -> int:
    return int(getattr(settings, "SEARCH_BITSET_FILTERED_MIN_HITS", FILTERED_MIN_HITS))


@dataclass
class Snapshot:
    ids: np.ndarray  # every document's listing id, ascending (int64)
    values: dict[str, dict[str, int]]  # facet → value → row of ``bits``
    bits: np.ndarray  # (values, bytes) uint8: bit i of a row = document ids[i] has the value

    @property
    def size(self) -> int:
        return len(self.ids)

    def mask(self, listing_ids: np.ndarray) -> np.ndarray | None:
        """The packed bitset of ``listing_ids``; ``None`` when one is not in the snapshot."""
        if not len(listing_ids):
            return np.zeros(self.bits.shape[1], dtype=np.uint8)
        positions = np.searchsorted(self.ids, listing_ids)
        if (positions >= len(self.ids)).any() or (self.ids[positions] != listing_ids).any():
            return None
        flags = np.zeros(len(self.ids), dtype=bool)
        flags[positions] = True
        return np.packbits(flags, bitorder="little")

    def filter_bits(self, key: str, wanted: list[str]) -> np.ndarray:
        """Documents with any of ``wanted`` for facet ``key`` (OR within a facet)."""
        rows = [self.values.get(key, {}).get(value) for value in wanted]
        rows = [row for row in rows if row is not None]
        if not rows:
            return np.zeros(self.bits.shape[1], dtype=np.uint8)
        return np.bitwise_or.reduce(self.bits[rows], axis=0)

    def counts(
        self, hits: np.ndarray, filters: dict[str, list[str]]
    ) -> tuple[int, dict[str, dict[str, int]]]:
        """(total under every filter, each facet's counts under the *other* facets' filters)."""
        masks = {key: self.filter_bits(key, wanted) for key, wanted in filters.items()}

        def under(skip: str | None) -> np.ndarray:
            out = hits
            for key, bits in masks.items():
                if key != skip:
                    out = out & bits
            return out

        total = int(np.bitwise_count(under(None)).sum())
        counts: dict[str, dict[str, int]] = {}
        shared = under(None)
        for facet in FACETS:
            values = self.values.get(facet.key, {})
            if not values:
                continue
            base = under(facet.key) if facet.key in masks else shared
            names = list(values)
            tallies = np.bitwise_count(self.bits[[values[n] for n in names]] & base).sum(axis=1)
            counts[facet.key] = {name: int(n) for name, n in zip(names, tallies, strict=True) if n}
        return total, counts

    def updated(self, changed: np.ndarray) -> Snapshot | None:
        """A copy with the documents ``changed`` (ascending ids) re-read from their facet
        columns: their bits cleared, then set as they are now; a removed document keeps its
        position with no bits, a new one after the last id gets a new position. ``None`` when a
        new document falls between known ids (``build`` places it). Values no document has any
        more are dropped, as ``build`` would not list them."""
        found = list(
            SearchDocument.objects.filter(listing_id__in=changed.tolist())
            .order_by("listing_id")
            .values_list("listing_id", *FACET_COLUMNS)
        )
        present = np.asarray([row[0] for row in found], dtype=np.int64)
        positions = np.searchsorted(self.ids, changed)
        known = positions < len(self.ids)
        known[known] = self.ids[positions[known]] == changed[known]
        new = np.setdiff1d(present, changed[known])
        if len(new) and len(self.ids) and new[0] <= self.ids[-1]:
            return None
        ids = np.concatenate([self.ids, new])
        width = (len(ids) + 7) // 8
        cleared = np.zeros(width * 8, dtype=bool)
        cleared[positions[known]] = True
        bits = np.zeros((self.bits.shape[0], width), dtype=np.uint8)
        bits[:, : self.bits.shape[1]] = self.bits
        bits &= ~np.packbits(cleared, bitorder="little")
        values = {key: dict(rows) for key, rows in self.values.items()}
        added, where = 0, []
        for row, position in zip(found, np.searchsorted(ids, present), strict=True):
            for key, names in document_facets(dict(zip(FACET_COLUMNS, row[1:], strict=True))).items():
                for name in names:
                    index = values.setdefault(key, {}).get(name)
                    if index is None:
                        index = values[key][name] = len(bits) + added
                        added += 1
                    where.append((index, int(position)))
        if added:
            bits = np.vstack([bits, np.zeros((added, width), dtype=np.uint8)])
        if where:
            rows, cols = np.asarray(where, dtype=np.int64).T
            np.bitwise_or.at(bits, (rows, cols >> 3), np.left_shift(1, cols & 7).astype(np.uint8))
        live = np.bitwise_count(bits).sum(axis=1)
        values = {
            key: {name: i for name, i in sorted(rows.items()) if live[i]}
            for key, rows in sorted(values.items())
        }
        return Snapshot(ids=ids, values={key: rows for key, rows in values.items() if rows}, bits=bits)


def build() -> Snapshot:
    """One pass over every document's facet columns."""
    ids: list[int] = []
    members: dict[tuple[str, str], list[int]] = {}
    rows = SearchDocument.objects.order_by("listing_id").values_list("listing_id", *FACET_COLUMNS)
    for position, row in enumerate(rows.iterator(chunk_size=5000)):
        ids.append(row[0])
        for key, found in document_facets(dict(zip(FACET_COLUMNS, row[1:], strict=True))).items():
            for value in found:
                members.setdefault((key, value), []).append(position)
    size = len(ids)
    values: dict[str, dict[str, int]] = {}
    bits = np.zeros((len(members), (size + 7) // 8), dtype=np.uint8)
    for row, ((key, value), positions) in enumerate(sorted(members.items())):
        values.setdefault(key, {})[value] = row
        flags = np.zeros(size, dtype=bool)
        flags[positions] = True
        bits[row] = np.packbits(flags, bitorder="little")
    return Snapshot(ids=np.asarray(ids, dtype=np.int64), values=values, bits=bits)


def _epoch() -> str:
    """Read once per request (``core.cache.per_request``), like the index version."""
    return changes.epoch()


def version_key() -> str:
    """The index version and its epoch: what a cache of this index's data is keyed on. Read
    *before* the documents, so a write racing a read leaves an entry that the write's version
    bump retires."""
    at_epoch, version = changes.current()
    return f"{at_epoch}.{version}"


def snapshot() -> Snapshot:
    """The snapshot of the current index: this process's, the cache's, the one of an earlier
    version brought up to date with the documents written since (``changes``), or a new one
    (keyed on ``version_key``)."""
    at_epoch, version = changes.current()
    key = f"{SNAPSHOT_KEY}.{at_epoch}.{version}"
    local_key = (key, local_generation())
    if _local.get("key") == local_key:
        return _local["snapshot"]
    stored = cache.get(key)
    found = pickle.loads(stored) if stored is not None else None  # noqa: S301 - our own cache entry
    if found is None:
        found = _updated(at_epoch, version)
        if found is None:
            found = build()
        cache.set(key, pickle.dumps(found, protocol=pickle.HIGHEST_PROTOCOL), SNAPSHOT_TIMEOUT)
        cache.set(f"{SNAPSHOT_KEY}.latest.{at_epoch}", version, SNAPSHOT_TIMEOUT)
    _local.update(key=local_key, snapshot=found, epoch=at_epoch, version=version)
    return found


def _updated(at_epoch: str, version: int) -> Snapshot | None:
    """The snapshot of an earlier version of this epoch (this process's, else the latest in the
    cache) with the documents written since re-read; ``None`` when there is none to start from
    or the writes since are not known (``changes.since``)."""
    base, base_version = None, None
    if _local.get("epoch") == at_epoch and _local.get("version", version) < version:
        base, base_version = _local["snapshot"], _local["version"]
    else:
        latest = cache.get(f"{SNAPSHOT_KEY}.latest.{at_epoch}")
        if isinstance(latest, int) and latest < version:
            stored = cache.get(f"{SNAPSHOT_KEY}.{at_epoch}.{latest}")
            if stored is not None:
                base, base_version = pickle.loads(stored), latest  # noqa: S301 - our own cache entry
    if base is None:
        return None
    changed = changes.since(at_epoch, base_version, version)
    if changed is None:
        return None
    return base.updated(changed) if len(changed) else base


def applies(match) -> bool:
    """PostgreSQL, a text that is all index lookups (a single Chinese character is a substring
    scan: not worth running twice)."""
    return match is not None and getattr(match, "tsquery", None) is not None and not match.substrings


def candidates(match, filters: dict[str, list[str]]) -> Q:
    """The documents whose facets some count needs: the text and every filter *but at most
    one* (facet f is counted over the text and the filters other than f's). With one filter or
    none, the text alone. One GIN-indexed ``tsquery``: the text ∧ ⋁_f ⋀_{g≠f} g."""
    if len(filters) <= 1:
        return match.q({})
    alternatives = None
    for skip in filters:
        part = None
        for key, values in filters.items():
            if key != skip:
                lexemes = facet_tsquery(key, values)
                part = lexemes if part is None else part & lexemes
        alternatives = part if alternatives is None else alternatives | part
    return match._text_q(alternatives)


def probably_broad(condition: Q) -> bool:
    """The planner's estimate of how many documents ``condition`` matches (its statistics on
    the vector's most common lexemes) reaches half of ``min_hits()`` or
    ``filtered_min_hits()``: worth fetching their ids. One planning round trip, no scan; a
    wrong guess costs time, never correctness."""
    return _probably_broad(*_ids_sql(condition))


def _ids_sql(condition: Q) -> tuple[str, tuple]:
    return SearchDocument.objects.filter(condition).values("listing_id").query.sql_with_params()


def _probably_broad(sql: str, params) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    rows = plan[0]["Plan"]["Plan Rows"]
    return rows * 2 >= min_hits() or rows >= filtered_min_hits()


def candidate_ids(match, filters: dict[str, list[str]]) -> np.ndarray | None:
    """The ascending ids of ``candidates(match, filters)`` when the planner expects enough of
    them to be worth counting here (``probably_broad``), else ``None`` (the SQL counts)."""
    sql, params = _ids_sql(candidates(match, filters))
    if _large_index() or _probably_broad(sql, params):
        return _text_ids(sql, params)
    return None


def _large_index() -> bool:
    """This process's snapshot (of any version) holds at least ``LARGE_INDEX`` documents (and
    ``filtered_min_hits()``): an index this size makes nearly every candidate set worth
    fetching, so the planner is not asked (a round trip and a second planning of the fetch)."""
    found = _local.get("snapshot")
    return found is not None and found.size >= max(LARGE_INDEX, filtered_min_hits())


def text_ids(condition: Q) -> np.ndarray:
    """Ids of the documents matching ``condition``, ascending, in one statement."""
    return _text_ids(*_ids_sql(condition))


def _text_ids(sql: str, params) -> np.ndarray:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {IDS_AS_BYTES} FROM ({sql}) AS h", params)  # noqa: S608
        return ids_from_bytes(cursor.fetchone()[0])


def count(
    request: SearchRequest, ids, *, fetched: bool = False
) -> tuple[int, dict[str, dict[str, int]]] | None:
    """(total, facet counts) of ``request`` from bitsets, given the ascending ``ids`` of the
    documents of ``candidates`` (or of the text alone), when they are at least ``min_hits()``
    or were ``fetched`` for this request (``candidate_ids``: any number, even none); ``None``
    otherwise (or when the snapshot misses a hit): the caller counts in SQL."""
    if not fetched and len(ids) < min_hits():
        return None
    snap = snapshot()
    hits = snap.mask(np.asarray(ids, dtype=np.int64))
    if hits is None:  # written after the snapshot (its version bump is on its way)
        return None
    return snap.counts(hits, request.filters)
