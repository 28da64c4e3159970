"""Split awards (FastTrack): a requirement awarded to two or three partners moves to awarded once,
each chosen proposal is accepted and delivered and paid on its own milestones, the others are
declined; more than three, a proposal of another requirement or one not on the table is refused.
The requirement closes only when every awarded partner's milestones are accepted."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from core.exceptions import ApplicationError, NotAllowed
from demand.models import PaymentRequest, ProposalState, RequirementState
from demand.services import delivery
from demand.services import proposals as services
from tests.factories.demand import RequirementFactory
from tests.factories.partners import owner_of, provisioned_partner
from tests.unit.accounts.helpers import signed_in
from tests.unit.demand.test_proposals import _invite, _propose


@pytest.fixture
def partner_c(directory):
    from tests.factories.accounts import UserFactory

    return provisioned_partner(
        owner=UserFactory(email="owner@partner-c.example.cn"),
        organisation__name="丙方咨询",
        organisation__name_en="Partner C Consulting",
        organisation__slug="partner-c",
        kind="service",
    )


@pytest.fixture
def three(customer_org, partner_a, partner_b, partner_c):
    requirement = RequirementFactory(customer_organisation=customer_org, state="open", screening_questions=[])
    _invite(requirement, partner_a, partner_b, partner_c)
    return requirement, [_propose(requirement, p) for p in (partner_a, partner_b, partner_c)]


@pytest.mark.django_db
def test_split_award_accepts_the_chosen_declines_the_rest_and_records_one_transition(three, customer):
    requirement, (a, b, c) = three
    awarded = services.award_split(proposals=[a, b], by=customer, decline_reason="范围不符")
    assert {p.pk for p in awarded} == {a.pk, b.pk}
    for proposal in (a, b, c):
        proposal.refresh_from_db()
    assert (a.state, b.state, c.state) == (
        ProposalState.ACCEPTED,
        ProposalState.ACCEPTED,
        ProposalState.DECLINED,
    )
    assert c.decline_reason == "范围不符"
    requirement.refresh_from_db()
    assert requirement.state == RequirementState.AWARDED
    steps = list(requirement.transitions.values_list("to_state", flat=True))
    assert steps == [RequirementState.SHORTLISTING, RequirementState.AWARDED]
    with pytest.raises(NotAllowed):  # awarded already: no second award
        services.award_split(proposals=[c], by=customer)


@pytest.mark.django_db
def test_split_award_refuses_more_than_three_none_and_proposals_of_another_requirement(
    three, customer, customer_org, partner_a, partner_b
):
    requirement, proposals = three
    other = RequirementFactory(customer_organisation=customer_org, state="open", screening_questions=[])
    _invite(other, partner_a)
    stranger = _propose(other, partner_a)
    with pytest.raises(ApplicationError):
        services.award_split(proposals=[], by=customer)
    with pytest.raises(NotAllowed):
        services.award_split(proposals=[proposals[0], stranger], by=customer)
    with pytest.raises(ApplicationError) as exc, translation.override("en"):
        services.award_split(proposals=[*proposals, stranger], by=customer)
    assert "at most 3" in exc.value.message
    requirement.refresh_from_db()
    assert requirement.state == RequirementState.OPEN
    assert all(p.state == ProposalState.PROPOSED for p in requirement.proposals.all())


@pytest.mark.django_db
def test_each_awarded_partner_is_paid_on_its_own_milestones_and_all_must_be_accepted_to_close(
    three, customer, partner_a, partner_b
):
    requirement, (a, b, _c) = three
    services.award_split(proposals=[a, b], by=customer)
    delivery.start_delivery(requirement=requirement, by=owner_of(partner_a))
    requirement.refresh_from_db()
    delivery.start_delivery(requirement=requirement, by=owner_of(partner_b))  # already started: fine
    first_a, first_b = a.milestones.first(), b.milestones.first()
    delivery.request_payment(
        milestone=first_a, partner=partner_a, user=owner_of(partner_a), amount="10000", idempotency_key="a"
    )
    delivery.request_payment(
        milestone=first_b, partner=partner_b, user=owner_of(partner_b), amount="4000", idempotency_key="b"
    )
    with pytest.raises(NotAllowed):  # partner B cannot ask on partner A's milestone
        delivery.request_payment(
            milestone=first_a, partner=partner_b, user=owner_of(partner_b), amount="1", idempotency_key="x"
        )
    assert delivery.remaining_on(first_a) == Decimal("0") and delivery.remaining_on(first_b) == Decimal(
        "6000"
    )
    assert set(PaymentRequest.objects.values_list("partner", flat=True)) == {partner_a.pk, partner_b.pk}
    for milestone in a.milestones.all():
        delivery.decide_milestone(milestone=milestone, by=customer, accept=True)
    requirement.refresh_from_db()
    assert requirement.state == RequirementState.IN_DELIVERY  # partner B's work is not accepted yet
    for milestone in b.milestones.all():
        delivery.decide_milestone(milestone=milestone, by=customer, accept=True)
    requirement.refresh_from_db()
    assert requirement.state == RequirementState.CLOSED


@pytest.mark.django_db
@pytest.mark.usefixtures("english")
def test_customer_splits_the_award_on_the_compare_page_and_sees_each_delivery(
    client, three, customer, customer_org, other_customer
):
    requirement, (a, b, c) = three
    signed_in(client, customer, customer_org)
    compare = client.get(reverse("demand:compare", kwargs={"public_id": requirement.public_id}))
    assert 'data-testid="split-award"' in compare.content.decode()
    url = reverse("demand:award-split", kwargs={"public_id": requirement.public_id})
    assert client.post(url, {}).status_code == 302  # none ticked: back to compare with the reason
    response = client.post(url, {"proposal": [a.public_id, c.public_id], "reason": "thanks"}, follow=True)
    html = response.content.decode()
    assert html.count('data-testid="award"') == 2
    assert "Partner A Tech" in html and "Partner C Consulting" in html
    b.refresh_from_db()
    assert b.state == ProposalState.DECLINED and b.decline_reason == "thanks"
    signed_in(client, other_customer, other_customer.memberships.first().organisation)
    assert client.post(url, {"proposal": [b.public_id]}).status_code == 404
