"""Fixtures of the partner API tests: ``mine`` (a partner's world, ``tests.factories.api.world``),
``token`` (a key of that partner with every scope)."""

import pytest

from tests.factories.api import key_for, world


@pytest.fixture
def mine(db):
    return world()


@pytest.fixture
def token(mine):
    return key_for(mine.partner)[1]
