"""The partner home (issue #18, item 1): /account/ leads partner members to the console, the
console's to-do list comes from the same facts its sections show, and its sections are one
navigation."""

from datetime import timedelta

import pytest
from django.utils import timezone

from demand.models import Lead, LeadState
from partners.console_todos import todos_for
from partners.services import webhooks
from tests.factories.billing import failed_fulfilment_delivery
from tests.factories.programme import CertificationFactory, CertifiedPersonFactory

pytestmark = pytest.mark.django_db

CONSOLE = "/en/partners/console/"


def keys(partner):
    return [t.key for t in todos_for(partner=partner)]


@pytest.fixture
def expired_person(partner_a):
    cert = CertificationFactory(slug="platform", name="平台认证", name_en="Platform Certified")
    today = timezone.localdate()
    return CertifiedPersonFactory(
        partner=partner_a,
        certification=cert,
        name="Alice Anders",
        issued_on=today - timedelta(days=800),
        expires_on=today - timedelta(days=3),
    )


def failed_delivery(partner):
    return failed_fulfilment_delivery(partner, url="https://isv.example.cn/hook")


def test_a_partner_with_nothing_pending_is_told_so(client, partner_a, partner_a_member):
    client.force_login(partner_a_member)
    html = client.get(CONSOLE).content.decode()

    assert keys(partner_a) == []
    assert 'data-testid="console-nothing-to-do"' in html


def test_the_to_do_list_names_every_problem_the_pages_show(
    client, partner_a, partner_b, partner_a_member, expired_person
):
    failed_delivery(partner_a)
    Lead.objects.create(
        partner=partner_a,
        contact_name="王芳",
        email="wang@customer.example.cn",
        message="想了解报价",
        verified_at=timezone.now(),
    )
    Lead.objects.create(  # not verified yet: the inbox does not show it, nor does the list
        partner=partner_a, contact_name="Guest", email="guest@example.cn", message="?"
    )
    failed_delivery(partner_b)  # another partner's problem is not ours

    client.force_login(partner_a_member)
    html = client.get(CONSOLE).content.decode()

    assert keys(partner_a) == ["certifications.expired", "billing.fulfilment_failed", "demand.leads_waiting"]
    assert 'data-testid="console-nothing-to-do"' not in html
    assert "1 certification has expired" in html
    assert "1 fulfilment notification failed" in html and "/billing/partner/deliveries/?status=failed" in html
    assert "1 new lead is waiting for your answer." in html
    # The certification table marks the same person expired.
    assert "Alice Anders" in html and "Expired</span>" in html


def test_a_re_sent_delivery_is_no_longer_a_to_do(partner_a):
    original = failed_delivery(partner_a)
    assert keys(partner_a) == ["billing.fulfilment_failed"]
    webhooks.resend(delivery=original)  # pending again on the webhook schedule
    assert keys(partner_a) == []


def test_an_answered_lead_is_no_longer_waiting(partner_a):
    lead = Lead.objects.create(
        partner=partner_a,
        contact_name="王芳",
        email="w@c.example.cn",
        message="?",
        verified_at=timezone.now(),
    )
    assert keys(partner_a) == ["demand.leads_waiting"]
    Lead.objects.filter(pk=lead.pk).update(state=LeadState.CONTACTED)
    assert keys(partner_a) == []


def test_the_console_sections_are_one_navigation(client, partner_a, partner_a_member):
    client.force_login(partner_a_member)
    html = client.get(CONSOLE).content.decode()

    nav = html[
        html.index('<nav class="manage-nav console-nav"') : html.index("</nav>", html.index("console-nav"))
    ]
    assert 'aria-label="Partner console"' in nav
    assert f'href="{CONSOLE}" aria-current="page"' in nav
    for section in (
        "/partners/console/health/",
        "/demand/console/leads/",
        "/billing/partner/",
        "/admin/my-listings/",
    ):
        assert section in nav, section


def test_my_account_leads_partner_members_to_their_console(client, partner_a, partner_a_member, customer):
    client.force_login(partner_a_member)
    html = client.get("/en/account/").content.decode()
    assert 'data-testid="account-partner-console-link"' in html and f'href="{CONSOLE}"' in html

    client.force_login(customer)
    html = client.get("/en/account/").content.decode()
    assert 'data-testid="account-partner-home"' not in html
