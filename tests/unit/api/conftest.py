import pytest


@pytest.fixture
def stripe(settings, stripe_api_base):
    """Point the billing gateway at the test localstripe (as the billing tests do)."""
    settings.STRIPE_API_BASE = stripe_api_base
    settings.STRIPE_SECRET_KEY = "sk_test_12345"
    settings.STRIPE_LEGACY_PLANS = None
    settings.STRIPE_MAX_NETWORK_RETRIES = 0
    return stripe_api_base
