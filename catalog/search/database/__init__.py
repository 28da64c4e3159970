"""The database search engine: ``SearchDocument`` rows, on PostgreSQL or SQLite.

- ``query``: the text condition, relevance, ordering and one page of hits;
- ``facets``: facet columns, lexemes and filter conditions, and the facet counts;
- ``suggest``: "did you mean" and autocomplete (plus helpers the Elasticsearch engine shares);
- ``indexing``: writing, removing and rebuilding documents, and the ranking refresh;
- ``backend``: which database, and the PostgreSQL settings and operators used;
- ``bitsets`` and ``broad``: broad words — totals and facet counts from bitsets, and the scan
  of a broad text kept per index version;
- ``engine``: ``DatabaseEngine``, which ties them together.

Everything that was importable from ``catalog.search.database`` before it became a package
still is.
"""

from catalog.search.database.backend import WordSimilar, configure_database, is_postgres
from catalog.search.database.engine import DatabaseEngine
from catalog.search.database.facets import (
    ALL_KEY,
    ALL_TIMEOUT,
    FACET_COLUMNS,
    MULTI,
    SINGLE,
    document_facets,
    facet_lexeme,
    filter_q,
    filters_matches,
    filters_q,
)
from catalog.search.database.indexing import (
    build_vectors,
    document_rows,
    facet_rows,
    head_vector_expression,
    vector_expression,
)
from catalog.search.database.query import (
    NARROW_FIELDS,
    SUBSTRING_COLUMNS,
    TEXT_FIELDS,
    Browse,
    TextMatch,
    with_text,
)
from catalog.search.database.suggest import category_suggestions, closest, listing_suggestion

__all__ = [
    "ALL_KEY",
    "ALL_TIMEOUT",
    "FACET_COLUMNS",
    "MULTI",
    "NARROW_FIELDS",
    "SINGLE",
    "SUBSTRING_COLUMNS",
    "TEXT_FIELDS",
    "Browse",
    "DatabaseEngine",
    "TextMatch",
    "WordSimilar",
    "build_vectors",
    "category_suggestions",
    "closest",
    "configure_database",
    "document_facets",
    "document_rows",
    "facet_lexeme",
    "facet_rows",
    "filter_q",
    "filters_matches",
    "filters_q",
    "head_vector_expression",
    "is_postgres",
    "listing_suggestion",
    "vector_expression",
    "with_text",
]
