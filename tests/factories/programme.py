"""Helpers for the tier-programme tests: ladders with known criteria, facts, certifications.

from tests.factories.programme import AS_OF, set_criteria, report_months
"""

from datetime import date
from decimal import Decimal

import factory

from partners.models import Certification, CertifiedPerson, Metric, PartnerKind, Tier, TierCriterion
from partners.selectors.programme import shift_months
from partners.services.facts import FactRow, report_facts
from tests.factories.partners import PartnerFactory, TierFactory

__all__ = [
    "AS_OF",
    "CertificationFactory",
    "CertifiedPersonFactory",
    "report_months",
    "service_ladder",
    "service_partner",
    "set_criteria",
]

AS_OF = date(2026, 9, 1)  # the evaluated month in these tests
SUM, LATEST, AVG = TierCriterion.Window.SUM_12M, TierCriterion.Window.LATEST, TierCriterion.Window.AVG_12M


def set_criteria(tier: Tier, *criteria) -> Tier:
    """Replace ``tier``'s criteria with (metric slug, window, threshold[, min_count]) tuples."""
    TierCriterion.objects.filter(tier=tier).delete()
    for order, (metric, window, threshold, *rest) in enumerate(criteria):
        TierCriterion.objects.create(
            tier=tier,
            metric=Metric.objects.get(slug=metric),
            window=window,
            threshold=Decimal(str(threshold)),
            min_count=rest[0] if rest else None,
            sort_order=order,
        )
    return tier


def service_ladder() -> list[Tier]:
    """The service ladder with small, known criteria (ranks 0–4):

    1 revenue 12-month sum ≥ 100 · 2 also revenue ≥ 1,000 and certified people ≥ 5 ·
    3 revenue ≥ 5,000 and rating ≥ 4.5 from ≥ 10 reviews · 4 health score ≥ 80.
    """
    tiers = [TierFactory(kind=PartnerKind.SERVICE, rank=rank) for rank in range(5)]
    set_criteria(tiers[0])
    set_criteria(tiers[1], ("revenue", SUM, 100))
    set_criteria(tiers[2], ("revenue", SUM, 1000), ("certified_people", LATEST, 5))
    set_criteria(tiers[3], ("revenue", SUM, 5000), ("avg_rating", LATEST, "4.5", 10))
    set_criteria(tiers[4], ("health_score", LATEST, 80))
    return tiers


def report_months(partner, metric: str, value, *, months: int = 12, until: date = AS_OF) -> None:
    """The same ``value`` for each of the ``months`` months ending with ``until``."""
    report_facts(
        source="tests",
        rows=[FactRow(partner.pk, metric, shift_months(until, -i), value) for i in range(months)],
    )


def service_partner(tier: Tier, **kwargs):
    return PartnerFactory(kind=PartnerKind.SERVICE, tier=tier, **kwargs)


class CertificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Certification
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"cert-{n}")
    name = factory.Sequence(lambda n: f"认证 {n}")
    name_en = factory.Sequence(lambda n: f"Certification {n}")
    level = Certification.Level.PROFESSIONAL
    validity_months = 24
    partner_kinds = factory.LazyFunction(list)


class CertifiedPersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CertifiedPerson

    partner = factory.SubFactory(PartnerFactory, kind=PartnerKind.SERVICE)
    name = factory.Sequence(lambda n: f"工程师 {n}")
    email = factory.Sequence(lambda n: f"engineer{n}@partner.example.cn")
    certification = factory.SubFactory(CertificationFactory)
    issued_on = date(2025, 1, 15)
