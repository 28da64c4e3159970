"""Partners pause their intake (≤ 30 days) from the hall; staff see the demand figures."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from core.exceptions import ApplicationError
from demand import selectors
from demand.models import Invitation, PartnerIntake
from demand.services import proposals as proposal_services
from demand.services import routing
from tests.factories.accounts import UserFactory
from tests.factories.demand import RequirementFactory
from tests.factories.partners import owner_of
from tests.unit.accounts.helpers import enrol_totp, signed_in


@pytest.mark.django_db
def test_owner_pauses_intake_and_is_not_routed_until_it_ends(client, customer_org, partner_a, partner_b):
    signed_in(client, owner_of(partner_a), partner_a.organisation)
    assert client.post(reverse("demand:hall-intake"), {"days": "31"}).status_code == 302
    assert not PartnerIntake.objects.filter(partner=partner_a, paused_until__isnull=False).exists()
    client.post(reverse("demand:hall-intake"), {"days": "10"})
    intake = PartnerIntake.objects.get(partner=partner_a)
    assert timedelta(days=9) < intake.paused_until - timezone.now() <= timedelta(days=10)
    requirement = RequirementFactory(customer_organisation=customer_org, state="open")
    assert [i.partner_id for i in routing.route(requirement=requirement)] == [partner_b.pk]
    later = RequirementFactory(customer_organisation=customer_org, state="open")
    invited = routing.route(requirement=later, now=timezone.now() + timedelta(days=11))
    assert {i.partner_id for i in invited} == {partner_a.pk, partner_b.pk}
    client.post(reverse("demand:hall-intake"), {"days": "0"})
    intake.refresh_from_db()
    assert intake.paused_until is None


@pytest.mark.django_db
def test_pause_is_refused_beyond_thirty_days(partner_a):
    with pytest.raises(ApplicationError):
        routing.pause_intake(partner=partner_a, days=45)


@pytest.mark.django_db
def test_dashboard_figures(client, customer_org, customer, partner_a, partner_b):
    requirement = RequirementFactory(
        customer_organisation=customer_org, state="open", opened_at=timezone.now() - timedelta(hours=10)
    )
    RequirementFactory(customer_organisation=customer_org, state="open", opened_at=timezone.now())
    for partner in (partner_a, partner_b):
        Invitation.objects.create(requirement=requirement, partner=partner, source="routed")
        proposal_services.submit_proposal(
            requirement=requirement,
            partner=partner,
            user=None,
            pricing_model="fixed",
            total=Decimal("100"),
            timeline_days=5,
            summary="s",
        )
    figures = selectors.dashboard_figures()
    assert figures["opened"] == 2
    assert 9.9 <= figures["median_hours_to_first_proposal"] <= 10.1
    assert figures["share_with_three_proposals"] == 0
    assert figures["award_rate"] is None
    proposal_services.award(proposal=requirement.proposals.first(), by=customer)
    figures = selectors.dashboard_figures()
    assert figures["award_rate"] == 100
    assert figures["median_days_to_award"] is not None

    manager = UserFactory()
    manager.groups.add(Group.objects.get(name="Programme managers"))
    enrol_totp(manager)  # staff need an authenticator before the admin (accounts.mfa)
    client.force_login(manager)
    page = client.get(reverse("demand_admin:queue")).content.decode()
    assert 'data-testid="figures"' in page
