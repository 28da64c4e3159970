"""Fixtures of the health model tests (builders: ``tests.factories.health``)."""

import pytest

from partners.models import PartnerKind
from tests.factories.partners import PartnerFactory, TierFactory


@pytest.fixture
def isvs(db):
    return [PartnerFactory(kind=PartnerKind.ISV, joined_on=None) for _ in range(3)]


@pytest.fixture
def service_partner(db):
    return PartnerFactory(
        kind=PartnerKind.SERVICE, tier=TierFactory(kind=PartnerKind.SERVICE, rank=0), joined_on=None
    )
