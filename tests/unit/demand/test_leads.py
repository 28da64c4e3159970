"""Enquiries: the form on a listing and a profile, guests verifying by e-mail, the partner's inbox
(reply, state changes, first response), the customer's thread, e-mails both ways, rate limits,
the honeypot, business-day targets, overdue reminders and 404 for everyone else's leads."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from core.exceptions import ApplicationError, NotAllowed
from demand.models import Lead, LeadState
from demand.services import leads as services
from demand.services.calendar import add_business_days, lead_response_due
from tests.factories.partners import owner_of
from tests.unit.accounts.helpers import english, enrol_totp, signed_in

SH = ZoneInfo("Asia/Shanghai")
ENQUIRE = reverse("demand:enquire")


def form(**changes):
    data = {
        "topic": "demo",
        "contact_name": "王芳",
        "email": "wangfang@customer.example.cn",
        "phone": "",
        "company": "顾客公司",
        "message": "我们想看一下演示。",
        "preferred_contact": "email",
        "consent": "on",
        "website": "",
    }
    data.update(changes)
    return data


# --- business days ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "due"),
    [
        (datetime(2026, 12, 3, 15, 0, tzinfo=SH), datetime(2026, 12, 4, 15, 0, tzinfo=SH)),  # Thu → Fri
        (datetime(2026, 12, 4, 15, 0, tzinfo=SH), datetime(2026, 12, 7, 15, 0, tzinfo=SH)),  # Fri → Mon
        (datetime(2026, 12, 5, 10, 0, tzinfo=SH), datetime(2026, 12, 8, 9, 0, tzinfo=SH)),  # Sat → Tue 09:00
    ],
)
def test_first_response_is_due_one_business_day_later_in_shanghai(start, due):
    assert lead_response_due(start) == due


def test_holidays_and_target_come_from_settings(settings):
    settings.DEMAND_HOLIDAYS = ["2026-12-07"]
    settings.DEMAND_LEAD_RESPONSE_BUSINESS_DAYS = 2
    start = datetime(2026, 12, 4, 15, 0, tzinfo=SH)  # Friday; Monday is a holiday
    assert lead_response_due(start) == datetime(2026, 12, 9, 15, 0, tzinfo=SH)
    assert add_business_days(start, 0) == start


# --- the form -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_listing_page_links_to_the_enquiry_form_not_mailto(client, listing):
    html = client.get(listing.url).content.decode()
    assert f"{ENQUIRE}?listing={listing.pk}" in html
    assert "mailto:support@galaxy" not in html.split('class="cta-card"')[1].split("</aside>")[0]


@pytest.mark.django_db
def test_partner_profile_links_to_the_enquiry_form(client, partner_a):
    from wagtail.models import Page

    page = Page.objects.get(pk=partner_a.page.pk).specific
    page.save_revision().publish()
    html = client.get(page.url).content.decode()
    assert f"{ENQUIRE}?partner=partner-a" in html


@pytest.mark.django_db
def test_signed_in_customer_enquiry_reaches_the_partner(client, customer, customer_org, listing, partner_a):
    signed_in(client, customer, customer_org)
    with pytest.raises(Exception):  # noqa: B017 - sanity: nothing before
        Lead.objects.get()
    mail.outbox.clear()
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(f"{ENQUIRE}?listing={listing.pk}", form(listing=listing.pk))
    lead = Lead.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("demand:my-enquiry", kwargs={"public_id": lead.public_id})
    assert (lead.partner, lead.listing, lead.customer_user, lead.customer_organisation) == (
        partner_a,
        listing,
        customer,
        customer_org,
    )
    assert lead.topic == "demo" and lead.state == LeadState.NEW and lead.verified_at is not None
    assert lead.first_response_due == lead_response_due(lead.verified_at)
    assert [m.to for m in mail.outbox] == [["owner@partner-a.example.cn"]]
    assert "王芳" in mail.outbox[0].subject


@pytest.mark.django_db
def test_guest_enquiry_waits_for_email_verification(client, partner_a):
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(ENQUIRE, form(partner="partner-a"))
    assert response.status_code == 200
    lead = Lead.objects.get()
    assert lead.verified_at is None and lead.customer_user is None
    assert [m.to for m in mail.outbox] == [["wangfang@customer.example.cn"]]
    # Not in the partner's inbox until verified.
    signed_in(client, owner_of(partner_a), partner_a.organisation)
    assert lead.contact_name not in client.get(reverse("demand:inbox")).content.decode()
    client.logout()
    mail.outbox.clear()
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert (
            client.get(reverse("demand:lead-verify", kwargs={"token": lead.verify_token})).status_code == 200
        )
    lead.refresh_from_db()
    assert lead.verified_at is not None and lead.first_response_due is not None
    assert [m.to for m in mail.outbox] == [["owner@partner-a.example.cn"]]
    assert client.get(reverse("demand:lead-verify", kwargs={"token": "nope"})).status_code == 404


@pytest.mark.django_db
def test_honeypot_stores_nothing(client, partner_a):
    response = client.post(ENQUIRE, form(partner="partner-a", website="http://spam.example"))
    assert response.status_code == 200
    assert not Lead.objects.exists()


@pytest.mark.django_db
def test_missing_consent_or_message_is_refused(client, partner_a):
    data = form(partner="partner-a")
    del data["consent"]
    assert client.post(ENQUIRE, data).status_code == 400
    assert client.post(ENQUIRE, form(partner="partner-a", message="")).status_code == 400
    assert client.post(ENQUIRE, form(partner="partner-a", preferred_contact="phone")).status_code == 400
    assert not Lead.objects.exists()


@pytest.mark.django_db
def test_unknown_target_is_404(client, partner_a):
    assert client.get(ENQUIRE).status_code == 404
    assert client.get(f"{ENQUIRE}?partner=nobody").status_code == 404
    assert client.get(f"{ENQUIRE}?listing=999999").status_code == 404
    assert client.get(f"{ENQUIRE}?listing=abc").status_code == 404


@pytest.mark.django_db
def test_enquiries_are_rate_limited_per_ip(client, partner_a, settings):
    settings.DEMAND_LEAD_RATE_LIMIT = 2
    for _ in range(2):
        assert client.post(ENQUIRE, form(partner="partner-a")).status_code == 200
    response = client.post(ENQUIRE, form(partner="partner-a"))
    assert response.status_code == 429
    assert Lead.objects.count() == 2


@pytest.mark.django_db
def test_rate_limit_counts_per_user_too(customer, partner_a, settings):
    settings.DEMAND_LEAD_RATE_LIMIT = 1
    kwargs = {
        "partner": partner_a,
        "user": customer,
        "contact_name": "x",
        "email": "",
        "topic": "ask",
        "message": "hi",
        "preferred_contact": "email",
        "consent": True,
    }
    services.create_lead(ip="10.0.0.1", **kwargs)
    with pytest.raises(ApplicationError) as error:
        services.create_lead(ip="10.0.0.2", **kwargs)
    assert error.value.code == "rate_limited"


# --- inbox and thread -----------------------------------------------------------------------


def _lead(partner, user=None, **fields):
    return services.create_lead(
        partner=partner,
        user=user,
        contact_name=fields.pop("contact_name", "李雷"),
        email=fields.pop("email", "lilei@customer.example.cn"),
        topic="quote",
        message="请报价",
        preferred_contact="email",
        consent=True,
        **fields,
    )


@pytest.mark.django_db
def test_partner_replies_and_moves_the_lead_and_the_customer_sees_the_thread(client, customer, partner_a):
    from django.test import TestCase

    lead = _lead(partner_a, user=customer)
    owner = owner_of(partner_a)
    signed_in(client, owner, partner_a.organisation)
    url = reverse("demand:inbox-detail", kwargs={"public_id": lead.public_id})
    assert "李雷" in client.get(reverse("demand:inbox")).content.decode()
    mail.outbox.clear()
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(url, {"action": "reply", "body": "您好，我们明天联系您。"})
    assert response.status_code == 302
    lead.refresh_from_db()
    assert lead.state == LeadState.CONTACTED and lead.first_responded_at is not None
    assert [m.to for m in mail.outbox] == [["lilei@customer.example.cn"]]
    assert "您好，我们明天联系您。" in mail.outbox[0].body

    assert client.post(url, {"action": "state", "state": "qualified"}).status_code == 302
    assert client.post(url, {"action": "state", "state": "lost", "reason": ""}).status_code == 400
    lead.refresh_from_db()
    assert lead.state == LeadState.QUALIFIED
    client.post(url, {"action": "state", "state": "lost", "reason": "预算不足"})
    lead.refresh_from_db()
    assert (lead.state, lead.lost_reason) == (LeadState.LOST, "预算不足") and lead.closed_at

    client.logout()
    signed_in(client, customer)
    page = client.get(reverse("demand:my-enquiry", kwargs={"public_id": lead.public_id})).content.decode()
    assert "您好，我们明天联系您。" in page and "请报价" in page


@pytest.mark.django_db
def test_customer_message_reaches_the_partner_in_its_language(client, customer, partner_a):
    from django.test import TestCase

    owner = english(owner_of(partner_a))
    lead = _lead(partner_a, user=customer)
    signed_in(client, customer)
    mail.outbox.clear()
    with TestCase.captureOnCommitCallbacks(execute=True):
        client.post(
            reverse("demand:my-enquiry", kwargs={"public_id": lead.public_id}), {"body": "还有一个问题"}
        )
    assert [m.to for m in mail.outbox] == [[owner.email]]
    assert "wrote again" in mail.outbox[0].subject
    assert "/en/demand/console/leads/" in mail.outbox[0].body


@pytest.mark.parametrize(
    ("src", "dst"),
    [
        ("new", "won"),
        ("contacted", "new"),
        ("qualified", "contacted"),
        ("won", "lost"),
        ("lost", "qualified"),
    ],
)
@pytest.mark.django_db
def test_illegal_lead_transitions_are_refused(partner_a, src, dst):
    lead = _lead(partner_a)
    Lead.objects.filter(pk=lead.pk).update(state=src)
    with pytest.raises(NotAllowed):
        services.change_state(lead=lead, to_state=dst, reason="r")
    lead.refresh_from_db()
    assert lead.state == src


@pytest.mark.django_db
def test_other_partners_and_customers_get_404(client, customer, other_customer, partner_a, partner_b):
    lead = _lead(partner_a, user=customer)
    signed_in(client, owner_of(partner_b), partner_b.organisation)
    assert client.get(reverse("demand:inbox-detail", kwargs={"public_id": lead.public_id})).status_code == 404
    assert "李雷" not in client.get(reverse("demand:inbox")).content.decode()
    client.logout()
    signed_in(client, other_customer)
    assert client.get(reverse("demand:my-enquiry", kwargs={"public_id": lead.public_id})).status_code == 404
    assert client.get(reverse("demand:inbox")).status_code == 404  # not acting for a partner
    client.logout()
    assert client.get(reverse("demand:inbox")).status_code == 302  # sign in first


@pytest.mark.django_db
def test_inbox_query_count_is_bounded(client, customer, partner_a, django_assert_max_num_queries, settings):
    settings.DEMAND_LEAD_RATE_LIMIT = 1000
    for n in range(3):
        _lead(partner_a, user=customer, contact_name=f"客户{n}", email=f"c{n}@x.cn")
    signed_in(client, owner_of(partner_a), partner_a.organisation)
    client.get(reverse("demand:inbox"))
    with django_assert_max_num_queries(16) as few:  # 15 + the two-factor check
        client.get(reverse("demand:inbox"))
    for n in range(3, 30):
        _lead(partner_a, user=customer, contact_name=f"客户{n}", email=f"c{n}@x.cn")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("demand:inbox"))
    assert response.content.decode().count("/demand/console/leads/") >= 30


@pytest.mark.django_db
def test_overdue_leads_are_reminded_once_and_listed_for_staff(client, partner_a):
    from datetime import timedelta

    from django.contrib.auth.models import Group
    from django.test import TestCase

    from tests.factories.accounts import UserFactory

    lead = _lead(partner_a)
    Lead.objects.filter(pk=lead.pk).update(
        verified_at=timezone.now(), first_response_due=timezone.now() - timedelta(hours=1)
    )
    on_time = _lead(partner_a, contact_name="准时", email="ok@x.cn")
    Lead.objects.filter(pk=on_time.pk).update(
        verified_at=timezone.now(), first_response_due=timezone.now() + timedelta(hours=5)
    )
    mail.outbox.clear()
    assert services.send_overdue_reminders() == 1
    assert services.send_overdue_reminders() == 0
    assert [m.to for m in mail.outbox] == [["owner@partner-a.example.cn"]]

    manager = UserFactory()
    manager.groups.add(Group.objects.get(name="Programme managers"))
    enrol_totp(manager)  # staff need an authenticator before the admin (accounts.mfa)
    client.force_login(manager)
    page = client.get(reverse("demand_admin:overdue-leads")).content.decode()
    assert "李雷" in page and "准时" not in page
    client.force_login(UserFactory(is_staff=True))
    assert client.get(reverse("demand_admin:overdue-leads")).status_code in (302, 403)
    del TestCase
