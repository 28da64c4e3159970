"""Fixtures for the marketplace tests: a partner with an owner and a live listing, customers
with and without usage, staff who moderate."""

import pytest
from django.conf import settings
from django.utils import translation

from tests.factories.accounts import UserFactory, buyer
from tests.factories.marketplace import give_usage, make_listing
from tests.factories.partners import provisioned_partner


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language (a request under /en/ leaves English active)."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


def make_vendor() -> dict:
    """``partner_owner``, ``partner`` and its live ``listing``, as the fixtures below make them (for
    a module that builds them once)."""
    owner = UserFactory(email="owner@vendor.example.cn")
    partner = vendor_partner(owner)
    return {"partner_owner": owner, "partner": partner, "listing": vendor_listing(partner)}


def vendor_partner(owner):
    return provisioned_partner(
        owner=owner, organisation__name="云帆软件", organisation__name_en="Yunfan Software"
    )


def vendor_listing(partner):
    return make_listing(partner, title="云帆 CRM", title_en="Yunfan CRM")


@pytest.fixture
def partner_owner(db):
    return UserFactory(email="owner@vendor.example.cn")


@pytest.fixture
def partner(db, partner_owner):
    return vendor_partner(partner_owner)


@pytest.fixture
def listing(partner):
    return vendor_listing(partner)


@pytest.fixture
def trial_customer(listing):
    """(user, organisation) of a customer whose 14-day trial ended a while ago."""
    user, organisation = buyer()
    give_usage(listing, organisation, days_ago=60, ended_days_ago=46)
    return user, organisation


@pytest.fixture
def subscriber(listing):
    """(user, organisation) of a customer subscribed for about eight months."""
    user, organisation = buyer()
    give_usage(listing, organisation, kind="subscription", days_ago=244)
    return user, organisation
