"""Fixtures for the marketplace tests: a partner with an owner and a live listing, customers
with and without usage, staff who moderate."""

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.utils import translation

from accounts.roles import STAFF_GROUPS
from tests.unit.accounts.factories import UserFactory
from tests.unit.accounts.helpers import enrol_totp
from tests.unit.marketplace.mkt_factories import give_usage, make_customer, make_listing, make_partner


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language (a request under /en/ leaves English active)."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def partner_owner(db):
    return UserFactory(email="owner@vendor.example.cn")


@pytest.fixture
def partner(db, partner_owner):
    return make_partner(
        owner=partner_owner, organisation__name="云帆软件", organisation__name_en="Yunfan Software"
    )


@pytest.fixture
def listing(partner):
    return make_listing(partner, title="云帆 CRM", title_en="Yunfan CRM")


@pytest.fixture
def trial_customer(listing):
    """(user, organisation) of a customer whose 14-day trial ended a while ago."""
    user, organisation = make_customer()
    give_usage(listing, organisation, days_ago=60, ended_days_ago=46)
    return user, organisation


@pytest.fixture
def subscriber(listing):
    """(user, organisation) of a customer subscribed for about eight months."""
    user, organisation = make_customer()
    give_usage(listing, organisation, kind="subscription", days_ago=244)
    return user, organisation


def _staff(key):
    user = UserFactory()
    user.groups.add(Group.objects.get(name=STAFF_GROUPS[key].name))
    enrol_totp(user)  # staff need two-factor before the admin (accounts.mfa)
    return user


@pytest.fixture
def reviewer(db):
    return _staff("reviewer")


@pytest.fixture
def programme_manager(db):
    return _staff("programme_manager")


@pytest.fixture
def superuser(db):
    user = UserFactory(is_superuser=True, is_staff=True)
    enrol_totp(user)
    return user
