"""Fixtures for the billing tests. Stripe calls go to the localstripe that `make test`
(scripts/test.sh) starts; tests that need it use the ``stripe`` fixture (skips without it)."""

import pytest
from django.conf import settings as django_settings
from django.utils import translation

from tests.factories.accounts import buyer
from tests.factories.billing import shop


@pytest.fixture(autouse=True)
def _default_language():
    translation.activate(django_settings.LANGUAGE_CODE)
    yield
    translation.activate(django_settings.LANGUAGE_CODE)


@pytest.fixture
def store(db):
    return shop()


@pytest.fixture
def customer(db):
    return buyer()
