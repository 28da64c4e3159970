"""Reporting facts about partners: the one write path into ``PartnerFact``.

Other apps call :func:`report_facts` with their app label as ``source``; it upserts in bulk
(``INSERT … ON CONFLICT (partner, metric, month) DO UPDATE``, rows sent with ``COPY`` on
PostgreSQL: ``core.bulk``), so reporting the same month
again replaces the value instead of adding a row. A new metric is a new ``Metric`` row
(:func:`ensure_metric`, e.g. from the reporting app's data migration), not a code change here.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.bulk import bulk_upsert
from partners.models import Metric, Partner, PartnerFact

UNKNOWN_METRIC = "Unknown metric: %(slugs)s."
UNKNOWN_PARTNER = "Unknown partner ids: %(ids)s."
BAD_VALUE = "Not a number: %(value)r (partner %(partner)s, metric %(metric)s)."
MISSING_SOURCE = "A fact needs the reporting app's label as its source."


class FactRow(NamedTuple):
    partner_id: int
    metric: str  # Metric.slug
    month: date  # any day of the month; stored as its first day
    value: Decimal | int | str


def _decimal(value, row: FactRow) -> Decimal:
    try:
        result = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError(
            BAD_VALUE, params={"value": value, "partner": row.partner_id, "metric": row.metric}
        ) from exc
    if not result.is_finite():
        raise ValidationError(
            BAD_VALUE, params={"value": value, "partner": row.partner_id, "metric": row.metric}
        )
    return result


@transaction.atomic
def report_facts(*, source: str, rows: Iterable[FactRow | tuple]) -> int:
    """Upsert monthly facts; returns how many (partner, metric, month) values were written.

    Within one call the last value for a key wins. Unknown metric slugs or partner ids raise
    ``ValidationError`` and write nothing.
    """
    if not source:
        raise ValidationError(MISSING_SOURCE)
    latest: dict[tuple[int, str, date], Decimal] = {}
    for raw in rows:
        row = raw if isinstance(raw, FactRow) else FactRow(*raw)
        month = row.month.replace(day=1)
        latest[(int(row.partner_id), row.metric, month)] = _decimal(row.value, row)
    if not latest:
        return 0

    slugs = {metric for _pid, metric, _month in latest}
    metric_ids = dict(Metric.objects.filter(slug__in=slugs).values_list("slug", "id"))
    if unknown := sorted(slugs - metric_ids.keys()):
        raise ValidationError(UNKNOWN_METRIC, params={"slugs": ", ".join(unknown)})
    partner_ids = {pid for pid, _metric, _month in latest}
    known = set(Partner.objects.filter(pk__in=partner_ids).values_list("pk", flat=True))
    if missing := sorted(partner_ids - known):
        raise ValidationError(UNKNOWN_PARTNER, params={"ids": ", ".join(map(str, missing[:10]))})

    now = timezone.now()
    bulk_upsert(
        PartnerFact,
        ["partner_id", "metric_id", "month", "value", "source", "updated_at"],
        [
            (pid, metric_ids[metric], month, value, source, now)
            for (pid, metric, month), value in latest.items()
        ],
        unique_fields=["partner", "metric", "month"],
        update_fields=["value", "source", "updated_at"],
    )
    from partners.selectors.directory import STARS_METRIC

    if STARS_METRIC in slugs:  # the directory's stars filter reads them: its cached pages are stale
        from core.fragments import bump_content_version

        bump_content_version()
    return len(latest)


def ensure_metric(
    *, slug: str, name: str, name_en: str = "", unit: str = Metric.Unit.COUNT, source: str = ""
) -> Metric:
    """Create a metric if it is missing (idempotent; existing names are left as staff set them)."""
    metric, _created = Metric.objects.get_or_create(
        slug=slug, defaults={"name": name, "name_en": name_en, "unit": unit, "source": source}
    )
    return metric
