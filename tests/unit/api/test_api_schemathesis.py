"""Schemathesis against the OpenAPI document, in-process through the WSGI app with a partner key
holding every scope: no 5xx, and every response (status, content type, headers, body) as the
schema says."""

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import checks

from tests.factories.api import key_for, world

pytestmark = pytest.mark.django_db


@pytest.fixture
def api_schema(db):
    """The schema, served by the WSGI app; requests run inside the test's transaction (like
    Django's test client, the app must not close the connection at the end of each request)."""
    from django.core import signals
    from django.db import close_old_connections

    from config.wsgi import application

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", application)
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture
def partner_token(api_schema):
    mine = world()
    key, token = key_for(mine.partner)
    key.rate_per_second = key.burst = 10_000  # rate limits have their own test
    key.save()
    return token


CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
]


def test_api_conforms_to_its_schema(api_schema, partner_token):
    """Every operation, 15 generated cases each (derandomised: the same cases every run)."""
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 15
    headers = {"Authorization": f"Bearer {partner_token}"}
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=15,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        def run(case):
            case.call_and_validate(headers=headers, checks=CHECKS)

        run()
