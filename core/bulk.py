"""Bulk upserts: ``INSERT … ON CONFLICT`` of many rows at once, through ``COPY`` on PostgreSQL
(used by the monthly facts and the health model, which write hundreds of thousands of rows), and
:func:`without_jit` for the large reads beside them."""

from __future__ import annotations

import json
from contextlib import contextmanager

from django.db import connection, transaction

UPSERT_BATCH = 2000


@contextmanager
def without_jit():
    """A transaction in which PostgreSQL does not JIT-compile (``SET LOCAL jit = off``): for
    statements whose row estimates cross the JIT thresholds although compiling costs more than
    it saves (broad searches, the health model's reads). Only a transaction elsewhere."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL jit = off")
        yield


def bulk_upsert(
    model,
    attnames: list[str],
    rows: list[tuple],
    *,
    unique_fields: list[str],
    update_fields: list[str] | None,
) -> None:
    """``INSERT … ON CONFLICT (unique_fields) DO UPDATE`` (or ``DO NOTHING`` without
    ``update_fields``) of ``rows`` (tuples of database-ready values for ``attnames``; JSON as
    Python objects). On PostgreSQL rows go through ``COPY`` into a temporary table — much faster
    than one long ``VALUES``/``UNNEST`` statement for JSON rows; elsewhere ``bulk_create``."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        objs = [model(**dict(zip(attnames, row, strict=True))) for row in rows]
        for start in range(0, len(objs), UPSERT_BATCH):
            model.objects.bulk_create(
                objs[start : start + UPSERT_BATCH],
                update_conflicts=bool(update_fields),
                ignore_conflicts=not update_fields,
                unique_fields=unique_fields if update_fields else None,
                update_fields=update_fields,
            )
        return
    meta = model._meta
    qn = connection.ops.quote_name
    by_attname = {f.attname: f for f in meta.concrete_fields}
    json_at = [i for i, name in enumerate(attnames) if by_attname[name].get_internal_type() == "JSONField"]
    columns = ", ".join(qn(by_attname[name].column) for name in attnames)
    conflict = ", ".join(qn(meta.get_field(name).column) for name in unique_fields)
    if update_fields:
        updated = [qn(meta.get_field(n).column) for n in update_fields]
        action = "DO UPDATE SET " + ", ".join(f"{c} = EXCLUDED.{c}" for c in updated)
    else:
        action = "DO NOTHING"
    table = qn(meta.db_table)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMP TABLE core_bulk_upsert ON COMMIT DROP AS SELECT {columns} FROM {table} WITH NO DATA"
        )
        with cursor.cursor.copy(f"COPY core_bulk_upsert ({columns}) FROM STDIN") as copy:
            for row in rows:
                if json_at:
                    row = list(row)
                    for i in json_at:
                        row[i] = json.dumps(row[i], ensure_ascii=False)
                copy.write_row(row)
        cursor.execute(
            f"INSERT INTO {table} ({columns}) SELECT {columns} FROM core_bulk_upsert "
            f"ON CONFLICT ({conflict}) {action}"
        )
        cursor.execute("DROP TABLE core_bulk_upsert")
