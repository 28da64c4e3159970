"""Fixtures for the co-sell tests: two channel partners, an ISV's live listing, staff."""

import pytest

from partners.models import PartnerKind
from tests.factories.accounts import UserFactory
from tests.factories.marketplace import make_listing
from tests.factories.partners import provisioned_partner


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


@pytest.fixture
def listing(db):
    return make_listing(title="云财务", title_en="Cloud Finance")
