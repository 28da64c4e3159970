"""Reminders 14, 7 and 1 days before protection ends, each sent once."""

from datetime import timedelta

import pytest
from django.core import mail

from cosell.services import registrations as svc
from cosell.services.reminders import remind_expiring
from tests.factories.cosell import deal_data
from tests.factories.partners import owner_of

pytestmark = pytest.mark.django_db


def test_each_reminder_is_sent_once(partner_a, listing, django_capture_on_commit_callbacks):
    reg = svc.create_registration(partner=partner_a, user=None, data=deal_data(listing))
    reg = svc.submit(registration=reg, user=None)
    until = reg.protection_until
    sent = []
    for days_left in (20, 14, 13, 7, 7, 2, 1, 0):
        with django_capture_on_commit_callbacks(execute=True):
            sent.append(remind_expiring(today=until - timedelta(days=days_left)))
    assert sent == [0, 1, 0, 1, 0, 0, 1, 0]
    assert len(mail.outbox) == 3
    assert mail.outbox[0].to == [owner_of(partner_a).email]
    assert str(reg.public_id) in mail.outbox[0].body
