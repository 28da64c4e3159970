"""Deal registration end to end in a real browser (issue 14): a channel partner registers a deal
and is approved at once; a second partner registers the same customer under its English name and
is held — its page says an existing registration covers the customer, without the first
partner's name; a programme manager settles the conflict in the admin; the first partner sees its
deal approved and the second its registration declined as a duplicate, still without the name.
Then the customer buys the registered listing in the browser (billing's checkout with the test
card in localstripe's Stripe.js stand-in, as the purchase journey does) and the first partner sees
the deal won with its referral commission. axe runs on each page of the journey (no serious or
critical violation)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone, translation
from playwright.sync_api import expect

from accounts.models import Organisation
from accounts.roles import STAFF_GROUPS
from billing.models import Invoice, Subscription
from cosell.models import DealRegistration, ProtectionRule, Status
from partners.models import PartnerKind
from tests.browser.a11y import assert_accessible
from tests.browser.journey import screenshots_on_failure, sign_in
from tests.factories.accounts import OrganisationFactory, UserFactory, buyer
from tests.factories.billing import shop
from tests.factories.partners import provisioned_partner
from tests.unit.accounts.helpers import english, enrol_totp

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

DEALS = "/en/partners/console/deals/"
FIRST_NAMES = ("Alpha Channel", "甲渠道科技", "alpha-channel")


@pytest.fixture
def world(db, settings, stripe_api_base):
    settings.STRIPE_API_BASE = stripe_api_base
    settings.STRIPE_JS_URL = f"{stripe_api_base}/js.stripe.com/v3/"
    settings.STRIPE_MAX_NETWORK_RETRIES = 0
    people = {}
    for key, name, name_en, slug in (
        ("first", "甲渠道科技", "Alpha Channel", "alpha-channel"),
        ("second", "乙渠道服务", "Bravo Channel", "bravo-channel"),
    ):
        owner = english(UserFactory(email=f"owner@{slug}.example.cn"))
        provisioned_partner(
            kind=PartnerKind.CHANNEL,
            owner=owner,
            organisation__name=name,
            organisation__name_en=name_en,
            organisation__slug=slug,
        )
        people[key] = owner
    manager = english(UserFactory(email="manager@symbio.example"))
    manager.groups.add(Group.objects.get(name=STAFF_GROUPS["programme_manager"].name))
    enrol_totp(manager)
    people["manager"] = manager
    store = shop(title="云财务", title_en="Cloud Finance")
    people["listing"], people["plan"] = store.listing, store.monthly
    tencent = OrganisationFactory(
        kind=Organisation.Kind.CUSTOMER,
        name="深圳市腾讯计算机系统有限公司",
        name_en="Tencent",
        website="https://www.tencent.com",
    )
    people["customer"], _ = buyer(organisation=tencent)
    people["customer_org"] = tencent.slug
    ProtectionRule.objects.create(partner_kind=PartnerKind.CHANNEL, referral_rate=Decimal("10"))
    return people


def register(page, base, listing, **fields):
    page.goto(f"{base}{DEALS}new/")
    for name, value in fields.items():
        page.locator(f"#id_{name}").fill(value)
    page.locator("#id_listings").select_option(str(listing.pk))
    page.locator("#id_estimated_value").fill("120000")
    page.locator("#id_expected_close").fill((timezone.localdate() + timedelta(days=60)).isoformat())
    with page.expect_navigation():
        page.get_by_role("button", name="Save and submit").click()


def test_register_hold_resolve_buy_and_the_first_partner_wins(live_server, open_page, world):
    base = live_server.url
    first_page, second_page, manager_page, customer_page = (open_page() for _ in range(4))
    pages = [first_page, second_page, manager_page, customer_page]
    with screenshots_on_failure(pages, "cosell-journey"):
        # 1. The first channel partner registers the customer in Chinese: approved at once.
        page = first_page
        sign_in(page, base, world["first"].email)
        register(
            page,
            base,
            world["listing"],
            customer_name="深圳市腾讯计算机系统有限公司",
            customer_domain="https://www.tencent.com",
            contact_name="王经理",
        )
        expect(page.locator(".eyebrow")).to_contain_text("Approved")
        assert_accessible(page)
        first = DealRegistration.objects.get(partner__organisation__slug="alpha-channel")
        assert first.status == Status.APPROVED

        # 2. The second registers the same customer under its English name: held, told only that
        #    an existing registration covers it.
        page = second_page
        sign_in(page, base, world["second"].email)
        register(
            page,
            base,
            world["listing"],
            customer_name_en="Tencent Holdings Ltd.",
            contact_name="Li Na",
            contact_email="li.na@tencent.com",
        )
        expect(page.locator("#held-message")).to_contain_text("An existing registration covers this customer")
        expect(page.locator(".eyebrow")).to_contain_text("In review")
        for name in FIRST_NAMES:
            assert name not in page.content()
        assert_accessible(page)
        page.goto(f"{base}{DEALS}")
        assert_accessible(page)
        page.goto(f"{base}{DEALS}new/")
        assert_accessible(page)
        second = DealRegistration.objects.get(partner__organisation__slug="bravo-channel")
        assert second.conflict_hold

        # 3. The programme manager sees both sides and rejects the second as a duplicate.
        page = manager_page
        sign_in(page, base, world["manager"].email)
        page.goto(f"{base}/admin/cosell_admin/")
        assert_accessible(page)
        with page.expect_navigation():
            page.get_by_role("link", name="Tencent Holdings Ltd.").click()
        expect(page.locator("main")).to_contain_text("Alpha Channel")
        assert_accessible(page)
        page.locator("#id_resolution").select_option("reject")
        page.locator("#id_reason").fill("Alpha Channel registered this customer first.")
        with page.expect_navigation():
            page.locator("form[action$='/resolve/'] button[type=submit]").click()
        expect(page.locator("body")).to_contain_text("Decision recorded.")

        # 4. The first partner sees its deal approved; the second its registration declined.
        page = first_page
        page.goto(f"{base}{DEALS}{first.public_id}/")
        expect(page.locator(".eyebrow")).to_contain_text("Approved")
        page = second_page
        page.goto(f"{base}{DEALS}{second.public_id}/")
        expect(page.locator(".eyebrow")).to_contain_text("Rejected")
        expect(page.locator("main")).to_contain_text("Duplicate")
        for name in FIRST_NAMES:
            assert name not in page.content()
        second.refresh_from_db()
        assert second.status == Status.REJECTED and second.reject_reason == "duplicate"

        # 5. The customer buys the registered listing in the browser: listing page → checkout →
        #    the test card → paid. The first partner's deal is won, with the purchase and its 10 %
        #    referral commission on the deal page.
        page = customer_page
        sign_in(page, base, world["customer"].email)
        with translation.override("en"):
            listing_url = world["listing"].get_url()
        page.goto(f"{base}{listing_url}")
        expect(page.locator("h1").first).to_contain_text("Cloud Finance")
        assert_accessible(page)
        with page.expect_navigation():
            page.locator("[data-testid=buy-plan]", has_text="Buy Monthly").click()
        assert "/billing/checkout/" in page.url
        page.select_option("select[name=currency]", "CNY")
        card = page.locator("#card-element")
        card.locator("input[placeholder=number]").fill("4242424242424242")
        # localstripe's Stripe.js stand-in renders bare inputs (real Stripe.js an iframe of its own).
        assert_accessible(page, exclude=["#card-element"])
        card.locator("input[placeholder=exp_month]").fill("12")
        card.locator("input[placeholder=exp_year]").fill("34")
        card.locator("input[placeholder=cvc]").fill("123")
        card.locator("input[placeholder=postal_code]").fill("10001")
        # Stripe.js stand-in → localstripe → our purchase: slow on a loaded machine.
        with page.expect_navigation(timeout=60000):
            page.locator("[data-testid=pay]").click(no_wait_after=True)
        assert "/billing/subscriptions/" in page.url, page.content()[-2000:]
        sub = Subscription.objects.get(organisation__slug=world["customer_org"])
        paid = Invoice.objects.get(subscription=sub)
        assert paid.status == Invoice.Status.PAID and paid.total == Decimal("99.00")

        page = first_page
        page.goto(f"{base}{DEALS}{first.public_id}/")
        expect(page.locator(".eyebrow")).to_contain_text("Won")
        attributed = page.locator("section[aria-labelledby=attributed-title]")
        expect(attributed).to_contain_text(paid.number)
        expect(attributed).to_contain_text("99.00")
        expect(attributed).to_contain_text("9.90")
        assert_accessible(page)
        first.refresh_from_db()
        assert first.status == Status.WON and first.attributions.get().invoice_id == paid.pk
