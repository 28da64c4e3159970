"""Star ratings: computed from facts, missing facts left out (not zero), explained, reported."""

from datetime import date
from decimal import Decimal

import pytest

from incentives.models import StarRating
from incentives.services import stars
from partners.models import PartnerFact, PartnerKind
from partners.services.facts import ensure_metric, report_facts
from tests.factories.incentives import member_partner

pytestmark = pytest.mark.django_db
MONTH = date(2026, 2, 1)


def facts(partner, **values):
    for slug in values:
        ensure_metric(slug=slug, name=slug)
    report_facts(source="test", rows=[(partner.pk, slug, MONTH, value) for slug, value in values.items()])


def test_stars_are_the_weighted_points_of_the_facts_that_exist():
    partner = member_partner(kind=PartnerKind.SERVICE)
    facts(partner, delivery_success_rate="96", certified_people="12", avg_rating="3.9")
    assert stars.compute_star_ratings(month=MONTH) == 1
    rating = StarRating.objects.get(partner=partner, month=MONTH)
    # (0.35×5 + 0.25×4 + 0.25×3) / 0.85 = 4.12 → 4 stars; lead response is missing, not zero
    assert rating.score == Decimal("4.12")
    assert rating.stars == 4
    missing = [row for row in rating.explanation if row.get("missing")]
    assert [row["metric"] for row in missing] == ["lead_response_hours"]
    fact = PartnerFact.objects.get(partner=partner, metric__slug="delivery_stars", month=MONTH)
    assert fact.value == 4


def test_a_missing_fact_does_not_pull_the_rating_down():
    only_delivery = member_partner(kind=PartnerKind.CHANNEL)
    facts(only_delivery, delivery_success_rate="97")
    stars.compute_star_ratings(month=MONTH)
    assert StarRating.objects.get(partner=only_delivery).stars == 5


def test_lower_lead_response_is_better_and_isvs_are_not_rated():
    fast = member_partner(kind=PartnerKind.SERVICE)
    slow = member_partner(kind=PartnerKind.SERVICE)
    isv = member_partner(kind=PartnerKind.ISV)
    facts(fast, lead_response_hours="3")
    facts(slow, lead_response_hours="72")
    facts(isv, certified_people="30")
    stars.compute_star_ratings(month=MONTH)
    assert StarRating.objects.get(partner=fast).stars == 5
    assert StarRating.objects.get(partner=slow).stars == 1
    assert not StarRating.objects.filter(partner=isv).exists()


def test_no_facts_no_rating():
    partner = member_partner(kind=PartnerKind.SERVICE)
    assert stars.compute_star_ratings(month=MONTH, partners=[partner]) == 0
    assert not StarRating.objects.filter(partner=partner).exists()


def test_the_rating_shows_on_the_public_profile(client):
    from tests.factories.partners import provisioned_partner

    partner = provisioned_partner(kind=PartnerKind.SERVICE, organisation__slug="starry")
    facts(partner, delivery_success_rate="91")
    stars.compute_star_ratings(month=MONTH)
    body = client.get("/en/partners/starry/").content.decode()
    assert 'data-delivery-stars="4"' in body
    assert "Delivery success rate: 91.00" in body


def test_staff_entered_delivery_outcomes_become_the_delivery_success_rate():
    from incentives.models import DeliveryOutcome

    partner = member_partner(kind=PartnerKind.SERVICE)
    for n, ok in enumerate([True, True, True, False]):
        DeliveryOutcome.objects.create(
            partner=partner, project=f"P{n}", accepted_on=date(2026, 2, 3 + n), successful=ok
        )
    DeliveryOutcome.objects.create(
        partner=partner, project="March", accepted_on=date(2026, 3, 1), successful=False
    )
    assert stars.report_delivery_outcomes(month=MONTH) == 1
    fact = PartnerFact.objects.get(partner=partner, metric__slug="delivery_success_rate", month=MONTH)
    assert fact.value == Decimal("75")
    stars.compute_star_ratings(month=MONTH)
    assert StarRating.objects.get(partner=partner).stars == 2  # 75 % → 2 points, the only fact


def test_programme_managers_enter_delivery_outcomes_in_the_admin(client):
    from tests.factories.accounts import staff_member

    client.force_login(staff_member("programme_manager"))
    assert client.get("/admin/snippets/incentives/deliveryoutcome/").status_code == 200
    client.force_login(staff_member("reviewer"))
    assert client.get("/admin/snippets/incentives/deliveryoutcome/").status_code in (302, 403)
