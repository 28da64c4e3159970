"""SMTP down: e-mails sent by Celery tasks are retried with backoff, not lost on the first
refused connection. Django's real SMTP backend is pointed at a closed loopback port; tasks
run eagerly, where Celery re-runs a retried task at once, so every attempt is counted."""

import smtplib
import socket

import pytest
from django.core import mail
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend

from accounts.tasks import send_invitation_email
from billing.models import Invoice
from billing.tasks.subscriptions import send_payment_failed_email
from config.celery import app
from tests.unit.accounts.factories import InvitationFactory, UserFactory
from tests.unit.billing.money_factories import customer, invoice, live_listing, money_partner, paid_plans

pytestmark = pytest.mark.django_db


class CountingSMTPBackend(SMTPBackend):
    """Django's SMTP backend, counting its connection attempts."""

    attempts = 0

    def open(self):
        type(self).attempts += 1
        return super().open()


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_down(settings):
    settings.EMAIL_BACKEND = f"{__name__}.CountingSMTPBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = closed_port()
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 2
    CountingSMTPBackend.attempts = 0
    return CountingSMTPBackend


def test_smtp_errors_are_oserrors_so_tasks_retrying_on_oserror_cover_them():
    assert issubclass(smtplib.SMTPException, OSError)
    assert issubclass(ConnectionRefusedError, OSError)


@pytest.fixture
def eager_retries():
    """Eager tasks that do not propagate errors: Celery applies a Retry again at once (no
    countdown) instead of raising it, as CELERY_TASK_EAGER_PROPAGATES makes it in tests."""
    saved = app.conf.task_eager_propagates
    app.conf.task_eager_propagates = False
    try:
        yield
    finally:
        app.conf.task_eager_propagates = saved


def test_invitation_email_is_retried_while_smtp_is_down(smtp_down, eager_retries):
    invitation = InvitationFactory()
    mail.outbox = []

    result = send_invitation_email.apply(args=[invitation.pk])

    assert result.failed()  # given up after the last retry, with the SMTP error
    assert isinstance(result.result, ConnectionRefusedError)
    assert mail.outbox == []
    assert smtp_down.attempts == send_invitation_email.max_retries + 1 == 6
    assert send_invitation_email.retry_backoff and send_invitation_email.retry_backoff_max == 600


def test_invitation_email_goes_out_once_smtp_answers(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    invitation = InvitationFactory()
    mail.outbox = []

    assert send_invitation_email.delay(invitation.pk).get() is True
    assert [m.to for m in mail.outbox] == [[invitation.email]]


def open_invoice():
    partner = money_partner(slug="smtp-vendor", name="邮件供应商", name_en="Mail Vendor")
    listing = live_listing(partner, slug="smtp-app", plans=paid_plans())
    buyer = customer("smtp-buyer", owner=UserFactory(email="buyer-owner@example.com"))
    return invoice(partner=partner, listing=listing, organisation=buyer, status=Invoice.Status.OPEN)


def test_payment_failed_email_is_retried_while_smtp_is_down(smtp_down, eager_retries):
    unpaid = open_invoice()
    mail.outbox = []

    result = send_payment_failed_email.apply(args=[unpaid.pk])

    assert result.failed()
    assert isinstance(result.result, ConnectionRefusedError)
    assert smtp_down.attempts == send_payment_failed_email.max_retries + 1 == 6


def test_payment_failed_email_goes_out_once_smtp_answers(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    unpaid = open_invoice()
    mail.outbox = []

    assert send_payment_failed_email.delay(unpaid.pk).get() == 1
    assert mail.outbox[0].to == ["buyer-owner@example.com"]
