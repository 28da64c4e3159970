"""Builders for the billing-money tests (ledger, payouts, fulfilment): partners with a live
listing, customer organisations, invoices and trial entitlements, without Stripe."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from decimal import Decimal

from django.utils import timezone

from accounts.models import Organisation, Role
from billing.models import Entitlement, Invoice, Trial
from catalog.models import PricingModel
from partners.models import PartnerKind
from tests.unit.accounts.factories import MembershipFactory, OrganisationFactory, UserFactory
from tests.unit.catalog.factories import complete_listing, plan
from tests.unit.partners.factories import TierFactory, provisioned_partner

_numbers = itertools.count(1)


def money_partner(
    *, slug: str, name: str, name_en: str, kind=PartnerKind.ISV, tier_rank=0, owner=None, members=()
):
    """A provisioned partner (demo-style ``.example.com`` website) at a tier of its kind."""
    tier = TierFactory(kind=kind, rank=tier_rank)
    return provisioned_partner(
        owner=owner,
        members=list(members),
        kind=kind,
        tier=tier,
        organisation__name=name,
        organisation__name_en=name_en,
        organisation__slug=slug,
        organisation__website=f"https://{slug}.example.com",
    )


def live_listing(partner, *, slug: str, plans=None):
    return complete_listing(partner, publish=True, slug=slug, plans=plans)


def paid_plans():
    return [
        plan(
            name="月度版",
            name_en="Monthly",
            pricing_model=PricingModel.FLAT_MONTHLY,
            price_cny=Decimal("299.00"),
        ),
        plan(
            name="年度版",
            name_en="Annual",
            pricing_model=PricingModel.FLAT_ANNUAL,
            price_cny=Decimal("2990.00"),
            price_usd=Decimal("420.00"),
        ),
    ]


def customer(slug: str, *, owner=None, website: str | None = None) -> Organisation:
    org = OrganisationFactory(
        slug=slug,
        name=f"客户 {slug}",
        name_en=f"Customer {slug}",
        kind=Organisation.Kind.CUSTOMER,
        website=website if website is not None else f"https://{slug}.example.com",
    )
    if owner is not None:
        MembershipFactory(user=owner, organisation=org, role=Role.OWNER)
    return org


def invoice(
    *, partner, listing, organisation, total="100.00", currency="CNY", paid_at=None, **fields
) -> Invoice:
    n = next(_numbers)
    values = {
        "number": f"TEST-{n:06d}",
        "organisation": organisation,
        "listing": listing,
        "partner": partner,
        "currency": currency,
        "subtotal": Decimal(total),
        "tax": Decimal("0"),
        "total": Decimal(total),
        "status": Invoice.Status.PAID,
        "stripe_invoice_id": f"in_test_{n:06d}",
        "paid_at": paid_at or timezone.now(),
    }
    values.update(fields)
    return Invoice.objects.create(**values)


def trial_entitlement(*, organisation, listing, days=14) -> Entitlement:
    now = timezone.now()
    trial = Trial.objects.create(
        organisation=organisation, listing=listing, ends_at=now + timedelta(days=days)
    )
    return Entitlement.objects.create(
        organisation=organisation,
        listing=listing,
        source=Entitlement.Source.TRIAL,
        trial=trial,
        starts_at=now,
        ends_at=trial.ends_at,
    )


def at(year, month, day, hour=12) -> datetime:
    return datetime(year, month, day, hour, tzinfo=timezone.get_current_timezone())


def user(email: str):
    return UserFactory(email=email)


def failed_fulfilment_delivery(partner, *, event_type: str = "entitlement.created", url: str = ""):
    """An entitlement event whose delivery to one of ``partner``'s webhook endpoints gave up
    (what a fulfilment URL that was down for two days leaves in the log)."""
    from partners.models import Delivery, Event, WebhookEndpoint
    from partners.services import webhooks

    endpoint = WebhookEndpoint.objects.filter(partner=partner).first() or webhooks.create_endpoint(
        partner=partner,
        url=url or f"https://hooks.{partner.organisation.slug}.example.cn/fulfilment",
        event_types=[event_type],
    )
    event = Event.objects.create(
        partner=partner, type=event_type, payload={"id": "x"}, created_at=timezone.now()
    )
    return Delivery.objects.create(
        event=event,
        endpoint=endpoint,
        status=Delivery.Status.FAILED,
        attempts=9,
        response_status=503,
        last_error="HTTP 503",
    )
