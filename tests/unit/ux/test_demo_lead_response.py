"""The demo partner's delivery stars count lead response time (issue #18): ``demo.incentives``
reports three months of ``lead_response_hours`` for the demo partner login's partner, so its
rating no longer leaves the metric out; the seeding is idempotent."""

from io import StringIO

import pytest

from demo.base import DEMO_TODAY, SeedContext
from demo.incentives import seed_stars
from incentives.models import StarRating
from partners.models import PartnerFact, PartnerKind
from tests.factories.partners import provisioned_partner

pytestmark = pytest.mark.django_db


def test_the_demo_partners_stars_include_lead_response_time():
    flagship = provisioned_partner(kind=PartnerKind.SERVICE, organisation__slug="flagship")
    other = provisioned_partner(kind=PartnerKind.SERVICE, organisation__slug="other")
    ctx = SeedContext(stdout=StringIO(), registry={"partners.flagship": flagship.pk})

    seed_stars(ctx)
    seed_stars(ctx)  # a rerun changes nothing

    facts = PartnerFact.objects.filter(metric__slug="lead_response_hours")
    assert facts.filter(partner=other).count() == 0
    assert facts.filter(partner=flagship).count() == 3
    rating = StarRating.objects.get(partner=flagship, month=DEMO_TODAY.replace(day=1))
    row = next(r for r in rating.explanation if r["metric"] == "lead_response_hours")
    assert not row.get("missing") and row["value"] == "3.50" and row["points"] == 5
