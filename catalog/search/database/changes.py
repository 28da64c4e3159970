"""Which documents each index version changed (database engine), so that what is kept per index
version — a broad word's scan (``broad``), the facet bitsets (``bitsets``) — can be brought up
to date from an earlier version by re-reading only those documents instead of being rebuilt.

Every write of the database engine's index (``indexing.index`` / ``remove``) bumps the index
version and, **once its transaction commits**, notes the listing ids it wrote or removed under
that version (``record``), in the shared cache beside the version, keyed on the epoch (a cache
flush restarts the version and the epoch, so no old note is read against a new version).
``since(epoch, base, version)`` is the union of the notes of ``base + 1 … version`` — or
``None`` when one is missing (a bump with no note: a ranking refresh, a synonym change, another
engine, a write whose transaction rolled back or has not committed yet, an evicted note), when
one says "everything" (``ALL``: a rebuild's large batches) or when they name too many documents:
the caller then rebuilds from scratch, as before.

A note may name more than the write finally changed (re-reading an unchanged document gives the
same answer), never less: a version whose write is not noted is simply not bridged.
"""

from __future__ import annotations

import uuid

import numpy as np
from django.core.cache import cache
from django.db import transaction

from catalog.search.base import bump_index_version, index_version
from core.cache import per_request

EPOCH_KEY = "catalog.search.db.bitsets.epoch"
KEY = "catalog.search.db.changes"
ALL = "all"
MAX_IDS = 5_000  # documents re-read to bridge versions; beyond that a rebuild is as cheap
MAX_STEPS = 500  # versions bridged at most (one ``get_many``)
TIMEOUT = 60 * 60


def epoch() -> str:
    """A random value kept beside the index version (read once per request, like the version):
    a cache flush that restarts the version restarts the epoch too."""
    return per_request(EPOCH_KEY, _read_epoch)


def _read_epoch() -> str:
    found = cache.get(EPOCH_KEY)
    if found is None:
        cache.add(EPOCH_KEY, uuid.uuid4().hex, None)
        found = cache.get(EPOCH_KEY) or "none"
    return found


def current() -> tuple[str, int]:
    """(epoch, index version): what a cache of this index's data is keyed on. Read *before*
    the documents, so a write racing a read leaves an entry that the write's bump retires."""
    return epoch(), index_version()


def record(listing_ids=None) -> None:
    """Bump the index version for a write of ``listing_ids`` (``None``: any document) and note
    them under the new version once the write commits."""
    version = bump_index_version()
    if version is None:
        return
    ids = None if listing_ids is None else sorted({int(i) for i in listing_ids})
    value = ALL if ids is None or len(ids) > MAX_IDS else ids

    def note():
        cache.set(f"{KEY}.{epoch()}.{version}", value, TIMEOUT)

    transaction.on_commit(note)


def since(at_epoch: str, base: int, version: int) -> np.ndarray | None:
    """The ascending ids of every document written or removed after version ``base`` up to
    ``version`` (``epoch`` as both were read), or ``None`` when that is not known."""
    if version < base or version - base > MAX_STEPS:
        return None
    if version == base:
        return np.zeros(0, dtype=np.int64)
    keys = [f"{KEY}.{at_epoch}.{v}" for v in range(base + 1, version + 1)]
    found = cache.get_many(keys)
    if len(found) != len(keys) or any(value == ALL for value in found.values()):
        return None
    ids = np.unique(np.fromiter((i for value in found.values() for i in value), dtype=np.int64))
    return ids if len(ids) <= MAX_IDS else None
