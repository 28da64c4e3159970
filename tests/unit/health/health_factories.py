"""Helpers for the health model tests: facts, custom metric definitions, settings.

- ``fact(partner, slug, "2026-06", value)`` — one monthly fact (through ``report_facts``).
- ``only_metrics(*specs)`` — disable the default health metrics and create these instead;
  a spec is a dict of ``HealthMetric`` fields with ``metric`` given as a slug.
- ``set_health(**fields)`` — change ``HealthSettings``.
- ``pm_user(language)`` — a programme manager (group member) with a preferred language.
"""

from datetime import date
from decimal import Decimal

from django.contrib.auth.models import Group
from wagtail.users.models import UserProfile

from health.models import HealthMetric, HealthSettings
from partners.models import Metric
from partners.services.facts import FactRow, report_facts
from tests.unit.accounts.factories import UserFactory
from tests.unit.accounts.helpers import enrol_totp


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
    user = UserFactory(**kwargs)
    group, _ = Group.objects.get_or_create(name="Programme managers")
    user.groups.add(group)
    enrol_totp(user)  # staff need two-factor before the admin (accounts.mfa)
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = language
    profile.save()
    return user
