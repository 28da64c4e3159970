"""Routing: precision (no invited partner fails a hard filter, on a generated fixture of 100
partners × 20 requirements) and fairness (1,000 routings among equal partners: Gini ≤ 0.15)."""

import random
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Organisation
from demand.models import Invitation, PartnerIntake, Requirement
from demand.services import routing
from partners.models import Certification, CertifiedPerson, Partner, PartnerKind
from tests.factories.accounts import OrganisationFactory
from tests.factories.demand import RequirementFactory
from tests.factories.partners import IndustryFactory, PartnerFactory, RegionFactory, TierFactory


def gini(values) -> float:
    values = sorted(values)
    n, total = len(values), sum(values)
    if not n or not total:
        return 0.0
    return sum((2 * i - n - 1) * x for i, x in enumerate(values, start=1)) / (n * total)


def test_gini_of_equal_counts_is_zero_and_of_one_winner_is_high():
    assert gini([5, 5, 5, 5]) == 0
    assert gini([0, 0, 0, 12]) == 0.75


@pytest.fixture
def world(db):
    rng = random.Random(7)
    today = timezone.localdate()
    regions = [RegionFactory(code=f"r{n}") for n in range(4)]
    industries = [IndustryFactory(slug=f"i{n}") for n in range(3)]
    certs = [
        Certification.objects.create(slug=f"cert-{n}", name=f"认证{n}", name_en=f"Cert {n}") for n in range(3)
    ]
    kinds = [PartnerKind.SERVICE, PartnerKind.ISV, PartnerKind.CHANNEL]
    for kind in kinds:
        for rank in range(3):
            TierFactory(kind=kind, rank=rank)
    partners = []
    for n in range(100):
        kind = rng.choice(kinds)
        partner = PartnerFactory(
            kind=kind,
            tier=TierFactory(kind=kind, rank=rng.randrange(3)),
            status=Partner.Status.SUSPENDED if rng.random() < 0.1 else Partner.Status.ACTIVE,
        )
        partner.regions.set(rng.sample(regions, rng.randrange(0, 3)))
        partner.industries.set(rng.sample(industries, rng.randrange(0, 2)))
        for i, cert in enumerate(rng.sample(certs, rng.randrange(0, 3))):
            expired = rng.random() < 0.25
            CertifiedPerson.objects.create(
                partner=partner,
                name=f"人{n}-{i}",
                email=f"p{n}-{i}@x.cn",
                certification=cert,
                issued_on=today - timedelta(days=800 if expired else 30),
                expires_on=today - timedelta(days=1) if expired else today + timedelta(days=300),
            )
        if rng.random() < 0.1:
            PartnerIntake.objects.create(partner=partner, paused_until=timezone.now() + timedelta(days=5))
        partners.append(partner)
    customer = OrganisationFactory(kind=Organisation.Kind.CUSTOMER)
    requirements = []
    for n in range(20):
        requirement = RequirementFactory(
            customer_organisation=customer,
            state="open",
            region=rng.choice([None, *regions]),
            industry=rng.choice([None, *industries]),
            required_kinds=rng.choice([[], [PartnerKind.SERVICE], [PartnerKind.SERVICE, PartnerKind.ISV]]),
            min_tier_rank=rng.choice([None, 0, 1, 2]),
            notify_limit=10,
            title=f"需求 {n}",
        )
        requirement.required_certifications.set(rng.sample(certs, rng.choice([0, 0, 1, 2])))
        requirements.append(requirement)
    return {"partners": partners, "requirements": requirements, "today": today}


def passes_hard_filters(partner: Partner, requirement: Requirement, today) -> bool:
    """An independent, row-by-row statement of the hard filters."""
    if partner.status != Partner.Status.ACTIVE:
        return False
    intake = PartnerIntake.objects.filter(partner=partner).first()
    if intake and intake.paused_until and intake.paused_until > timezone.now():
        return False
    if requirement.required_kinds and partner.kind not in requirement.required_kinds:
        return False
    if requirement.min_tier_rank is not None and (
        partner.tier is None or partner.tier.rank < requirement.min_tier_rank
    ):
        return False
    if requirement.region_id and requirement.region_id not in {r.pk for r in partner.regions.all()}:
        return False
    held = {p.certification_id for p in partner.certified_people.all() if p.is_valid_on(today)}
    return all(c.pk in held for c in requirement.required_certifications.all())


def test_routing_precision_no_invited_partner_fails_a_hard_filter(world):
    today = world["today"]
    invited_total = 0
    for requirement in world["requirements"]:
        qualified = {p.pk for p in world["partners"] if passes_hard_filters(p, requirement, today)}
        assert (
            set(routing.qualified_partners(requirement=requirement).values_list("pk", flat=True)) == qualified
        )
        invitations = routing.route(requirement=requirement)
        invited = {i.partner_id for i in invitations}
        assert invited <= qualified
        assert len(invited) == min(10, len(qualified))  # recall: the top N are all notified
        invited_total += len(invited)
        for invitation in invitations:
            assert invitation.reasons, "every invitation says why the partner was matched"
    assert invited_total > 20  # the fixture is not trivially empty


@pytest.mark.django_db
def test_score_prefers_industry_match_and_certified_depth():
    industry = IndustryFactory(slug="retail")
    customer = OrganisationFactory()
    plain = PartnerFactory(kind=PartnerKind.SERVICE)
    matching = PartnerFactory(kind=PartnerKind.SERVICE)
    matching.industries.add(industry)
    requirement = RequirementFactory(
        customer_organisation=customer, state="open", industry=industry, notify_limit=1
    )
    [invitation] = routing.route(requirement=requirement)
    assert invitation.partner_id == matching.pk
    assert {"code": "industry", "zh": industry.name, "en": industry.name_en} in invitation.reasons
    assert plain.pk not in Invitation.objects.values_list("partner_id", flat=True)


@pytest.mark.django_db
def test_fairness_over_1000_routings_among_equal_partners():
    customer = OrganisationFactory()
    partners = [PartnerFactory(kind=PartnerKind.SERVICE) for _ in range(20)]
    due = timezone.now() + timedelta(days=7)
    award_by = (timezone.now() + timedelta(days=30)).date()
    requirements = Requirement.objects.bulk_create(
        [
            Requirement(
                customer_organisation=customer,
                title=f"R{n}",
                description="d",
                proposal_due=due,
                award_by=award_by,
                state="open",
                notify_limit=3,
            )
            for n in range(1000)
        ]
    )
    for requirement in requirements:
        routing.route(requirement=requirement)
    counts = {p.pk: 0 for p in partners}
    for partner_id in Invitation.objects.values_list("partner_id", flat=True):
        counts[partner_id] += 1
    assert sum(counts.values()) == 3000
    assert gini(counts.values()) <= 0.15
    assert min(counts.values()) > 0


@pytest.mark.django_db
def test_paused_and_suspended_partners_are_not_routed():
    customer = OrganisationFactory()
    active = PartnerFactory(kind=PartnerKind.SERVICE)
    paused = PartnerFactory(kind=PartnerKind.SERVICE)
    PartnerIntake.objects.create(partner=paused, paused_until=timezone.now() + timedelta(days=3))
    PartnerFactory(kind=PartnerKind.SERVICE, status=Partner.Status.SUSPENDED)
    requirement = RequirementFactory(customer_organisation=customer, state="open")
    assert [i.partner_id for i in routing.route(requirement=requirement)] == [active.pk]


@pytest.mark.django_db
def test_routing_runs_the_same_few_queries_whatever_the_number_of_partners(django_assert_max_num_queries):
    """Eight statements (plus the savepoint pair) for 12 partners and for 72."""
    customer = OrganisationFactory()
    first, second = (
        RequirementFactory(customer_organisation=customer, state="open", notify_limit=10) for _ in range(2)
    )
    for _ in range(12):
        PartnerFactory(kind=PartnerKind.SERVICE)
    with django_assert_max_num_queries(10):
        assert len(routing.route(requirement=first)) == 10
    for _ in range(60):
        PartnerFactory(kind=PartnerKind.SERVICE)
    with django_assert_max_num_queries(10):
        assert len(routing.route(requirement=second)) == 10
