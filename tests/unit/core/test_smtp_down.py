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
from tests.factories.accounts import InvitationFactory, UserFactory
from tests.factories.billing import InvoiceFactory, customer, live_listing, money_partner, paid_plans

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
    return InvoiceFactory(partner=partner, listing=listing, organisation=buyer, status=Invoice.Status.OPEN)


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


# --- e-mails sent from a request go through the retried e-mail task ---------------------------
def test_allauth_password_reset_answers_while_smtp_is_down_and_its_email_is_retried(
    client, smtp_down, eager_retries
):
    from core.tasks import send_email

    UserFactory(email="forgot@example.com")
    response = client.post("/accounts/password/reset/", {"email": "forgot@example.com"})
    assert response.status_code == 302  # no 500: the reset e-mail is the task's business
    assert smtp_down.attempts == send_email.max_retries + 1 == 6
    assert mail.outbox == []


def test_allauth_password_reset_email_goes_out_once_smtp_answers(client):
    UserFactory(email="forgot@example.com")
    mail.outbox = []
    response = client.post("/accounts/password/reset/", {"email": "forgot@example.com"})
    assert response.status_code == 302
    [message] = mail.outbox
    assert message.to == ["forgot@example.com"] and "/accounts/password/reset/key/" in message.body


def test_a_queued_message_keeps_its_html_part_and_headers():
    from django.core.mail import EmailMultiAlternatives

    from core.emails import queue_message

    mail.outbox = []
    message = EmailMultiAlternatives("Hi", "text", to=["a@example.com"], headers={"X-Tag": "t"})
    message.attach_alternative("<p>html</p>", "text/html")
    assert queue_message(message) == 1
    [sent] = mail.outbox
    assert (sent.subject, sent.body, sent.to, sent.extra_headers) == (
        "Hi",
        "text",
        ["a@example.com"],
        {"X-Tag": "t"},
    )
    assert [tuple(a) for a in sent.alternatives] == [("<p>html</p>", "text/html")]
