"""The demo API key: seeded for the demo partner owner's organisation (idempotently), printed by
``demo_logins``, and it works."""

import io

import pytest
from django.core.management import call_command

import demo.api
from api.models import ApiKey
from demo.base import SeedContext
from tests.factories.accounts import UserFactory
from tests.factories.api import api_client
from tests.factories.partners import provisioned_partner

pytestmark = pytest.mark.django_db


def test_demo_key_is_seeded_printed_and_works():
    partner = provisioned_partner(owner=UserFactory(email=demo.api.DEMO_KEY_OWNER))
    demo.api.seed(SeedContext())
    demo.api.seed(SeedContext())  # idempotent
    key = ApiKey.objects.get(prefix=demo.api.DEMO_KEY_PREFIX)
    assert key.partner == partner and ApiKey.objects.count() == 1
    out = io.StringIO()
    call_command("demo_logins", "--url", "http://127.0.0.1:8000/", stdout=out)
    token = demo.api.demo_api_token()
    assert token in out.getvalue()
    response = api_client(token).get("/api/v1/partner")
    assert response.status_code == 200 and response.json()["slug"] == partner.organisation.slug
