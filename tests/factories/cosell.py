"""Co-sell test data: ``deal_data(listing, **overrides)`` — what a partner fills in to register
a deal (``cosell.services.registrations.create_registration(data=…)``)."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

__all__ = ["VALID_USCC", "deal_data"]

VALID_USCC = "91110000802100433B"  # a unified social credit code with a valid check digit


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
