"""A listing's whole journey in a real browser (the catalogue issue's "Done when"):

the partner owner creates a listing with two plans and a screenshot in the Wagtail admin → the
automatic pre-checks return it for a missing privacy URL → fixed and resubmitted → a reviewer
requests changes → the partner fixes them → the reviewer approves → the listing is live, on its
category page and in compare → a customer with a past trial reviews it → the partner replies →
the rating shows on the listing.
"""

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone, translation
from wagtail.images import get_image_model
from wagtail.images.tests.utils import get_test_image_file

from accounts.models import Role
from accounts.roles import STAFF_GROUPS
from catalog.models import Category, ListingPage, ListingUsage, UsageKind
from marketplace.models import Review, ReviewReply
from tests.browser.journey import sign_in
from tests.factories.accounts import MembershipFactory, OrganisationFactory, UserFactory
from tests.factories.partners import provisioned_partner
from tests.unit.accounts.helpers import enrol_totp

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

DESCRIPTION = (
    "云帆 CRM 帮助中小企业管理线索、商机、报价与合同，销售团队在手机上就能跟进客户。"
    "内置报表让管理层随时掌握销售漏斗，并与财务系统打通开票与回款流程，上线只需两周。"
)
CHANGES_REQUESTED = "Please describe the support hours in the tagline."


def log_in(browser, live_server, email):
    """A browser context of its own for ``email``, signed in (the login form is not what this
    journey tests: see tests/browser/journey.py::sign_in)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(20000)
    sign_in(page, live_server.url, email)
    return page


def choose_image(page, field_id):
    page.locator(f"#{field_id}-chooser [data-chooser-action-choose]").click()
    page.locator(".modal-dialog a[data-chooser-modal-choice]").first.click()
    page.wait_for_selector(f"#{field_id}-chooser:not(.blank)")


def open_tab(page, panel_id):
    page.locator(f'[role=tab][aria-controls="{panel_id}"]').click()


def click_hidden(page, selector):
    """Footer actions sit in a dropdown; click them the way the menu would."""
    with page.expect_navigation():
        page.evaluate("selector => document.querySelector(selector).click()", selector)


def messages(page):
    return page.locator(".messages").inner_text()


@pytest.fixture
def world(db):
    category = Category.objects.create(slug="crm-journey", name="客户关系", name_en="CRM journey")
    owner = UserFactory(email="owner@yunfan.example.cn")
    partner = provisioned_partner(
        owner=owner,
        organisation__name="云帆软件",
        organisation__name_en="Yunfan Software",
        organisation__slug="yunfan",
    )
    for title in ("yunfan-logo", "yunfan-screen"):
        get_image_model().objects.create(
            title=title,
            file=get_test_image_file(filename=f"{title}.png"),
            collection=partner.workspace.collection,
        )
    reviewer = UserFactory(email="reviewer@symbio.example.cn")
    reviewer.groups.add(Group.objects.get(name=STAFF_GROUPS["reviewer"].name))
    enrol_totp(reviewer)  # staff need two-factor before the admin
    customer = UserFactory(email="buyer@customer.example.cn")
    organisation = OrganisationFactory(name="星河零售", name_en="Galaxy Retail", slug="galaxy-retail")
    MembershipFactory(user=customer, organisation=organisation, role=Role.OWNER)
    return {
        "category": category,
        "partner": partner,
        "owner": owner,
        "reviewer": reviewer,
        "customer": customer,
        "organisation": organisation,
    }


def test_listing_from_draft_to_review_to_live_to_customer_review(browser, live_server, world):
    parent_id = world["partner"].page.pk

    # 1. The partner owner drafts the listing in the Wagtail admin and submits it without a privacy URL.
    partner_page = log_in(browser, live_server, world["owner"].email)
    partner_page.goto(f"{live_server.url}/admin/pages/add/catalog/listingpage/{parent_id}/")
    partner_page.fill("#id_title", "云帆 CRM")
    partner_page.fill("#id_title_en", "Yunfan CRM")
    partner_page.fill("#id_tagline", "销售全流程管理")
    partner_page.fill("#id_tagline_en", "Sales from lead to cash")
    choose_image(partner_page, "id_logo")
    partner_page.locator("#description-root .c-sf-add-button").first.click()
    partner_page.get_by_role("option", name=re.compile("Paragraph|段落")).first.click()
    editor = partner_page.locator("#description-root .public-DraftEditor-content").first
    editor.click()
    editor.type(DESCRIPTION)
    partner_page.click("#id_screenshots-ADD")
    choose_image(partner_page, "id_screenshots-0-image")
    partner_page.fill("#id_screenshots-0-caption_en", "Sales dashboard")
    for i, (name, model, cny, usd) in enumerate(
        (("标准版", "flat_monthly", "99", "14"), ("专业版", "per_seat", "30", ""))
    ):
        partner_page.click("#id_plans-ADD")
        partner_page.fill(f"#id_plans-{i}-name", name)
        partner_page.select_option(f"#id_plans-{i}-pricing_model", model)
        partner_page.fill(f"#id_plans-{i}-price_cny", cny)
        if usd:
            partner_page.fill(f"#id_plans-{i}-price_usd", usd)
        if model == "per_seat":
            partner_page.fill(f"#id_plans-{i}-unit_en", "user / month")
    open_tab(partner_page, partner_page.locator("[role=tab]").nth(1).get_attribute("aria-controls"))
    partner_page.check(f"input[name=categories][value='{world['category'].pk}']")
    open_tab(partner_page, partner_page.locator("[role=tab]").nth(2).get_attribute("aria-controls"))
    partner_page.fill("#id_support_email", "support@yunfan.example.cn")
    partner_page.fill("#id_terms_url", "https://yunfan.example.cn/terms")
    open_tab(partner_page, partner_page.locator("[role=tab]").nth(3).get_attribute("aria-controls"))
    partner_page.fill("#id_slug", "yunfan-crm")
    click_hidden(partner_page, "button[name=action-submit]")

    listing = ListingPage.objects.get(slug="yunfan-crm")
    assert not listing.live
    assert listing.plans.count() == 2 and listing.screenshots.count() == 1
    assert "Privacy policy" in messages(partner_page) or "隐私" in messages(partner_page)

    # 2. Fixed and resubmitted: the pre-checks pass it to the reviewers.
    edit_url = f"{live_server.url}/admin/pages/{listing.pk}/edit/"
    partner_page.goto(edit_url)
    open_tab(partner_page, partner_page.locator("[role=tab]").nth(2).get_attribute("aria-controls"))
    partner_page.fill("#id_privacy_url", "https://yunfan.example.cn/privacy")
    click_hidden(partner_page, "button[name=action-submit]")
    assert not ListingPage.objects.get(pk=listing.pk).live

    # 3. The reviewer requests changes with a comment.
    reviewer_page = log_in(browser, live_server, world["reviewer"].email)
    reviewer_page.goto(edit_url)
    reviewer_page.evaluate("document.querySelector('[data-workflow-action-name=reject]').click()")
    reviewer_page.fill(".modal-dialog textarea[name=comment]", CHANGES_REQUESTED)
    with reviewer_page.expect_navigation():
        reviewer_page.locator(".modal-dialog form [type=submit]").click()
    assert not ListingPage.objects.get(pk=listing.pk).live

    # 4. The partner sees the comment, fixes the listing and resubmits.
    partner_page.goto(edit_url)
    assert CHANGES_REQUESTED in partner_page.content()
    partner_page.fill("#id_tagline_en", "Sales from lead to cash · support 9:00–18:00")
    click_hidden(partner_page, "button[name=action-submit]")

    # 5. The reviewer approves: the listing goes live.
    reviewer_page.goto(edit_url)
    click_hidden(reviewer_page, "[data-workflow-action-name=approve]")
    listing = ListingPage.objects.get(pk=listing.pk)
    assert listing.live
    assert listing.tagline_en.endswith("support 9:00–18:00")

    # 6. Live: on its category page, into the compare tray and the compare table.
    customer_page = log_in(browser, live_server, world["customer"].email)
    customer_page.goto(f"{live_server.url}/en/categories/crm-journey/")
    card = customer_page.locator(f"article[data-listing='{listing.pk}']")
    assert "Yunfan CRM" in card.inner_text()
    assert "From $14" in card.inner_text()
    card.locator(".compare-toggle button").click()
    customer_page.wait_for_selector(
        f"article[data-listing='{listing.pk}'] .compare-toggle button[aria-pressed=true]"
    )
    assert "Yunfan CRM" in customer_page.locator("#compare-tray").inner_text()
    customer_page.locator("#compare-tray a.btn--primary").click()
    customer_page.wait_for_url(re.compile(r"/en/compare/"))
    assert customer_page.locator(f"th[data-listing='{listing.pk}']").count() == 1
    assert "Per seat" in customer_page.locator("table.compare-table").inner_text()

    # 7. A customer whose trial ended reviews it.
    today = timezone.localdate()
    ListingUsage.objects.create(
        listing=listing,
        organisation=world["organisation"],
        kind=UsageKind.TRIAL,
        started_on=today - timedelta(days=40),
        ended_on=today - timedelta(days=26),
    )
    with translation.override("en"):
        listing_url = f"{live_server.url}{ListingPage.objects.get(pk=listing.pk).url}"
    customer_page.goto(listing_url)
    customer_page.locator("label[for=review_rating_0]").click()  # five stars
    customer_page.fill("#review_title", "Our sales team lives in it")
    customer_page.fill(
        "#review_body", "We tried it for a month: pipeline reports and mobile follow-ups just work."
    )
    with customer_page.expect_navigation():
        customer_page.locator("#review-form button[type=submit]").click()
    own = customer_page.locator(".review--own")
    assert "Our sales team lives in it" in own.inner_text()
    assert "Verified trial user · used for 14 days" in own.inner_text()
    review = Review.objects.get(listing=listing)
    assert review.organisation == world["organisation"] and review.rating == 5

    # 8. The partner replies publicly (htmx swaps the review in place).
    partner_page.goto(listing_url)
    item = partner_page.locator(f"#review-{review.public_id}")
    item.locator("summary", has_text="Reply publicly").click()
    item.locator("textarea[name=body]").fill("Thank you! Our team is here 9:00–18:00.")
    item.locator("button[type=submit]", has_text="Publish reply").click()
    partner_page.wait_for_selector(f"#review-{review.public_id} .review__reply")
    assert "Thank you! Our team is here" in partner_page.locator(f"#review-{review.public_id}").inner_text()
    assert ReviewReply.objects.filter(review=review).count() == 1

    # 9. The rating shows on the listing, for anyone.
    visitor = browser.new_context(locale="en-GB").new_page()
    visitor.goto(listing_url)
    summary = visitor.locator(".rating-summary").inner_text()
    assert "5.0" in summary and "1 review" in summary
    assert "Thank you! Our team is here" in visitor.locator("#reviews").inner_text()
    assert ListingPage.objects.get(pk=listing.pk).rating_count == 1
