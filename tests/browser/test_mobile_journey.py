"""The customer journey on a phone (390×844) and on a desktop, checked with axe-core (issue #18,
"Mobile"): home, search, a category page and a listing page have no serious or critical
accessibility violations; on the phone the first result comes before the filters, which open in
a drawer; every search button has an accessible name.

axe-core comes from npm (``npm install axe-core``); point ``AXE_JS`` at its ``axe.min.js``
(``node_modules/axe-core/axe.min.js`` by default), as ``/work/shared/tools/crawl.py`` does.
"""

import os
import re
from pathlib import Path

import pytest

from catalog.models import Category
from tests.unit.search.search_factories import make_partner, plan, publish_listing

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

AXE_JS = Path(os.environ.get("AXE_JS", "node_modules/axe-core/axe.min.js"))
VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}


@pytest.fixture
def axe_source():
    if not AXE_JS.exists():
        pytest.skip(f"axe-core is missing at {AXE_JS}: `npm install axe-core` and set AXE_JS")
    return AXE_JS.read_text()


@pytest.fixture
def catalogue(db):
    category = Category.objects.create(slug="finance-m", name="财务", name_en="Finance")
    partner = make_partner(name="云帆软件", name_en="Yunfan Software")
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
                plans=[plan(cny=str(99 + n * 100), usd=str(14 + n * 10))],
                categories=[category],
            )
        )
    return category, listings


def serious_violations(page, source) -> list[str]:
    page.add_script_tag(content=source)
    found = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".filter(v => v.impact === 'serious' || v.impact === 'critical')"
        ".map(v => v.id + ': ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '))"
    )
    return found


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_customer_pages_pass_axe_on_phone_and_desktop(catalogue, live_server, browser, axe_source, viewport):
    category, listings = catalogue
    # bypass_csp: axe is injected as an inline script, which the site's CSP (rightly) refuses.
    context = browser.new_context(viewport=VIEWPORTS[viewport], locale="zh-CN", bypass_csp=True)
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
            found = serious_violations(page, axe_source)
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
            assert not serious_violations(page, axe_source)
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
