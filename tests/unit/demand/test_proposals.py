"""Proposals and the hall: milestone sums enforced on the server, one proposal per partner,
versions kept on revision, only invited (or qualified claimants) may see and propose (others
404), compare side by side, award declines the others, staff moderation in the admin."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from core.exceptions import ApplicationError, NotAllowed
from demand.models import Invitation, Proposal, ProposalState, RequirementState
from demand.services import proposals as services
from demand.services import routing
from tests.factories.accounts import UserFactory
from tests.factories.demand import RequirementFactory
from tests.factories.partners import owner_of
from tests.unit.accounts.helpers import enrol_totp, signed_in


def _invite(requirement, *partners):
    for partner in partners:
        Invitation.objects.create(requirement=requirement, partner=partner, source="routed")


def _propose(requirement, partner, **changes):
    values = {
        "pricing_model": "milestones",
        "total": Decimal("30000.00"),
        "timeline_days": 60,
        "summary": "分三期实施",
        "milestones": [
            {"title": "蓝图", "amount": "10000"},
            {"title": "上线", "amount": "20000", "acceptance_criteria": "系统上线"},
        ],
    }
    values.update(changes)
    return services.submit_proposal(
        requirement=requirement, partner=partner, user=owner_of(partner), **values
    )


@pytest.fixture
def open_requirement(customer_org, partner_a, partner_b):
    requirement = RequirementFactory(customer_organisation=customer_org, state="open", screening_questions=[])
    _invite(requirement, partner_a, partner_b)
    return requirement


@pytest.mark.django_db
def test_milestones_must_sum_to_the_total(open_requirement, partner_a, english):
    with pytest.raises(ApplicationError) as error:
        _propose(open_requirement, partner_a, total=Decimal("25000"))
    assert error.value.field == "milestones"
    assert "add up to 30000.00, not the total of 25000.00" in error.value.message
    assert not Proposal.objects.exists()
    proposal = _propose(open_requirement, partner_a)
    assert [m.amount for m in proposal.milestones.all()] == [Decimal("10000.00"), Decimal("20000.00")]
    assert proposal.valid_until == timezone.localdate() + timedelta(days=30)


@pytest.mark.django_db
def test_milestone_pricing_needs_milestones_and_max_cost_covers_total(open_requirement, partner_a):
    with pytest.raises(ApplicationError):
        _propose(open_requirement, partner_a, milestones=[])
    with pytest.raises(ApplicationError):
        _propose(open_requirement, partner_a, max_cost=Decimal("100"))
    with pytest.raises(ApplicationError):
        _propose(
            open_requirement, partner_a, milestones=[{"title": "x", "amount": "-5"}], total=Decimal("-5")
        )
    assert not Proposal.objects.exists()


@pytest.mark.django_db
def test_one_proposal_per_partner_and_revisions_keep_versions(open_requirement, partner_a):
    proposal = _propose(open_requirement, partner_a)
    with pytest.raises(NotAllowed):
        _propose(open_requirement, partner_a)
    services.revise_proposal(
        proposal=proposal,
        user=owner_of(partner_a),
        total=Decimal("28000"),
        milestones=[{"title": "一期", "amount": "8000"}, {"title": "二期", "amount": "20000"}],
    )
    proposal.refresh_from_db()
    assert proposal.version == 2 and proposal.total == Decimal("28000.00")
    assert [v.snapshot["total"] for v in proposal.versions.all()] == ["30000.00", "28000.00"]
    with pytest.raises(ApplicationError):
        services.revise_proposal(proposal=proposal, user=None, total=Decimal("1"))
    proposal.refresh_from_db()
    assert proposal.version == 2


@pytest.mark.django_db
def test_no_proposal_without_invitation_after_due_date_or_without_answers(customer_org, partner_a, partner_b):
    requirement = RequirementFactory(
        customer_organisation=customer_org, state="open", screening_questions=["团队规模？"]
    )
    _invite(requirement, partner_a)
    with pytest.raises(NotAllowed):
        _propose(requirement, partner_b, answers=["10"])
    with pytest.raises(ApplicationError):
        _propose(requirement, partner_a, answers=[""])
    with pytest.raises(NotAllowed):
        _propose(requirement, partner_a, answers=["10"], now=requirement.proposal_due + timedelta(minutes=1))
    assert _propose(requirement, partner_a, answers=["10"]).answers == ["10"]


@pytest.mark.django_db
def test_award_declines_the_others_and_moves_the_requirement(
    open_requirement, partner_a, partner_b, customer
):
    winner = _propose(open_requirement, partner_a)
    loser = _propose(open_requirement, partner_b, total=Decimal("30000"))
    services.award(proposal=winner, by=customer, decline_reason="价格更高")
    winner.refresh_from_db()
    loser.refresh_from_db()
    open_requirement.refresh_from_db()
    assert winner.state == ProposalState.ACCEPTED
    assert (loser.state, loser.decline_reason) == (ProposalState.DECLINED, "价格更高")
    assert open_requirement.state == RequirementState.AWARDED
    assert list(open_requirement.transitions.values_list("to_state", flat=True)) == [
        "shortlisting",
        "awarded",
    ]
    with pytest.raises(NotAllowed):
        services.award(proposal=loser, by=customer)


# --- views ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_partner_proposes_through_the_hall_and_customer_compares_and_awards(
    client, customer, customer_org, open_requirement, partner_a, partner_b
):
    signed_in(client, owner_of(partner_a), partner_a.organisation)
    assert open_requirement.t_title in client.get(reverse("demand:hall")).content.decode()
    url = reverse("demand:hall-detail", kwargs={"public_id": open_requirement.public_id})
    data = {
        "pricing_model": "fixed",
        "total": "20000",
        "timeline_days": "30",
        "summary": "方案",
        "milestones": "设计 | 5000 | 评审通过\n实施 | 14000 | 上线",
    }
    response = client.post(url, data)
    assert response.status_code == 400  # 19,000 ≠ 20,000
    assert not Proposal.objects.exists()
    data["milestones"] = "设计 | 5000 | 评审通过\n实施 | 15000 | 上线"
    assert client.post(url, data).status_code == 302
    _propose(open_requirement, partner_b)

    client.logout()
    signed_in(client, customer, customer_org)
    page = client.get(
        reverse("demand:compare", kwargs={"public_id": open_requirement.public_id})
    ).content.decode()
    assert "Partner A" in page or "甲方科技" in page
    assert "乙方软件" in page
    proposal = Proposal.objects.get(partner=partner_a)
    assert (
        client.post(
            reverse("demand:award", kwargs={"public_id": proposal.public_id}), {"reason": "谢谢"}
        ).status_code
        == 302
    )
    proposal.refresh_from_db()
    assert proposal.state == ProposalState.ACCEPTED


@pytest.mark.django_db
def test_requirement_and_proposal_are_404_for_other_organisations(
    client, other_customer, partner_a, open_requirement, customer_org, directory
):
    from tests.factories.partners import provisioned_partner

    proposal = _propose(open_requirement, partner_a)
    signed_in(client, other_customer)
    for name, key in [("demand:requirement", open_requirement), ("demand:compare", open_requirement)]:
        assert client.get(reverse(name, kwargs={"public_id": key.public_id})).status_code == 404
    assert client.post(reverse("demand:award", kwargs={"public_id": proposal.public_id})).status_code == 404
    proposal.refresh_from_db()
    assert proposal.state == ProposalState.PROPOSED
    # A partner that was not invited (and it is not open claim) gets 404 in the hall.
    stranger = provisioned_partner(organisation__slug="partner-c", kind="service")
    client.logout()
    signed_in(client, owner_of(stranger), stranger.organisation)
    url = reverse("demand:hall-detail", kwargs={"public_id": open_requirement.public_id})
    assert client.get(url).status_code == 404
    assert client.post(url, {"summary": "x"}).status_code == 404
    assert open_requirement.t_title not in client.get(reverse("demand:hall")).content.decode()


@pytest.mark.django_db
def test_open_claim_is_seen_only_by_qualified_partners_who_claim_before_proposing(
    client, customer_org, partner_a, partner_b
):
    from partners.models import Certification, CertifiedPerson

    cert = Certification.objects.create(slug="erp-pro", name="ERP 专家", name_en="ERP expert")
    today = timezone.localdate()
    CertifiedPerson.objects.create(
        partner=partner_a,
        name="张三",
        email="z@a.cn",
        certification=cert,
        issued_on=today,
        expires_on=today + timedelta(days=90),
    )
    requirement = RequirementFactory(
        customer_organisation=customer_org, state="open", mode="open_claim", claim_limit=1
    )
    requirement.required_certifications.add(cert)
    url = reverse("demand:hall-detail", kwargs={"public_id": requirement.public_id})

    signed_in(client, owner_of(partner_b), partner_b.organisation)
    assert client.get(url).status_code == 404  # lacks the certification
    assert requirement.t_title not in client.get(reverse("demand:hall")).content.decode()
    client.logout()

    signed_in(client, owner_of(partner_a), partner_a.organisation)
    assert requirement.t_title in client.get(reverse("demand:hall")).content.decode()
    assert 'data-testid="claim"' in client.get(url).content.decode()
    assert (
        client.post(reverse("demand:hall-claim", kwargs={"public_id": requirement.public_id})).status_code
        == 302
    )
    assert Invitation.objects.filter(requirement=requirement, partner=partner_a, source="claimed").exists()
    assert 'data-testid="proposal-form"' in client.get(url).content.decode()


@pytest.mark.django_db
def test_hall_and_compare_query_counts_are_bounded(
    client, customer, customer_org, partner_a, partner_b, django_assert_max_num_queries
):
    def add(n):
        for i in range(n):
            requirement = RequirementFactory(
                customer_organisation=customer_org, state="open", title=f"需求{i}"
            )
            _invite(requirement, partner_a)
            requirement2 = RequirementFactory(
                customer_organisation=customer_org, state="open", mode="open_claim", title=f"抢单{i}"
            )
            assert requirement2

    add(2)
    signed_in(client, owner_of(partner_a), partner_a.organisation)
    client.get(reverse("demand:hall"))
    with django_assert_max_num_queries(20) as few:
        client.get(reverse("demand:hall"))
    add(20)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(reverse("demand:hall")).content.decode()
    assert page.count("/demand/console/hall/") >= 44

    requirement = RequirementFactory(customer_organisation=customer_org, state="open")
    _invite(requirement, partner_a, partner_b)
    _propose(requirement, partner_a)
    client.logout()
    signed_in(client, customer, customer_org)
    url = reverse("demand:compare", kwargs={"public_id": requirement.public_id})
    client.get(url)
    with django_assert_max_num_queries(20) as one:
        client.get(url)
    _propose(requirement, partner_b)
    with django_assert_max_num_queries(len(one.captured_queries)):
        client.get(url)


@pytest.mark.django_db
def test_staff_approve_opens_and_routes_and_reject_needs_a_reason(
    client, customer_org, customer, partner_a, partner_b
):
    from demand.services import requirements as requirement_services

    manager = UserFactory()
    manager.groups.add(Group.objects.get(name="Programme managers"))
    enrol_totp(manager)  # staff need an authenticator before the admin (accounts.mfa)
    due = timezone.now() + timedelta(days=5)
    kwargs = {
        "title": "需求",
        "description": "描述",
        "proposal_due": due,
        "award_by": (due + timedelta(days=9)).date(),
    }
    first = requirement_services.create_requirement(
        organisation=customer_org, user=customer, submit=True, **kwargs
    )
    second = requirement_services.create_requirement(
        organisation=customer_org, user=customer, submit=True, **kwargs
    )
    client.force_login(manager)
    assert str(first.public_id) in client.get(reverse("demand_admin:queue")).content.decode()
    client.post(reverse("demand_admin:review", args=[first.public_id]), {"action": "approve"})
    first.refresh_from_db()
    assert first.state == "open"
    assert set(first.invitations.values_list("partner_id", flat=True)) == {partner_a.pk, partner_b.pk}
    response = client.post(
        reverse("demand_admin:review", args=[second.public_id]), {"action": "reject", "reason": ""}
    )
    second.refresh_from_db()
    assert second.state == "pending_review" and response.status_code == 200
    client.post(
        reverse("demand_admin:review", args=[second.public_id]), {"action": "reject", "reason": "信息不全"}
    )
    second.refresh_from_db()
    assert (second.state, second.state_reason) == ("rejected", "信息不全")
    assert second.transitions.last().by == manager
    # Customers (not staff) cannot reach the queue.
    client.force_login(customer)
    assert client.get(reverse("demand_admin:queue")).status_code in (302, 403)
    # "N qualified partners notified" on the customer's page.
    signed_in(client, customer, customer_org)
    page = client.get(reverse("demand:requirement", kwargs={"public_id": first.public_id})).content.decode()
    assert 'data-testid="notified"' in page and "2" in page
    assert routing.qualified_partners(requirement=first).count() == 2


@pytest.mark.django_db
def test_customer_posts_a_requirement_through_the_form(client, customer, customer_org):
    signed_in(client, customer, customer_org)
    due = (timezone.localtime() + timedelta(days=5)).strftime("%Y-%m-%dT%H:%M")
    data = {
        "title": "CRM 定制",
        "description": "定制开发",
        "currency": "CNY",
        "budget_min": "10000",
        "budget_max": "5000",
        "proposal_due": due,
        "award_by": (timezone.localdate() + timedelta(days=20)).isoformat(),
        "mode": "routed",
        "claim_limit": "5",
        "screening_questions": "做过类似项目吗？\n\n团队多少人？",
        "submit": "1",
    }
    assert client.post(reverse("demand:requirement-new"), data).status_code == 400  # budget upside down
    data["budget_max"] = "50000"
    response = client.post(reverse("demand:requirement-new"), data)
    assert response.status_code == 302
    from demand.models import Requirement

    requirement = Requirement.objects.get()
    assert requirement.state == "pending_review"
    assert requirement.screening_questions == ["做过类似项目吗？", "团队多少人？"]
    assert client.get(reverse("demand:requirements")).status_code == 200
