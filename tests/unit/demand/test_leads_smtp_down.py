"""SMTP down while a guest sends an enquiry: the page answers as usual and the verification
e-mail is retried by the e-mail task (Django's real SMTP backend against a closed port)."""

import pytest
from django.core import mail
from django.test import TestCase

from core.tasks import send_email
from demand.models import Lead
from tests.unit.core.test_smtp_down import (  # noqa: F401 - fixtures
    CountingSMTPBackend,
    eager_retries,
    smtp_down,
)
from tests.unit.demand.test_leads import ENQUIRE, form

pytestmark = pytest.mark.django_db


@pytest.mark.usefixtures("smtp_down", "eager_retries")
def test_guest_enquiry_answers_while_smtp_is_down_and_the_email_is_retried(client, partner_a):
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(ENQUIRE, form(partner="partner-a"))
    assert response.status_code == 200
    assert Lead.objects.get().verified_at is None  # saved
    assert CountingSMTPBackend.attempts == send_email.max_retries + 1
    assert mail.outbox == []
