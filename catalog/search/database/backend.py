"""Which database the engine runs on, and the PostgreSQL settings and operators it relies on."""

from __future__ import annotations

import numpy as np
from django.db import connection, transaction
from django.db.models import BooleanField, Func

from catalog.search import ranking


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def configure_database(conn=None) -> None:
    """PostgreSQL: the trigram word-similarity threshold behind ``<%`` (typo matching), for this
    session and, when we own the database, for every later one. Idempotent; no-op elsewhere."""
    conn = conn or connection
    if conn.vendor != "postgresql":
        return
    threshold = float(ranking.config()["fuzzy_min_similarity"])
    threshold = max(0.05, min(1.0, threshold))
    with conn.cursor() as cursor:
        cursor.execute("SELECT set_config('pg_trgm.word_similarity_threshold', %s, false)", [str(threshold)])
        try:
            with transaction.atomic(using=conn.alias):
                cursor.execute("SELECT current_database()")
                name = cursor.fetchone()[0]
                cursor.execute(
                    f"ALTER DATABASE {conn.ops.quote_name(name)} "  # noqa: S608 - a quoted identifier
                    f"SET pg_trgm.word_similarity_threshold = {threshold:.3f}"
                )
        except Exception:  # noqa: BLE001 - not the owner: the session setting above still applies
            pass


class WordSimilar(Func):
    """``query <% column``: PostgreSQL trigram word similarity above the threshold (indexable)."""

    arg_joiner = " <%% "
    template = "(%(expressions)s)"
    output_field = BooleanField()


# Many ids in one value: each id's 4 bytes (``int4send``) concatenated. About a quarter of the
# server time of ``array_agg(… ORDER BY …)`` for tens of thousands of ids (no sort, no text),
# and no text to parse here. ``ids_from_bytes`` reads it back, ascending.
IDS_AS_BYTES = "string_agg(int4send(listing_id), ''::bytea)"


def ids_from_bytes(value) -> np.ndarray:
    """The ids an ``IDS_AS_BYTES`` aggregate returned (``None`` for none), ascending, int64."""
    if not value:
        return np.zeros(0, dtype=np.int64)
    return np.sort(np.frombuffer(bytes(value), dtype=">i4").astype(np.int64))
