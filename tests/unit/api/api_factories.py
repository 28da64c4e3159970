"""Builders for the partner API tests: a partner's "world" (listing, subscription, entitlement,
ledger entry, statement, payout) without Stripe, and API keys."""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.test import Client
from django.utils import timezone

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
from partners.services import webhooks
from tests.unit.billing.money_factories import (
    customer,
    live_listing,
    money_partner,
    paid_plans,
    trial_entitlement,
)

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
