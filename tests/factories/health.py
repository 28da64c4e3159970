"""Helpers for the health model tests: facts, custom metric definitions, settings.

- ``fact(partner, slug, "2026-06", value)`` — one monthly fact (through ``report_facts``).
- ``only_metrics(*specs)`` — disable the default health metrics and create these instead;
  a spec is a dict of ``HealthMetric`` fields with ``metric`` given as a slug.
- ``set_health(**fields)`` — change ``HealthSettings``.
- ``pm_user(language)`` — a programme manager (group member) with a preferred language.
- ``health_metric(slug, dimension, …)`` — a health metric definition over a (new) metric.
- ``make_snapshot(partner, month, composite, …)`` — a monthly snapshot with its drill-down
  (``snapshot_metrics(revenue, rating, churn)``); ``MONTHS`` — the dashboard tests' quarter.
"""

from datetime import date
from decimal import Decimal

from django.utils import timezone

from health.models import HealthDimension, HealthMetric, HealthSettings, HealthSnapshot
from partners.models import Metric, Partner
from partners.services.facts import FactRow, ensure_metric, report_facts
from tests.factories.accounts import staff_member
from tests.unit.accounts.helpers import prefer_language

__all__ = [
    "MONTHS",
    "fact",
    "health_metric",
    "make_snapshot",
    "month",
    "only_metrics",
    "pm_user",
    "set_health",
    "snapshot_metrics",
]


def month(text: str) -> date:
    year, mon = text.split("-")
    return date(int(year), int(mon), 1)


def fact(partner, slug: str, when: str, value) -> None:
    report_facts(source="test", rows=[FactRow(partner.pk, slug, month(when), Decimal(str(value)))])


def only_metrics(*specs: dict) -> list[HealthMetric]:
    HealthMetric.objects.update(enabled=False)
    created = []
    for i, spec in enumerate(specs):
        spec = dict(spec)
        metric = Metric.objects.get(slug=spec.pop("metric"))
        denominator = spec.pop("denominator", None)
        created.append(
            HealthMetric.objects.create(
                metric=metric,
                denominator=Metric.objects.get(slug=denominator) if denominator else None,
                sort_order=i,
                **spec,
            )
        )
    return created


def set_health(**fields) -> HealthSettings:
    settings = HealthSettings.load()
    for name, value in fields.items():
        setattr(settings, name, Decimal(str(value)))
    settings.save()
    return settings


def pm_user(language: str = "", **kwargs):
    return prefer_language(staff_member("programme_manager", **kwargs), language)


# --- dashboard data: metric definitions and monthly snapshots ----------------------------------
MONTHS = [date(2026, 7, 1), date(2026, 8, 1), date(2026, 9, 1)]  # the dashboard tests' quarter


def health_metric(slug: str, dimension: str, *, unit=Metric.Unit.COUNT, name="", name_en="", **kwargs):
    metric = ensure_metric(slug=slug, name=name or slug, name_en=name_en or slug, unit=unit)
    definition, _created = HealthMetric.objects.update_or_create(
        slug=slug,
        defaults={"metric": metric, "dimension": dimension, **kwargs},
    )
    return definition


def make_snapshot(
    partner: Partner, month: date, composite, *, previous=None, dims=(None, None, None), metrics=None
):
    productivity, robustness, innovation = dims
    return HealthSnapshot.objects.update_or_create(
        partner=partner,
        month=month,
        defaults={
            "kind": partner.kind,
            "tier": partner.tier,
            "composite": Decimal(str(composite)),
            "previous_composite": Decimal(str(previous)) if previous is not None else None,
            "productivity": Decimal(str(productivity)) if productivity is not None else None,
            "robustness": Decimal(str(robustness)) if robustness is not None else None,
            "innovation": Decimal(str(innovation)) if innovation is not None else None,
            "metrics": metrics or {},
            "computed_at": timezone.now(),
        },
    )[0]


def snapshot_metrics(revenue, rating, churn, previous=None):
    previous = previous or {}
    return {
        "revenue": {
            "value": str(revenue),
            "score": 80 if revenue > 100000 else 30,
            "percentile": 80 if revenue > 100000 else 30,
            "median": "100000",
            "dimension": HealthDimension.PRODUCTIVITY,
            "weight": "2",
            "previous": previous.get("revenue"),
        },
        "churned_customers": {
            "value": str(churn),
            "score": 20 if churn > 3 else 70,
            "percentile": 20 if churn > 3 else 70,
            "median": "2",
            "dimension": HealthDimension.ROBUSTNESS,
            "weight": "1",
            "previous": previous.get("churned_customers"),
        },
        "avg_rating": {
            "value": str(rating),
            "score": 60,
            "percentile": 60,
            "median": "4.1",
            "dimension": HealthDimension.INNOVATION,
            "weight": "1",
            "previous": previous.get("avg_rating"),
        },
    }
