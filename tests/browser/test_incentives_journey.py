"""Market development funds end to end in a real browser (issue 15): a Gold channel partner
sees its allocation, requests funds for an event, the programme manager pre-approves it, the
partner claims with an invoice and a photo, the programme manager approves the claim, finance
pays, and the balance on the console equals the sum of the partner's ledger entries.

The activity is dated today (the working-days lead time is set to 0 for the test) so the claim
can follow at once."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.db.models import Sum
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Role
from accounts.roles import STAFF_GROUPS
from incentives.models import FundRequest, IncentiveLedgerEntry, RequestState
from incentives.services import allocation
from partners.models import PartnerKind
from tests.browser.journey import screenshots_on_failure, sign_in
from tests.factories.accounts import MembershipFactory, UserFactory
from tests.factories.partners import PartnerFactory, TierFactory
from tests.unit.accounts.helpers import english

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _photo() -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (320, 240), (30, 90, 160))
    ImageDraw.Draw(image).ellipse([40, 40, 200, 180], fill=(240, 200, 40))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG")
    return buffer.getvalue()


@pytest.fixture
def world(db, settings):
    settings.INCENTIVES_MIN_WORKING_DAYS_AHEAD = 0
    settings.INCENTIVES_AUDIT_RATE = Decimal("0")
    gold = TierFactory(kind=PartnerKind.CHANNEL, rank=2, slug="gold", name="金牌", name_en="Gold")
    partner = PartnerFactory(kind=PartnerKind.CHANNEL, tier=gold, organisation__name_en="Gold Channel Co")
    owner = UserFactory(email="owner@gold-channel.example.cn")
    MembershipFactory(user=owner, organisation=partner.organisation, role=Role.OWNER)
    people = {"owner": owner}
    for key, group in (("manager", "programme_manager"), ("finance", "finance")):
        user = UserFactory(email=f"{key}@symbio.example")
        user.groups.add(Group.objects.get(name=STAFF_GROUPS[group].name))
        english(user)
        people[key] = user
    year = timezone.localdate().year
    pool = allocation.create_pool(
        name="MDF journey pool",
        period_start=date(year, 1, 1),
        period_end=date(year, 12, 31),
        amount=Decimal("50000.00"),
        currency="CNY",
    )
    allocation.preview_allocation(pool=pool, user=people["manager"])
    pool = allocation.publish_pool(pool=pool, user=people["manager"])
    return {"partner": partner, "pool": pool, **people}


def click(page, role, name):
    with page.expect_navigation():
        page.get_by_role(role, name=name).click()


def test_request_approve_claim_pay_and_the_balance_agrees(live_server, open_page, world):
    base = live_server.url
    partner_page, manager_page, finance_page = open_page(), open_page(), open_page()
    today = timezone.localdate().isoformat()
    with screenshots_on_failure([partner_page, manager_page, finance_page], "incentives-journey"):
        # 1. The partner sees its allocation and asks for funds for an event.
        page = partner_page
        sign_in(page, base, world["owner"].email)
        page.goto(f"{base}/en/incentives/console/")
        expect(page.get_by_test_id("allocation")).to_have_text("¥50,000.00")
        click(page, "link", "Request funds for an activity")
        page.get_by_label("Activity type").select_option(label="Event")
        page.get_by_label("Title").fill("Gold partner roadshow")
        page.get_by_label("Plan").fill("Half-day roadshow in Hangzhou.")
        page.get_by_label("Expected results").fill("80 attendees, 12 leads.")
        page.get_by_label("Activity start").fill(today)
        page.get_by_label("Activity end").fill(today)
        page.get_by_label("Budget").fill("20000")
        click(page, "button", "Submit for pre-approval")
        expect(page.get_by_test_id("state")).to_have_text("Submitted")
        request = FundRequest.objects.get(title="Gold partner roadshow")

        # 2. The programme manager pre-approves 18,000 of it.
        page = manager_page
        sign_in(page, base, world["manager"].email)
        page.goto(f"{base}/admin/incentives/requests/")
        click(page, "link", "Gold partner roadshow")
        page.get_by_label("Approved amount").fill("18000")
        click(page, "button", "Pre-approve")
        request.refresh_from_db()
        assert request.state == RequestState.PRE_APPROVED

        # 3. The partner claims 15,000 with an invoice and a photo.
        page = partner_page
        page.goto(f"{base}/en/incentives/console/requests/{request.public_id}/")
        page.get_by_label("Amount claimed").fill("15000")
        page.get_by_label("Results achieved").fill("86 attendees, 14 leads.")
        page.get_by_label("Invoice (PDF or image)").set_input_files(
            files=[{"name": "invoice.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n1\n%%EOF\n"}]
        )
        page.get_by_label("Invoice code").fill("033002600111")
        page.get_by_label("Invoice number").fill("20261204")
        page.get_by_label("Photos of the activity (JPEG or PNG)").set_input_files(
            files=[{"name": "roadshow.jpg", "mimeType": "image/jpeg", "buffer": _photo()}]
        )
        click(page, "button", "Submit claim")
        expect(page.get_by_test_id("state")).to_have_text("Claim submitted")

        # 4. The programme manager approves the claim; finance pays it.
        page = manager_page
        page.goto(f"{base}/admin/incentives/requests/{request.public_id}/")
        expect(page.get_by_text("No flag raised.")).to_be_visible()
        click(page, "button", "Approve claim")
        page = finance_page
        sign_in(page, base, world["finance"].email)
        page.goto(f"{base}/admin/incentives/requests/{request.public_id}/")
        click(page, "button", "Approve payment")
        request.refresh_from_db()
        assert request.state == RequestState.PAID

        # 5. The balance on the console is the sum of the ledger entries.
        page = partner_page
        page.goto(f"{base}/en/incentives/console/")
        expect(page.get_by_test_id("balance")).to_have_text("¥35,000.00")
        total = IncentiveLedgerEntry.objects.filter(partner=world["partner"], pool=world["pool"]).aggregate(
            s=Sum("amount")
        )["s"]
        assert total == Decimal("35000.00")
