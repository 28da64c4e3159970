"""Fixtures for the demand tests: a customer organisation with its owner, two provisioned
partners (with owners), a published listing of partner A, a requirement awarded to partner A's
milestone proposal (``awarded``) and partner A's payment request for its first milestone
(``payment``)."""

from decimal import Decimal

import pytest

from accounts.models import Role
from demand.models import Invitation
from demand.services import delivery as services
from demand.services import proposals as proposal_services
from partners.models import PartnersIndexPage
from tests.factories.accounts import MembershipFactory, OrganisationFactory, UserFactory
from tests.factories.demand import RequirementFactory
from tests.factories.partners import owner_of, provisioned_partner


@pytest.fixture
def directory(db):
    return PartnersIndexPage.objects.first()


@pytest.fixture
def customer_org(db):
    return OrganisationFactory(name="顾客公司", slug="customer-co")


@pytest.fixture
def customer(customer_org):
    user = UserFactory(email="buyer@customer.example.cn")
    MembershipFactory(user=user, organisation=customer_org, role=Role.OWNER)
    return user


@pytest.fixture
def other_customer(db):
    user = UserFactory(email="other@elsewhere.example.cn")
    MembershipFactory(user=user, organisation=OrganisationFactory(slug="other-co"), role=Role.OWNER)
    return user


@pytest.fixture
def partner_a(directory):
    return provisioned_partner(
        owner=UserFactory(email="owner@partner-a.example.cn"),
        organisation__name="甲方科技",
        organisation__name_en="Partner A Tech",
        organisation__slug="partner-a",
        kind="service",
    )


@pytest.fixture
def partner_b(directory):
    return provisioned_partner(
        owner=UserFactory(email="owner@partner-b.example.cn"),
        organisation__name="乙方软件",
        organisation__name_en="Partner B Software",
        organisation__slug="partner-b",
        kind="service",
    )


@pytest.fixture
def listing(partner_a):
    from tests.factories.catalog import complete_listing

    return complete_listing(partner_a, publish=True)


@pytest.fixture
def awarded(customer_org, customer, partner_a, partner_b):
    requirement = RequirementFactory(customer_organisation=customer_org, state="open")
    for partner in (partner_a, partner_b):
        Invitation.objects.create(requirement=requirement, partner=partner, source="routed")
    proposal = proposal_services.submit_proposal(
        requirement=requirement,
        partner=partner_a,
        user=owner_of(partner_a),
        pricing_model="milestones",
        total=Decimal("30000"),
        timeline_days=30,
        summary="方案",
        milestones=[{"title": "一期", "amount": "10000"}, {"title": "二期", "amount": "20000"}],
    )
    proposal_services.submit_proposal(
        requirement=requirement,
        partner=partner_b,
        user=owner_of(partner_b),
        pricing_model="fixed",
        total=Decimal("40000"),
        timeline_days=30,
        summary="方案",
    )
    proposal_services.award(proposal=proposal, by=customer)
    return proposal


@pytest.fixture
def payment(awarded, partner_a, customer):
    services.start_delivery(requirement=awarded.requirement, by=customer)
    return services.request_payment(
        milestone=awarded.milestones.first(),
        partner=partner_a,
        user=owner_of(partner_a),
        amount=Decimal("10000"),
        idempotency_key="m1",
    )
