"""The customer journey on a phone (390×844) and on a desktop, checked with axe-core (issue #18,
"Mobile"): home, search, a category page and a listing page have no serious or critical
accessibility violations; on the phone the first result comes before the filters, which open in
a drawer; every search button has an accessible name.

axe-core runs through the journeys' one helper (``tests/browser/a11y.py``, vendored axe-core).
"""

import re

import pytest

from catalog.models import Category
from tests.browser.a11y import serious_violations
from tests.factories.search import priced_plan, publish_listing, search_partner

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}


@pytest.fixture
def catalogue(db):
    category = Category.objects.create(slug="finance-m", name="财务", name_en="Finance")
    partner = search_partner(name="云帆软件", name_en="Yunfan Software")
    listings = []
    for n in range(8):
        listings.append(
            publish_listing(
                partner,
                title=f"云帆财务{n}号",
                title_en=f"Yunfan Finance {n}",
                tagline="总账与报表",
                tagline_en="General ledger and reports",
                body="多账簿总账、凭证与财务报表，适合集团企业。",
                body_en="Multi-book general ledger, vouchers and consolidated reporting for groups.",
                plans=[priced_plan(cny=str(99 + n * 100), usd=str(14 + n * 10))],
                categories=[category],
            )
        )
    return category, listings


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_customer_pages_pass_axe_on_phone_and_desktop(catalogue, live_server, browser, viewport):
    category, listings = catalogue
    context = browser.new_context(viewport=VIEWPORTS[viewport], locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15000)
    try:
        urls = [
            "/",
            "/search/?q=%E8%B4%A2%E5%8A%A1",
            "/en/search/?q=ledger",
            f"/categories/{category.slug}/",
            listings[0].url,
        ]
        problems = {}
        for url in urls:
            response = page.goto(f"{live_server.url}{url}")
            assert response.status == 200, url
            found = serious_violations(page)
            if found:
                problems[url] = found
        assert problems == {}

        # Every search button is named, whatever the screen width hides.
        page.goto(f"{live_server.url}/search/?q=%E8%B4%A2%E5%8A%A1")
        for button in page.locator("button[type=submit][form=search-form], .search-hero button").all():
            assert button.evaluate("b => b.innerText.trim() || b.getAttribute('aria-label') || ''") or (
                button.locator(".btn-label, .visually-hidden").count()
            )
        first_hit = page.locator("[data-search-hit]").first
        first_hit.wait_for()
        if viewport == "phone":
            filters = page.locator("#search-filters")
            assert not filters.is_visible() or filters.bounding_box()["x"] < 0
            toggle = page.locator("[data-filters-toggle]")
            assert toggle.is_visible()
            assert first_hit.bounding_box()["y"] < 900  # results first, not below the filter list
            toggle.click()
            assert toggle.get_attribute("aria-expanded") == "true"
            filters.locator("input").first.wait_for(state="visible")
            assert not serious_violations(page)
            page.keyboard.press("Escape")
            assert toggle.get_attribute("aria-expanded") == "false"
        else:
            assert page.locator("#search-filters").is_visible()
            assert not page.locator("[data-filters-toggle]").is_visible()
        # The snippet of a body match sits inside its card.
        page.goto(f"{live_server.url}/en/search/?q=consolidated")
        snippet = page.locator(".search-hit__snippet").first
        snippet.wait_for()
        assert snippet.evaluate("s => !!s.closest('article.listing-card')")
        assert re.search(r"From \$\d+", page.locator("[data-search-hit]").first.inner_text())
    finally:
        context.close()
