"""Searching the catalogue in a real browser, in both languages (the search issue's "Done when"):
autocomplete answers as you type in the header box, a Chinese query finds Chinese listings,
facets narrow the results with counts that match, and a misspelt English name still finds its
listing with a "did you mean".
"""

import re

import pytest
from django.utils import translation

from catalog.models import SearchDocument
from tests.factories.search import publish_listing, search_partner

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def catalogue(db):
    partner = search_partner(name="云帆软件", name_en="Yunfan Software")
    listings = [
        publish_listing(
            partner,
            title="云帆客户管理",
            title_en="Yunfan CRM",
            tagline="销售线索与客户管理",
            tagline_en="Leads and customer management",
            body="帮助销售团队管理客户、线索与商机。",
            body_en="Helps sales teams manage customers, leads and deals.",
            listing_type="saas",
        ),
        publish_listing(
            partner,
            title="客户通连接器",
            title_en="Customer Link Connector",
            tagline="把客户数据同步到财务系统",
            tagline_en="Syncs customer data into finance",
            body="连接客户管理与财务，自动同步客户档案。",
            body_en="Connects customer management with finance and syncs customer records.",
            listing_type="integration",
        ),
        publish_listing(
            partner,
            title="账本专业版",
            title_en="Ledger Pro",
            tagline="总账与报表",
            tagline_en="General ledger and reports",
            body="多账簿总账、凭证与财务报表。",
            body_en="Multi-book general ledger, vouchers and financial reports.",
            listing_type="saas",
        ),
    ]
    assert SearchDocument.objects.count() == 3  # indexed on publish (tasks run eagerly)
    return listings


@pytest.fixture
def wide_page(browser):
    """Wide enough for the header search box (narrower windows show a link to /search/)."""
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


def _results_status(page) -> str:
    return page.locator("#search-results [role=status]").inner_text()


def test_search_in_chinese_with_autocomplete_and_facets(catalogue, live_server, wide_page):
    page = wide_page
    page.goto(f"{live_server.url}/")
    box = page.locator("#site-search")
    box.press_sequentially("客户", delay=80)
    options = page.locator("[role=listbox] [role=option]")
    options.first.wait_for()
    suggested = " ".join(options.all_inner_texts())
    assert "云帆客户管理" in suggested or "客户通连接器" in suggested
    # the kind label, translated through Django's catalogue
    assert page.locator(".ac-option__kind").first.text_content() == "应用"

    box.press("Escape")
    with page.expect_navigation():
        box.press("Enter")
    assert "/search/" in page.url and "/en/" not in page.url
    assert re.search(r"\b2\b", _results_status(page))
    hits = page.locator("[data-search-hit]").all_inner_texts()
    assert any("云帆客户管理" in hit for hit in hits) and any("客户通连接器" in hit for hit in hits)
    assert not any("账本专业版" in hit for hit in hits)

    integration = page.locator("label:has(input[name=type][value=integration]) .count")
    saas = page.locator("label:has(input[name=type][value=saas]) .count")
    assert integration.inner_text().strip() == "1"
    assert saas.inner_text().strip() == "1"

    page.locator("input[name=type][value=integration]").check()
    page.wait_for_url(re.compile(r"type=integration"))
    page.locator("[data-search-hit]").first.wait_for()
    hits = page.locator("[data-search-hit]").all_inner_texts()
    assert len(hits) == 1 and "客户通连接器" in hits[0]


def test_search_in_english_finds_a_misspelt_name(catalogue, live_server, wide_page):
    page = wide_page
    page.goto(f"{live_server.url}/en/")
    box = page.locator("#site-search")
    box.press_sequentially("Ledg", delay=80)
    options = page.locator("[role=listbox] [role=option]")
    options.first.wait_for()
    assert "Ledger Pro" in " ".join(options.all_inner_texts())
    assert page.locator(".ac-option__kind").first.text_content() == "App"

    page.goto(f"{live_server.url}/en/search/?q=ledgr+pro")
    hits = page.locator("[data-search-hit]").all_inner_texts()
    assert hits and "Ledger Pro" in hits[0]
    with translation.override("en"):
        assert page.locator("html").get_attribute("lang") == "en"
