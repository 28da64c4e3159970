"""Plan sync: catalogue plans → Stripe products and prices (legacy Plans on localstripe).

``price_for(plan, currency)`` returns the active ``PlanPrice`` for a plan, creating or replacing
it when the catalogue amount changed; ``sync_listing`` does it for every paid plan of a listing
(run by a task when a listing is published). One-time plans need no Stripe price (they are paid
with a PaymentIntent) but still get a ``PlanPrice`` row to sell from.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from billing import gateway
from billing.models import Interval, PlanPrice, StripeProduct, TaxRate, UsageType
from catalog.models import ListingPage, ListingPlan, PricingModel
from core.exceptions import ApplicationError

INTERVALS = {
    PricingModel.FLAT_MONTHLY: Interval.MONTH,
    PricingModel.FLAT_ANNUAL: Interval.YEAR,
    PricingModel.PER_SEAT: Interval.MONTH,
    PricingModel.USAGE: Interval.MONTH,
    PricingModel.ONE_TIME: Interval.ONCE,
}


class PlanNotForSale(ApplicationError):
    """The plan has no active price in the currency asked for (or cannot be bought at all)."""

    code = "plan_not_for_sale"

    def __init__(self, message="", **kwargs):
        super().__init__(message, **kwargs)


def ensure_product(listing: ListingPage) -> StripeProduct:
    existing = StripeProduct.objects.filter(listing=listing).first()
    if existing:
        return existing
    data = gateway.create_product(
        name=listing.title_en or listing.title,
        metadata={"symbio_listing": str(listing.pk)},
        idempotency_key=f"symbio-product-{listing.pk}",
    )
    try:
        with transaction.atomic():
            return StripeProduct.objects.create(listing=listing, stripe_product_id=data["id"])
    except IntegrityError:
        return StripeProduct.objects.get(listing=listing)


def _stripe_price(product: StripeProduct, price: PlanPrice, nickname: str) -> str:
    # A usage plan's recurring price is zero: usage is billed as invoice items on it.
    amount = Decimal("0") if price.usage_type == UsageType.METERED else price.unit_amount
    data = gateway.create_price(
        product_id=product.stripe_product_id,
        amount=amount,
        currency=price.currency,
        interval=price.interval,
        nickname=nickname,
        metadata={"symbio_price": str(price.pk)},
        idempotency_key=f"symbio-price-{price.pk}",
    )
    return data["id"]


def price_for(plan: ListingPlan, currency: str) -> PlanPrice:
    """The active price of ``plan`` in ``currency``, synced to Stripe (``PlanNotForSale`` if none)."""
    interval = INTERVALS.get(plan.pricing_model)
    money = plan.price(currency)
    if interval is None or money is None:
        raise PlanNotForSale(_("This plan is not for sale in %(currency)s.") % {"currency": currency})
    current = PlanPrice.objects.filter(
        listing_plan=plan, currency=currency, interval=interval, active=True, private_offer__isnull=True
    ).first()
    if current and current.unit_amount != money.amount:
        PlanPrice.objects.filter(pk=current.pk).update(active=False)
        current = None
    if current is None:
        try:
            with transaction.atomic():
                current = PlanPrice.objects.create(
                    listing_id=plan.listing_id,
                    listing_plan=plan,
                    currency=currency,
                    unit_amount=money.amount,
                    interval=interval,
                    usage_type=UsageType.METERED
                    if plan.pricing_model == PricingModel.USAGE
                    else UsageType.LICENSED,
                    per_seat=plan.pricing_model == PricingModel.PER_SEAT,
                )
        except IntegrityError:
            current = PlanPrice.objects.get(
                listing_plan=plan,
                currency=currency,
                interval=interval,
                active=True,
                private_offer__isnull=True,
            )
    return _synced(current, plan.listing, plan.name_en or plan.name)


def price_for_offer(offer) -> PlanPrice:
    price = PlanPrice.objects.filter(private_offer=offer).first()
    if price is None:
        plan = offer.listing_plan
        price = PlanPrice.objects.create(
            listing_id=offer.listing_id,
            listing_plan=plan,
            private_offer=offer,
            currency=offer.currency,
            unit_amount=offer.unit_amount,
            interval=offer.interval,
            per_seat=bool(plan and plan.pricing_model == PricingModel.PER_SEAT) or offer.quantity > 1,
        )
    return _synced(price, offer.listing, offer.title_en or offer.title)


def _synced(price: PlanPrice, listing: ListingPage, nickname: str) -> PlanPrice:
    if price.stripe_price_id or not price.is_recurring:
        return price
    product = ensure_product(listing)
    stripe_id = _stripe_price(product, price, nickname)
    PlanPrice.objects.filter(pk=price.pk).update(stripe_price_id=stripe_id, synced_at=timezone.now())
    price.stripe_price_id = stripe_id
    return price


def sync_listing(listing_id: int) -> int:
    """Sync every paid plan of a listing in each currency it has a price in; returns prices synced."""
    listing = ListingPage.objects.filter(pk=listing_id).first()
    if listing is None:
        return 0
    count = 0
    for plan in ListingPlan.objects.filter(listing=listing, pricing_model__in=list(INTERVALS)):
        for money in plan.prices:
            price_for(plan, money.currency)
            count += 1
    return count


def stripe_tax_rate_id(rate: TaxRate | None) -> str:
    """The Stripe id of a tax rate, created on first use (Stripe tax rates are immutable)."""
    if rate is None:
        return ""
    if not rate.stripe_tax_rate_id:
        data = gateway.create_tax_rate(
            display_name=rate.name_en or rate.name,
            percentage=rate.percentage,
            inclusive=rate.inclusive,
            idempotency_key=f"symbio-taxrate-{rate.pk}-{rate.percentage}-{int(rate.inclusive)}",
        )
        TaxRate.objects.filter(pk=rate.pk).update(stripe_tax_rate_id=data["id"])
        rate.stripe_tax_rate_id = data["id"]
    return rate.stripe_tax_rate_id
