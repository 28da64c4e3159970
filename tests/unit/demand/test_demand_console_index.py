"""``/demand/console/`` (issue #18): an index of the partner's demand pages: new leads, the
requirements hall and its own proposals (an awarded one links to its delivery); not a 404. Only
partner members see it."""

from decimal import Decimal

import pytest
from django.urls import reverse

from demand.models import Invitation, ProposalState
from demand.services import proposals as services
from tests.factories.demand import RequirementFactory
from tests.factories.partners import owner_of
from tests.unit.accounts.helpers import signed_in

pytestmark = pytest.mark.django_db


def test_the_demand_console_index_links_leads_hall_and_the_partners_proposals(
    client, customer_org, partner_a, partner_b
):
    mine = RequirementFactory(
        customer_organisation=customer_org,
        state="open",
        screening_questions=[],
        title="我的需求",
        title_en="My requirement",
    )
    theirs = RequirementFactory(
        customer_organisation=customer_org,
        state="open",
        screening_questions=[],
        title="别人的需求",
        title_en="Their requirement",
    )
    Invitation.objects.create(requirement=mine, partner=partner_a, source="routed")
    Invitation.objects.create(requirement=theirs, partner=partner_b, source="routed")
    for requirement, partner in ((mine, partner_a), (theirs, partner_b)):
        services.submit_proposal(
            requirement=requirement,
            partner=partner,
            user=owner_of(partner),
            pricing_model="fixed",
            total=Decimal("20000"),
            timeline_days=30,
            summary="方案",
            milestones=[{"title": "实施", "amount": "20000"}],
        )

    signed_in(client, owner_of(partner_a), partner_a.organisation)
    response = client.get("/en/demand/console/")
    assert response.status_code == 200
    html = response.content.decode()
    for name in ("demand:inbox", "demand:hall", "demand:deliveries"):
        assert f'href="{reverse(name)}"' in html
    assert "1 requirement you can see" in html
    assert "My requirement" in html and "Their requirement" not in html
    hall_detail = reverse("demand:hall-detail", kwargs={"public_id": mine.public_id})
    assert f'href="{hall_detail}"' in html

    proposal = mine.proposals.get()
    proposal.state = ProposalState.ACCEPTED
    proposal.save(update_fields=["state"])
    delivery = reverse("demand:delivery", kwargs={"public_id": proposal.public_id})
    assert f'href="{delivery}"' in client.get("/en/demand/console/").content.decode()


def test_a_customer_without_a_partner_gets_404(client, customer, customer_org):
    signed_in(client, customer, customer_org)
    assert client.get("/en/demand/console/").status_code == 404
