"""The one-business-day review target (Asia/Shanghai business days): overdue registrations head
the staff queue and are e-mailed to programme managers once."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.utils import timezone

from core.calendar import add_business_days
from cosell.models import DealRegistration, ProtectionRule, Status
from cosell.services import registrations as svc
from cosell.services.escalation import escalate, overdue
from tests.factories.accounts import UserFactory
from tests.factories.cosell import deal_data
from tests.factories.partners import owner_of

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
FRIDAY_10 = datetime(2026, 12, 4, 10, 0, tzinfo=SHANGHAI)


def in_review(partner, listing, submitted_at, **overrides):
    ProtectionRule.objects.get_or_create(
        partner_kind=partner.kind, tier=None, defaults={"auto_approve": False}
    )
    reg = svc.create_registration(
        partner=partner, user=owner_of(partner), data=deal_data(listing, **overrides)
    )
    reg = svc.submit(registration=reg, user=owner_of(partner))
    assert reg.status == Status.IN_REVIEW
    DealRegistration.objects.filter(pk=reg.pk).update(submitted_at=submitted_at)
    return reg


def test_business_days_skip_the_weekend_and_holidays(settings):
    assert add_business_days(FRIDAY_10, 1) == datetime(2026, 12, 7, 10, 0, tzinfo=SHANGHAI)
    settings.BUSINESS_HOLIDAYS = ["2026-12-07"]
    assert add_business_days(FRIDAY_10, 1) == datetime(2026, 12, 8, 10, 0, tzinfo=SHANGHAI)
    # A Saturday start counts from the next business day at 09:00 (Tuesday: Monday is a holiday).
    saturday = datetime(2026, 12, 5, 2, 0, tzinfo=ZoneInfo("UTC"))
    assert add_business_days(saturday, 1) == datetime(2026, 12, 9, 9, 0, tzinfo=SHANGHAI)


def test_overdue_only_past_one_business_day(partner_a, listing):
    reg = in_review(partner_a, listing, FRIDAY_10)
    monday = datetime(2026, 12, 7, 10, 0, tzinfo=SHANGHAI)
    assert overdue(now=monday - timedelta(minutes=1)) == []  # the weekend does not count
    assert overdue(now=monday) == [reg]
    svc.approve(registration=reg, user=None)
    assert overdue(now=monday) == []


def test_programme_managers_are_emailed_once(
    partner_a, listing, programme_manager, django_capture_on_commit_callbacks
):
    reg = in_review(partner_a, listing, FRIDAY_10)
    monday = datetime(2026, 12, 7, 11, 0, tzinfo=SHANGHAI)
    bystander = UserFactory()  # not a programme manager
    with django_capture_on_commit_callbacks(execute=True):
        assert escalate(now=monday - timedelta(hours=2)) == 0
        assert escalate(now=monday) == 1
        assert escalate(now=monday + timedelta(hours=1)) == 0
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [programme_manager.email] and bystander.email not in message.to
    assert f"/admin/cosell_admin/{reg.pk}/" in message.body
    assert "http://" in message.body or "https://" in message.body


def test_overdue_registrations_head_the_staff_queue(client, partner_a, partner_b, listing, programme_manager):
    late = in_review(partner_a, listing, timezone.now() - timedelta(days=10))
    fresh = in_review(
        partner_b, listing, timezone.now(), customer_name="北京小米科技有限责任公司", customer_name_en=""
    )
    client.force_login(programme_manager)
    page = client.get("/admin/cosell_admin/").content.decode()
    start = page.index('id="cosell-overdue-list"')
    section = page[start : page.index("</section>", start)]
    assert f"/admin/cosell_admin/{late.pk}/" in section
    assert f"/admin/cosell_admin/{fresh.pk}/" not in section
    assert start < page.index(f"/admin/cosell_admin/{fresh.pk}/")
