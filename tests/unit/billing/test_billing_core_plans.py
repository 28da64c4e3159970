"""Plan sync: catalogue plans → Stripe products and prices (legacy Plans on localstripe)."""

from decimal import Decimal

import pytest

from billing.models import PlanPrice, StripeProduct
from billing.receivers import on_page_published
from billing.services import plans
from catalog.models import ListingPage, ListingPlan

pytestmark = pytest.mark.django_db


def test_sync_creates_one_product_and_a_price_per_plan_and_currency(stripe, store):
    assert plans.sync_listing(store.listing.pk) == 10  # 5 paid plans × CNY and USD
    assert StripeProduct.objects.filter(listing=store.listing).count() == 1
    prices = PlanPrice.objects.filter(listing=store.listing, active=True)
    assert prices.count() == 10
    recurring = prices.exclude(interval="once")
    assert all(p.stripe_price_id.startswith("plan_") for p in recurring)
    assert all(not p.stripe_price_id for p in prices.filter(interval="once"))  # paid by PaymentIntent
    assert prices.get(listing_plan=store.seats, currency="USD").per_seat
    assert prices.get(listing_plan=store.usage, currency="CNY").usage_type == "metered"
    assert plans.sync_listing(store.listing.pk) == 10 and PlanPrice.objects.count() == 10  # idempotent


def test_a_new_catalogue_price_makes_a_new_stripe_price_and_retires_the_old(stripe, store):
    old = plans.price_for(store.monthly, "CNY")
    ListingPlan.objects.filter(pk=store.monthly.pk).update(price_cny=Decimal("129.00"))
    new = plans.price_for(ListingPlan.objects.get(pk=store.monthly.pk), "CNY")
    assert (
        new.pk != old.pk
        and new.unit_amount == Decimal("129.00")
        and new.stripe_price_id != old.stripe_price_id
    )
    old.refresh_from_db()
    assert not old.active


def test_plan_without_price_in_a_currency_is_not_for_sale(stripe, store):
    ListingPlan.objects.filter(pk=store.annual.pk).update(price_usd=None)
    with pytest.raises(plans.PlanNotForSale):
        plans.price_for(ListingPlan.objects.get(pk=store.annual.pk), "USD")
    with pytest.raises(plans.PlanNotForSale):
        plans.price_for(store.trial, "CNY")


def test_publishing_syncs_plans_when_a_worker_runs(
    stripe, store, settings, django_capture_on_commit_callbacks
):
    settings.BILLING_SYNC_PLANS_ON_PUBLISH = False
    with django_capture_on_commit_callbacks(execute=True):
        on_page_published(sender=ListingPage, instance=store.listing)
    assert not PlanPrice.objects.exists()
    settings.BILLING_SYNC_PLANS_ON_PUBLISH = True
    with django_capture_on_commit_callbacks(execute=True):
        on_page_published(sender=ListingPage, instance=store.listing)
    assert PlanPrice.objects.filter(listing=store.listing).count() == 10


def test_localstripe_webhook_command(stripe, settings):
    from io import StringIO

    from django.core.management import CommandError, call_command

    out = StringIO()
    call_command(
        "localstripe_webhook", "--url", "http://127.0.0.1:9/billing/stripe/webhook/", "--id", "t", stdout=out
    )
    assert "now delivers webhooks to http://127.0.0.1:9/" in out.getvalue()
    settings.STRIPE_API_BASE = ""
    with pytest.raises(CommandError):
        call_command("localstripe_webhook")
