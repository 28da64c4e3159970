"""Fixtures for the incentives tests: service and channel partners on tier ladders, staff in
their groups, and a published pool."""

from datetime import date
from decimal import Decimal

import pytest

from incentives.services import allocation
from partners.models import PartnerKind
from tests.factories.accounts import staff_member
from tests.factories.incentives import member_partner
from tests.factories.partners import RegionFactory

TODAY = date(2026, 3, 2)  # a Monday


@pytest.fixture
def second_manager(db):
    return staff_member("programme_manager")


@pytest.fixture
def partner_a(db):
    partner = member_partner(organisation__slug="mdf-a", organisation__name_en="MDF A")
    partner.regions.add(RegionFactory(code="east"))
    return partner


@pytest.fixture
def partner_b(db):
    return member_partner(kind=PartnerKind.SERVICE, rank=1, organisation__slug="mdf-b")


@pytest.fixture
def pool(partner_a, partner_b, programme_manager):
    pool = allocation.create_pool(
        user=programme_manager,
        name="2026 MDF",
        period_start=date(2026, 1, 1),
        period_end=date(2026, 12, 31),
        amount=Decimal("100000.00"),
        currency="CNY",
    )
    allocation.preview_allocation(pool=pool, user=programme_manager)
    return allocation.publish_pool(pool=pool, user=programme_manager)


@pytest.fixture(autouse=True)
def _no_random_audit(settings):
    """The random audit sample is tested on its own; elsewhere it would hold claims at random."""
    settings.INCENTIVES_AUDIT_RATE = Decimal("0")
