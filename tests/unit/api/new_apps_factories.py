"""A partner's demand, co-sell and incentives objects for the partner API tests, built through
the apps' own services (a verified lead, an invitation to an open requirement with a proposal,
a draft deal registration, a fund request in a published pool with its allocation)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from accounts.models import Role
from cosell.services import registrations
from demand.models import Invitation, InvitationSource, RequirementState
from demand.services import leads, proposals
from incentives.models import ActivityType, Allocation, IncentivePool, LedgerKind
from incentives.services import funds, ledger
from tests.unit.accounts.factories import MembershipFactory, OrganisationFactory, UserFactory
from tests.unit.demand.demand_factories import make_requirement
from tests.unit.marketplace.mkt_factories import make_listing
from tests.unit.partners.factories import provisioned_partner

_seq = itertools.count(1)


@dataclass
class Demand:
    partner: object
    owner: object
    lead: object
    requirement: object
    proposal: object
    deal: object
    pool: object
    fund_request: object


def owner_of(partner):
    return partner.organisation.memberships.get(role=Role.OWNER).user


def customer_user():
    n = next(_seq)
    org = OrganisationFactory(slug=f"api-buyer-{n}", name=f"买家 {n}")
    user = UserFactory(email=f"buyer{n}@buyer.example.cn")
    MembershipFactory(user=user, organisation=org, role=Role.OWNER)
    return user, org


def verified_lead(partner):
    user, org = customer_user()
    return leads.create_lead(
        partner=partner,
        user=user,
        organisation=org,
        contact_name="李女士",
        email="",
        topic="demo",
        message="想预约一次演示。",
        preferred_contact="email",
        consent=True,
    )


def published_pool(partner, *, amount=Decimal("50000.00")):
    today = timezone.localdate()
    pool = IncentivePool.objects.create(
        name=f"MDF {next(_seq)}",
        period_start=today - timedelta(days=30),
        period_end=today + timedelta(days=300),
        amount=Decimal("1000000.00"),
        currency="CNY",
        status=IncentivePool.Status.PUBLISHED,
        published_at=timezone.now(),
    )
    Allocation.objects.create(
        pool=pool,
        partner=partner,
        amount=amount,
        weight=Decimal("1"),
        tier_weight=Decimal("1"),
        health=Decimal("50"),
        region_weight=Decimal("1"),
    )
    ledger.post(
        partner=partner, pool=pool, kind=LedgerKind.ALLOCATION, amount=amount, reference=f"alloc-{pool.pk}"
    )
    return pool


def draft_fund_request(partner, pool, owner):
    start = timezone.localdate() + timedelta(days=40)
    return funds.create_request(
        partner=partner,
        pool=pool,
        user=owner,
        activity_type=ActivityType.EVENT,
        title="华东用户大会",
        plan="Two-day user conference.",
        expected_results="200 attendees.",
        start_date=start,
        end_date=start + timedelta(days=1),
        budget=Decimal("20000"),
    )


def deal_data(listing, **overrides):
    data = {
        "customer_name": f"深圳示例科技有限公司{next(_seq)}",
        "contact_name": "王经理",
        "listings": [listing],
        "estimated_value": Decimal("120000"),
        "currency": "CNY",
        "expected_close": timezone.localdate() + timedelta(days=60),
        "stage": "qualified",
    }
    data.update(overrides)
    return data


def demand_world() -> Demand:
    n = next(_seq)
    partner = provisioned_partner(
        kind="service",
        organisation__name=f"需求伙伴 {n}",
        organisation__name_en=f"Demand Partner {n}",
        organisation__slug=f"api-demand-{n}",
    )
    owner = owner_of(partner)
    lead = verified_lead(partner)
    _buyer, org = customer_user()
    requirement = make_requirement(org, state=RequirementState.OPEN, opened_at=timezone.now())
    Invitation.objects.create(requirement=requirement, partner=partner, source=InvitationSource.INVITED)
    proposal = proposals.submit_proposal(
        requirement=requirement,
        partner=partner,
        user=owner,
        pricing_model="fixed",
        total=Decimal("30000"),
        timeline_days=45,
        summary="分三期实施。",
    )
    listing = make_listing(title=f"云财务 {n}", title_en=f"Cloud Finance {n}")
    deal = registrations.create_registration(partner=partner, user=owner, data=deal_data(listing))
    pool = published_pool(partner)
    fund_request = draft_fund_request(partner, pool, owner)
    return Demand(partner, owner, lead, requirement, proposal, deal, pool, fund_request)
