"""Fixtures for the co-sell tests: two channel partners, an ISV's live listing, staff."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from accounts.roles import STAFF_GROUPS
from partners.models import PartnerKind
from tests.unit.accounts.factories import UserFactory
from tests.unit.accounts.helpers import enrol_totp
from tests.unit.marketplace.mkt_factories import make_listing
from tests.unit.partners.factories import provisioned_partner

VALID_USCC = "91110000802100433B"


@pytest.fixture
def partner_a(db):
    return provisioned_partner(
        kind=PartnerKind.SERVICE,
        owner=UserFactory(email="owner@channel-a.example.cn"),
        organisation__name="甲渠道科技",
        organisation__name_en="Alpha Channel",
        organisation__slug="alpha-channel",
    )


@pytest.fixture
def partner_b(db):
    return provisioned_partner(
        kind=PartnerKind.SERVICE,
        owner=UserFactory(email="owner@channel-b.example.cn"),
        organisation__name="乙渠道服务",
        organisation__name_en="Bravo Channel",
        organisation__slug="bravo-channel",
    )


def owner_of(partner):
    return partner.organisation.memberships.get(role="owner").user


@pytest.fixture
def listing(db):
    return make_listing(title="云财务", title_en="Cloud Finance")


@pytest.fixture
def programme_manager(db):
    user = UserFactory()
    user.groups.add(Group.objects.get(name=STAFF_GROUPS["programme_manager"].name))
    enrol_totp(user)  # staff need an authenticator before the admin (accounts.mfa)
    return user


def deal_data(listing, **overrides):
    data = {
        "customer_name": "深圳市腾讯计算机系统有限公司",
        "customer_name_en": "",
        "customer_uscc": "",
        "customer_domain": "",
        "contact_name": "王经理",
        "contact_email": "",
        "contact_phone": "",
        "listings": [listing],
        "estimated_value": Decimal("120000"),
        "currency": "CNY",
        "expected_close": timezone.localdate() + timedelta(days=60),
        "stage": "qualified",
        "notes": "",
    }
    data.update(overrides)
    return data
