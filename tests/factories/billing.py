"""Billing test data; any test may import it:

    from tests.factories.billing import InvoiceFactory, card, purchase_plan, shop

- ``shop()`` — a live listing with one plan of each kind billing sells (``Shop``);
  ``purchase_plan(plan, org, user)`` buys one through ``billing.services.subscriptions`` with a
  localstripe ``card()`` (``VISA`` / ``DECLINED``).
- ``money_partner(slug=…, name=…, name_en=…)`` — a provisioned partner at a tier of its kind;
  ``live_listing(partner, slug=…)`` — a published complete listing; ``paid_plans()``.
- ``customer(slug)`` — a customer organisation (optionally with an owner).
- ``InvoiceFactory(partner=…, listing=…, organisation=…, total="100.00")`` — a paid invoice
  written directly (no Stripe); ``trial_entitlement(organisation=…, listing=…)``.
- ``at(y, m, d)`` — an aware datetime at noon.
"""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from accounts.models import Organisation, Role
from billing import gateway
from billing.models import Entitlement, Invoice, Trial
from catalog.models import ListingPage, ListingPlan, PricingModel
from partners.models import PartnerKind
from tests.factories.accounts import MembershipFactory, OrganisationFactory
from tests.factories.catalog import complete_listing, plan
from tests.factories.marketplace import make_listing
from tests.factories.partners import TierFactory, provisioned_partner

__all__ = [
    "DECLINED",
    "VISA",
    "InvoiceFactory",
    "Shop",
    "at",
    "card",
    "customer",
    "live_listing",
    "money_partner",
    "paid_plans",
    "purchase_plan",
    "shop",
    "token",
    "trial_entitlement",
]

_seq = itertools.count(1)

VISA = "4242424242424242"
DECLINED = "4000000000000002"


@dataclass
class Shop:
    """A live listing with one plan of each kind billing sells."""

    partner: object
    listing: ListingPage
    trial: ListingPlan
    monthly: ListingPlan
    annual: ListingPlan
    seats: ListingPlan
    usage: ListingPlan
    once: ListingPlan


def _plan(name, name_en, model, cny=None, usd=None, **kw) -> ListingPlan:
    return ListingPlan(
        name=name,
        name_en=name_en,
        pricing_model=model,
        price_cny=Decimal(cny) if cny else None,
        price_usd=Decimal(usd) if usd else None,
        **kw,
    )


def shop(partner=None, **listing_fields) -> Shop:
    n = next(_seq)
    partner = partner or provisioned_partner(
        organisation__name=f"伙伴 {n}", organisation__name_en=f"Vendor {n}"
    )
    plans = [
        _plan("免费试用", "Free trial", PricingModel.FREE_TRIAL, trial_days=14),
        _plan("月度版", "Monthly", PricingModel.FLAT_MONTHLY, "99.00", "14.00"),
        _plan("年度版", "Annual", PricingModel.FLAT_ANNUAL, "990.00", "140.00"),
        _plan(
            "按席位",
            "Per seat",
            PricingModel.PER_SEAT,
            "30.00",
            "4.00",
            unit="用户/月",
            unit_en="user / month",
        ),
        _plan("按量", "Usage", PricingModel.USAGE, "0.50", "0.08", unit="千次调用", unit_en="1,000 calls"),
        _plan("实施服务包", "Implementation", PricingModel.ONE_TIME, "5000.00", "700.00"),
    ]
    listing = make_listing(partner, plans=plans, **listing_fields)
    by_model = {p.pricing_model: p for p in ListingPlan.objects.filter(listing=listing)}
    return Shop(
        partner=partner,
        listing=listing,
        trial=by_model[PricingModel.FREE_TRIAL],
        monthly=by_model[PricingModel.FLAT_MONTHLY],
        annual=by_model[PricingModel.FLAT_ANNUAL],
        seats=by_model[PricingModel.PER_SEAT],
        usage=by_model[PricingModel.USAGE],
        once=by_model[PricingModel.ONE_TIME],
    )


def card(number: str = VISA) -> str:
    """A payment method id for a test card (server side, against localstripe)."""
    return gateway.create_card_payment_method(number, 12, 2034, "123")["id"]


def token() -> str:
    return uuid.uuid4().hex


def purchase_plan(plan, organisation, user, *, currency="CNY", quantity=1, number=VISA, **kw):
    from billing.services import subscriptions

    return subscriptions.purchase(
        organisation=organisation,
        user=user,
        listing_plan=plan,
        currency=currency,
        quantity=quantity,
        payment_method_id=card(number),
        token=kw.pop("token", None) or token(),
        **kw,
    )


# --- money: partners, customers, invoices, entitlements (no Stripe) ------------------------------


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


class InvoiceFactory(factory.django.DjangoModelFactory):
    """A paid invoice of ``organisation`` for ``listing`` (of ``partner``), written directly;
    ``total`` (a string or Decimal) is also the subtotal, with no tax."""

    class Meta:
        model = Invoice

    number = factory.Sequence(lambda n: f"TEST-{n:06d}")
    currency = "CNY"
    total = Decimal("100.00")
    tax = Decimal("0")
    status = Invoice.Status.PAID
    stripe_invoice_id = factory.Sequence(lambda n: f"in_test_{n:06d}")
    paid_at = factory.LazyFunction(timezone.now)

    @classmethod
    def _adjust_kwargs(cls, **kwargs):
        kwargs["total"] = Decimal(str(kwargs["total"]))
        kwargs.setdefault("subtotal", kwargs["total"])
        return kwargs


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
