"""The index's life: created once however many workers race, written in bulk with every failure
reported and the transient ones retried, rebuilt behind the alias without losing a write.

Names (prefix ``symbio``): the alias ``symbio-listings`` is what every search and write uses;
concrete indices are ``symbio-listings-initial`` (made by the first write on a fresh cluster)
and ``symbio-listings-<timestamp>`` (made by a rebuild); ``symbio-listings.rebuild`` exists only
while a rebuild runs — it is the rebuild's lock and its journal of the listings written meanwhile.

Rebuild, step by step: create the journal (refused if a fresh one exists: one rebuild at a
time); create the new index; fill it from the batches; refresh; re-apply every listing the
journal names (read from the database again); swap the alias in one ``_aliases`` call (removing
it from every ``symbio-listings-*`` index and adding it to the new one as write index); re-apply
the journal once more (writes that reached the old index between the first replay and the swap);
drop the journal and the old indices. Writers journal their listing ids *before* writing, so a
write is either in the new index already or named by the journal. If anything fails before the
swap, the new index and the journal are deleted and the old index keeps serving.
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime

from django.conf import settings

from catalog.search.elastic.connection import (
    IndexWriteError,
    TransientIndexError,
    client,
    error_type,
    status_of,
)
from catalog.search.elastic.mapping import alias_name, index_body, to_source

logger = logging.getLogger(__name__)

BULK_ATTEMPTS = 3
BULK_BACKOFF = 0.5  # seconds, doubled per attempt
JOURNAL_PAGE = 10_000


class RebuildRunning(Exception):
    """Another rebuild holds the journal (started less than ``ELASTICSEARCH_REBUILD_STALE``
    seconds ago)."""


def initial_index() -> str:
    return f"{alias_name()}-initial"


def journal_index() -> str:
    return f"{alias_name()}.rebuild"


def new_index_name() -> str:
    return f"{alias_name()}-{datetime.now(UTC):%Y%m%d%H%M%S%f}"


def alias_exists(es=None) -> bool:
    return bool((es or client()).indices.exists_alias(name=alias_name()))


def ensure_index() -> None:
    """The alias exists afterwards. Safe to run concurrently: the first index has a fixed name and
    is created *with* the alias in one request, so a racing worker gets
    ``resource_already_exists_exception`` and uses the index the winner made."""
    from elasticsearch import BadRequestError

    es = client()
    if alias_exists(es):
        return
    try:
        es.indices.create(index=initial_index(), aliases={alias_name(): {}}, **index_body())
    except BadRequestError as exc:
        if "resource_already_exists_exception" not in error_type(exc):
            raise
        if not alias_exists(es):  # the index outlived its alias: attach it again
            es.indices.put_alias(index=initial_index(), name=alias_name())


# --- bulk writes ---------------------------------------------------------------------------------
def index_actions(documents, index: str) -> list[dict]:
    return [
        {"_op_type": "index", "_index": index, "_id": str(d.listing_id), "_source": to_source(d)}
        for d in documents
    ]


def delete_actions(listing_ids, index: str) -> list[dict]:
    return [{"_op_type": "delete", "_index": index, "_id": str(i)} for i in listing_ids]


def bulk_write(actions: list[dict], *, refresh=None, require_alias: bool = False) -> int:
    """Write ``actions``; a delete of a missing document is no failure. Items refused for a
    transient reason (429, 5xx) are sent again up to ``BULK_ATTEMPTS`` times, then
    ``TransientIndexError`` (the task retries later); any other refusal raises
    ``IndexWriteError`` naming the documents and reasons. Connection errors propagate."""
    from elasticsearch.helpers import bulk

    if not actions:
        return 0
    es = client()
    pending = list(actions)
    params = {"refresh": refresh} if refresh else {}
    if require_alias:
        params["require_alias"] = True
    written = 0
    for attempt in range(BULK_ATTEMPTS):
        ok, errors = bulk(es, pending, raise_on_error=False, stats_only=False, **params)
        written += ok
        retry, refused = [], []
        for item in errors:
            op, info = next(iter(item.items()))
            status = int(info.get("status", 500))
            if op == "delete" and status == 404:
                written += 1
                continue
            (retry if status in (429, 500, 502, 503, 504) else refused).append(info)
        if refused:
            logger.error("Elasticsearch refused %d documents: %s", len(refused), refused[:5])
            raise IndexWriteError(
                f"Elasticsearch refused {len(refused)} document(s): "
                + "; ".join(
                    f"{i.get('_id')}: {(i.get('error') or {}).get('type', i.get('status'))}"
                    for i in refused[:5]
                ),
                refused,
            )
        if not retry:
            return written
        again = {str(info.get("_id")) for info in retry}
        pending = [a for a in pending if str(a["_id"]) in again]
        logger.warning(
            "Elasticsearch rejected %d documents (attempt %d); retrying", len(pending), attempt + 1
        )
        if attempt + 1 < BULK_ATTEMPTS:
            time.sleep(BULK_BACKOFF * 2**attempt)
    raise TransientIndexError(f"{len(pending)} document(s) not written after {BULK_ATTEMPTS} attempts")


# --- the rebuild journal ---------------------------------------------------------------------
def journal(listing_ids) -> None:
    """While a rebuild runs, note the listings about to be written (before writing them)."""
    ids = [int(i) for i in listing_ids]
    es = client()
    if not ids or not es.indices.exists(index=journal_index()):
        return
    actions = [
        {"_op_type": "index", "_index": journal_index(), "_id": str(i), "_source": {"listing_id": i}}
        for i in ids
    ]
    try:
        bulk_write(actions, refresh="wait_for")
    except IndexWriteError:  # the journal went away meanwhile: the rebuild is over
        logger.info("Rebuild journal gone while journalling %s", ids[:10])


def journalled_ids() -> list[int]:
    es = client()
    es.indices.refresh(index=journal_index())
    ids: list[int] = []
    after = None
    while True:
        body = {
            "query": {"match_all": {}},
            "sort": [{"listing_id": "asc"}],
            "size": JOURNAL_PAGE,
            "_source": False,
        }
        if after is not None:
            body["search_after"] = after
        hits = es.search(index=journal_index(), body=body)["hits"]["hits"]
        ids.extend(int(hit["_id"]) for hit in hits)
        if len(hits) < JOURNAL_PAGE:
            return ids
        after = hits[-1]["sort"]


def acquire_journal(target: str) -> None:
    from elasticsearch import BadRequestError

    es = client()
    body = {
        "settings": {"number_of_shards": 1, "number_of_replicas": 0},
        "mappings": {
            "dynamic": False,
            "_meta": {"target": target, "started": datetime.now(UTC).isoformat()},
            "properties": {"listing_id": {"type": "integer"}},
        },
    }
    try:
        es.indices.create(index=journal_index(), **body)
        return
    except BadRequestError as exc:
        if "resource_already_exists_exception" not in error_type(exc):
            raise
    mapping = es.indices.get_mapping(index=journal_index())
    meta = next(iter(mapping.values()), {}).get("mappings", {}).get("_meta", {})
    started = meta.get("started")
    stale_after = float(getattr(settings, "ELASTICSEARCH_REBUILD_STALE", 6 * 3600))
    if started and (datetime.now(UTC) - datetime.fromisoformat(started)).total_seconds() < stale_after:
        raise RebuildRunning(f"another rebuild (into {meta.get('target')}) has been running since {started}")
    logger.warning("Removing a stale rebuild journal (%s)", meta or "no metadata")
    es.indices.delete(index=journal_index())
    es.indices.create(index=journal_index(), **body)


def reapply(listing_ids, index: str) -> int:
    """Write the listings' current state (read from the database now) into ``index``."""
    from catalog.search import documents

    ids = sorted({int(i) for i in listing_ids})
    if not ids:
        return 0
    docs = documents.build(ids)
    gone = set(ids) - {d.listing_id for d in docs}
    bulk_write(index_actions(docs, index) + delete_actions(sorted(gone), index), refresh="wait_for")
    return len(ids)


def concrete_indices(es=None) -> list[str]:
    """Every ``<alias>-*`` index (with or without the alias)."""
    es = es or client()
    return sorted(es.indices.get_alias(index=f"{alias_name()}-*"))


def rebuild(batches, *, total: int, progress=None) -> int:
    es = client()
    name = new_index_name()
    acquire_journal(name)
    swapped = False
    try:
        es.indices.create(index=name, **index_body())
        done = 0
        for batch in batches:
            done += bulk_write(index_actions(batch, name))
            if progress:
                progress(done, total)
        es.indices.refresh(index=name)
        reapply(journalled_ids(), name)
        es.indices.update_aliases(
            actions=[
                {"remove": {"index": f"{alias_name()}-*", "alias": alias_name(), "must_exist": False}},
                {"add": {"index": name, "alias": alias_name(), "is_write_index": True}},
            ]
        )
        swapped = True
        reapply(journalled_ids(), alias_name())
    except BaseException:
        if not swapped:
            _delete_quietly(es, name)
        _delete_quietly(es, journal_index())
        raise
    _delete_quietly(es, journal_index())
    old = [index for index in concrete_indices(es) if index != name]
    if old:
        es.indices.delete(index=",".join(old))
    return done


def _delete_quietly(es, index: str) -> None:
    try:
        es.indices.delete(index=index)
    except Exception as exc:  # noqa: BLE001 - cleaning up after a failure must not hide it
        if status_of(exc) != 404:
            logger.warning("Could not delete %s: %s", index, exc)


def delete_everything() -> None:
    """Tests and resets: drop the alias, every index behind it and any rebuild journal."""
    es = client()
    names = concrete_indices(es)
    if es.indices.exists(index=journal_index()):
        names.append(journal_index())
    if names:
        es.indices.delete(index=",".join(names))
