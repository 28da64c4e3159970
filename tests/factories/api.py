"""Partner API test data; any test may import it:

    from tests.factories.api import api_client, key_for, world

- ``world()`` — a partner's billing "world" (listing, subscription, entitlement, ledger entry,
  statement, payout, webhook endpoint) without Stripe (``World``).
- ``demand_world()`` — a partner's demand, co-sell and incentives objects, built through the
  apps' own services: a verified lead, an invitation to an open requirement with a proposal, a
  draft deal registration, a fund request in a published pool with its allocation (``Demand``).
- ``key_for(partner, scopes)`` — ``(key, token)``; ``api_client(token)`` — a client sending it;
  ``partner_client(partner, scopes)`` — both at once.
"""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.test import Client
from django.utils import timezone

from accounts.models import Role
from api.models import Scope
from api.services import create_key
from billing.models import (
    Entitlement,
    LedgerEntry,
    LedgerKind,
    Payout,
    PayoutStatement,
    PlanPrice,
    Subscription,
)
from cosell.services import registrations
from demand.models import Invitation, InvitationSource, RequirementState
from demand.services import leads, proposals
from partners.services import webhooks
from tests.factories.accounts import MembershipFactory, OrganisationFactory, UserFactory
from tests.factories.billing import customer, live_listing, money_partner, paid_plans, trial_entitlement
from tests.factories.cosell import deal_data
from tests.factories.demand import RequirementFactory
from tests.factories.incentives import draft_fund_request, published_pool
from tests.factories.marketplace import make_listing
from tests.factories.partners import owner_of, provisioned_partner

__all__ = [
    "ALL_SCOPES",
    "Demand",
    "World",
    "api_client",
    "demand_world",
    "key_for",
    "partner_client",
    "verified_lead",
    "world",
]

_seq = itertools.count(1)
ALL_SCOPES = list(Scope.values)


@dataclass
class World:
    partner: object
    listing: object
    subscription: Subscription
    entitlement: Entitlement
    entry: LedgerEntry
    statement: PayoutStatement
    payout: Payout
    endpoint: object


def world() -> World:
    n = next(_seq)
    partner = money_partner(slug=f"api-vendor-{n}", name=f"接口伙伴 {n}", name_en=f"API Vendor {n}")
    listing = live_listing(partner, slug=f"api-app-{n}", plans=paid_plans())
    org = customer(f"api-customer-{n}")
    price = PlanPrice.objects.create(
        listing=listing, currency="CNY", unit_amount=Decimal("299.00"), interval="month"
    )
    sub = Subscription.objects.create(
        organisation=org,
        listing=listing,
        price=price,
        plan_name="月度版",
        plan_name_en="Monthly",
        currency="CNY",
        unit_amount=Decimal("299.00"),
        interval="month",
        status=Subscription.Status.ACTIVE,
        idempotency_key=f"api-test-{uuid.uuid4().hex}",
    )
    entitlement = trial_entitlement(organisation=org, listing=listing)
    statement = PayoutStatement.objects.create(
        partner=partner, month=date(2026, 11, 1), currency="CNY", number=f"API-ST-{n}", net=Decimal("254.15")
    )
    entry = LedgerEntry.objects.create(
        partner=partner,
        kind=LedgerKind.CHARGE,
        amount=Decimal("299.00"),
        currency="CNY",
        occurred_at=timezone.now() - timedelta(days=3),
        statement=statement,
        description="月度版",
    )
    payout = Payout.objects.create(
        partner=partner,
        statement=statement,
        amount=Decimal("254.15"),
        currency="CNY",
        status=Payout.Status.PAID,
    )
    endpoint = webhooks.create_endpoint(partner=partner, url=f"https://hooks.vendor{n}.example.com/in")
    return World(partner, listing, sub, entitlement, entry, statement, payout, endpoint)


def key_for(partner, scopes=None, **kwargs):
    """(key, token) for ``partner`` with ``scopes`` (default: all)."""
    return create_key(
        partner=partner,
        user=None,
        name=kwargs.pop("name", "test"),
        scopes=ALL_SCOPES if scopes is None else scopes,
        **kwargs,
    )


def api_client(token: str | None = None, language: str = "en") -> Client:
    headers = {"accept-language": language}
    if token:
        headers["authorization"] = f"Bearer {token}"
    return Client(headers=headers)


def partner_client(partner, scopes=None, *, language: str = "en", **key_fields) -> Client:
    """A client holding a new key of ``partner`` with ``scopes`` (default: all)."""
    _key, token = key_for(partner, scopes, **key_fields)
    return api_client(token, language=language)


# --- demand, co-sell and incentives -------------------------------------------------------------


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


def _customer():
    n = next(_seq)
    org = OrganisationFactory(slug=f"api-buyer-{n}", name=f"买家 {n}")
    user = UserFactory(email=f"buyer{n}@buyer.example.cn")
    MembershipFactory(user=user, organisation=org, role=Role.OWNER)
    return user, org


def verified_lead(partner):
    user, org = _customer()
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
    _buyer, org = _customer()
    requirement = RequirementFactory(
        customer_organisation=org, state=RequirementState.OPEN, opened_at=timezone.now()
    )
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
    data = deal_data(listing, customer_name=f"深圳示例科技有限公司{n}")  # one customer per world
    deal = registrations.create_registration(partner=partner, user=owner, data=data)
    pool = published_pool(partner)
    fund_request = draft_fund_request(partner, pool, owner)
    return Demand(partner, owner, lead, requirement, proposal, deal, pool, fund_request)
