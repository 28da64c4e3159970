"""Builders for the billing tests (shared by both billing helpers; append only).

from tests.unit.billing.billing_factories import shop, buyer, card, purchase_plan
"""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass
from decimal import Decimal

from accounts.models import Organisation, Role
from billing import gateway
from catalog.models import ListingPage, ListingPlan, PricingModel
from tests.unit.accounts.factories import MembershipFactory, OrganisationFactory, UserFactory
from tests.unit.marketplace.mkt_factories import make_listing, make_partner

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
    partner = partner or make_partner(organisation__name=f"伙伴 {n}", organisation__name_en=f"Vendor {n}")
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


def buyer(role=Role.OWNER, organisation: Organisation | None = None):
    """(user, organisation): a member of a customer organisation."""
    user = UserFactory()
    organisation = organisation or OrganisationFactory(kind=Organisation.Kind.CUSTOMER)
    MembershipFactory(user=user, organisation=organisation, role=role)
    return user, organisation


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
