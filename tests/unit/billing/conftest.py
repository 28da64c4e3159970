"""Fixtures for the billing tests. Stripe calls go to the localstripe that `make test`
(scripts/test.sh) starts; tests that need it use the ``stripe`` fixture (skips without it)."""

import pytest
from django.conf import settings as django_settings
from django.utils import translation

from tests.unit.billing.billing_factories import buyer, shop


@pytest.fixture(autouse=True)
def _default_language():
    translation.activate(django_settings.LANGUAGE_CODE)
    yield
    translation.activate(django_settings.LANGUAGE_CODE)


@pytest.fixture
def stripe(settings, stripe_api_base):
    """Point the gateway at the test localstripe (legacy Plans, no network retries)."""
    settings.STRIPE_API_BASE = stripe_api_base
    settings.STRIPE_SECRET_KEY = "sk_test_12345"
    settings.STRIPE_LEGACY_PLANS = None
    settings.STRIPE_MAX_NETWORK_RETRIES = 0
    settings.STRIPE_WEBHOOK_SECRET = "whsec_test_unit"
    return stripe_api_base


@pytest.fixture
def store(db):
    return shop()


@pytest.fixture
def customer(db):
    return buyer()
