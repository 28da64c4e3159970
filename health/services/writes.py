"""Set-based writes shared by the scoring paths and at-risk detection: the bulk upsert (``COPY``
on PostgreSQL) and the ``health_score`` fact written back from the snapshots."""

from __future__ import annotations

import json
from datetime import date

from django.db import connection, transaction
from django.utils import timezone

from partners.models import Metric

FACT_SOURCE = "partners"
HEALTH_SCORE_SLUG = "health_score"
UPSERT_BATCH = 2000


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
            f"CREATE TEMP TABLE health_upsert ON COMMIT DROP AS SELECT {columns} FROM {table} WITH NO DATA"
        )
        with cursor.cursor.copy(f"COPY health_upsert ({columns}) FROM STDIN") as copy:
            for row in rows:
                if json_at:
                    row = list(row)
                    for i in json_at:
                        row[i] = json.dumps(row[i], ensure_ascii=False)
                copy.write_row(row)
        cursor.execute(
            f"INSERT INTO {table} ({columns}) SELECT {columns} FROM health_upsert "
            f"ON CONFLICT ({conflict}) {action}"
        )
        cursor.execute("DROP TABLE health_upsert")


def report_health_scores(
    month: date, only: set[int] | None, *, last: date | None = None, computed_at=None
) -> None:
    """The ``health_score`` fact of every snapshot of ``month`` (to ``last``; only those computed
    at ``computed_at`` when given), in one set-based upsert from the snapshots (the values
    ``report_facts`` would write, without a round trip through Python)."""
    metric_id = Metric.objects.filter(slug=HEALTH_SCORE_SLUG).values_list("pk", flat=True).first()
    if metric_id is None:
        return
    scope, params = "", [metric_id, FACT_SOURCE, timezone.now(), month, last or month]
    if computed_at is not None:
        scope += " AND computed_at = %s"
        params.append(computed_at)
    if only is not None:
        scope += " AND partner_id IN (" + ", ".join(["%s"] * len(only)) + ")"
        params += sorted(only)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO partners_partnerfact (partner_id, metric_id, month, value, source, updated_at) "
            "SELECT partner_id, %s, month, composite, %s, %s FROM partners_healthsnapshot "
            f"WHERE month >= %s AND month <= %s{scope} "
            "ON CONFLICT (partner_id, metric_id, month) DO UPDATE SET value = excluded.value, "
            "source = excluded.source, updated_at = excluded.updated_at",
            params,
        )
