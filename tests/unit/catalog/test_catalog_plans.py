"""Plans: each pricing model's rules, with messages that say what to fix; prices are Decimal."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from catalog.models import PricingModel
from catalog.models import listings as models
from core.money import Money
from tests.factories.catalog import complete_listing, plan
from tests.unit.catalog.helpers import edit_url, editor_form_data

pytestmark = pytest.mark.django_db


def errors_of(**fields) -> dict[str, list[str]]:
    with translation.override("en"):
        try:
            plan(**fields).clean()
        except ValidationError as error:
            return error.message_dict
    return {}


def en(message, **params):
    with translation.override("en"):
        return str(message % params) if params else str(message)


def test_per_seat_plan_without_a_price_is_refused():
    errors = errors_of(pricing_model=PricingModel.PER_SEAT, price_cny=None, price_usd=None)
    assert errors == {"price_cny": [en(models.PLAN_NEEDS_PRICE, model="per seat")]}


def test_usage_based_plan_needs_a_unit():
    errors = errors_of(pricing_model=PricingModel.USAGE, unit="", price_cny=Decimal("20"))
    assert errors == {"unit": [en(models.PLAN_USAGE_NEEDS_UNIT)]}


def test_free_plan_has_no_price():
    errors = errors_of(pricing_model=PricingModel.FREE, price_cny=Decimal("10.00"), price_usd=None)
    assert errors == {"price_cny": [en(models.PLAN_NO_PRICE, model="free")]}


def test_contact_sales_plan_has_no_price():
    errors = errors_of(pricing_model=PricingModel.CONTACT_SALES, price_cny=None, price_usd=Decimal("5"))
    assert errors == {"price_usd": [en(models.PLAN_NO_PRICE, model="contact sales")]}


def test_free_trial_needs_its_length_and_only_a_trial_has_one():
    assert errors_of(pricing_model=PricingModel.FREE_TRIAL, price_cny=None, price_usd=None) == {
        "trial_days": [en(models.PLAN_TRIAL_NEEDS_DAYS)]
    }
    assert errors_of(
        pricing_model=PricingModel.FREE_TRIAL, trial_days=400, price_cny=None, price_usd=None
    ) == {"trial_days": [en(models.PLAN_TRIAL_DAYS_RANGE)]}
    assert errors_of(pricing_model=PricingModel.FLAT_MONTHLY, trial_days=14) == {
        "trial_days": [en(models.PLAN_ONLY_TRIAL_HAS_DAYS)]
    }


def test_a_price_must_be_above_zero():
    assert errors_of(price_cny=Decimal("0"), price_usd=None) == {
        "price_cny": [en(models.PLAN_PRICE_POSITIVE)]
    }


@pytest.mark.parametrize(
    "fields",
    [
        {"pricing_model": PricingModel.FREE, "price_cny": None, "price_usd": None},
        {"pricing_model": PricingModel.FREE_TRIAL, "trial_days": 30, "price_cny": None, "price_usd": None},
        {"pricing_model": PricingModel.FLAT_ANNUAL, "price_cny": Decimal("9800"), "price_usd": None},
        {
            "pricing_model": PricingModel.PER_SEAT,
            "price_usd": Decimal("9.99"),
            "price_cny": None,
            "unit": "座席",
        },
        {"pricing_model": PricingModel.USAGE, "price_cny": Decimal("0.50"), "unit": "千次调用"},
        {"pricing_model": PricingModel.ONE_TIME, "price_cny": Decimal("19999"), "price_usd": Decimal("2799")},
        {"pricing_model": PricingModel.CONTACT_SALES, "price_cny": None, "price_usd": None},
    ],
)
def test_valid_plans_of_every_pricing_model_pass(fields):
    assert errors_of(**fields) == {}


def test_prices_are_money_in_decimal_and_features_follow_the_language():
    p = plan(price_cny=Decimal("299"), price_usd=Decimal("41.5"))
    assert p.prices == [Money(Decimal("299.00"), "CNY"), Money(Decimal("41.50"), "USD")]
    assert all(isinstance(m.amount, Decimal) for m in p.prices)
    with translation.override("zh-hans"):
        assert p.feature_list == ["不限用户数", "移动审批"]
    with translation.override("en"):
        assert p.feature_list == ["Unlimited users", "Mobile approvals"]
        assert p.t_name == "Standard"


def test_editor_refuses_an_invalid_plan_with_its_message_and_saves_nothing(client, partner_a, owner_a):
    page = complete_listing(partner_a, user=owner_a)
    revisions = page.revisions.count()
    client.force_login(owner_a)
    url = edit_url(page)
    data = editor_form_data(
        client,
        url,
        page,
        **{"plans-0-pricing_model": PricingModel.PER_SEAT, "plans-0-price_cny": "", "plans-0-price_usd": ""},
    )

    response = client.post(url, data)

    assert response.status_code == 200  # the form again, with errors
    assert en(models.PLAN_NEEDS_PRICE, model="per seat") in response.content.decode()
    assert page.revisions.count() == revisions
    assert page.plans.get().pricing_model == PricingModel.FLAT_MONTHLY
