"""Set-based writes shared by the scoring paths and at-risk detection: the bulk upsert
(``core.bulk``: ``COPY`` on PostgreSQL) and the ``health_score`` fact written back from the
snapshots."""

from __future__ import annotations

from datetime import date

from django.db import connection
from django.utils import timezone

from partners.models import Metric

FACT_SOURCE = "partners"
HEALTH_SCORE_SLUG = "health_score"


def health_score_metric_id() -> int | None:
    return Metric.objects.filter(slug=HEALTH_SCORE_SLUG).values_list("pk", flat=True).first()


def report_health_scores(
    month: date, only: set[int] | None, *, last: date | None = None, computed_at=None
) -> None:
    """The ``health_score`` fact of every snapshot of ``month`` (to ``last``; only those computed
    at ``computed_at`` when given), in one set-based upsert from the snapshots (the values
    ``report_facts`` would write, without a round trip through Python)."""
    metric_id = health_score_metric_id()
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
