"""The Elasticsearch engine, used when ``ELASTICSEARCH_URL`` is set (``docs/search.md``).

* ``connection`` — the client, its time limits (searches 1.5 s with one retry; writes 30 s with
  three), which errors mean "unavailable", and the per-process circuit breaker;
* ``mapping`` — index settings (shards and replicas from settings), the ``ListingDocument``
  mapping (built-in analysers only) and a listing's ``_source``;
* ``queries`` — every request body: the search with its ranking and facets, the typo pass,
  "did you mean", autocomplete, and the leaf-clause count kept under Elasticsearch's limit;
* ``lifecycle`` — the alias, concurrent-safe ``ensure_index``, bulk writes that report and retry
  failures, the zero-downtime rebuild with its journal;
* ``engine`` — ``ElasticsearchEngine``, falling back to the database engine when the cluster
  cannot answer.
"""

from __future__ import annotations

from catalog.search.elastic.connection import client, search_client
from catalog.search.elastic.engine import ElasticsearchEngine
from catalog.search.elastic.mapping import _dsl, alias_name, document_class, index_body, to_source
from catalog.search.elastic.queries import search_body


def reset() -> None:
    """Forget the client and the document class (settings changed: tests)."""
    from catalog.search.elastic import connection

    client.cache_clear()
    _dsl.cache_clear()
    connection.resume_search()


__all__ = [
    "ElasticsearchEngine",
    "_dsl",
    "alias_name",
    "client",
    "document_class",
    "index_body",
    "reset",
    "search_body",
    "search_client",
    "to_source",
]
