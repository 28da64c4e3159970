"""The partner home and the programme page in a real browser, with axe (issue #18, points 1 and 9):

a visitor reads the programme at /partners/apply/ (Chinese and English) and finds the sign-up;
a partner member goes from "My account" to the console, whose to-do list names the failed
fulfilment delivery the money pages show, and whose sections are one navigation. axe-core finds
no serious or critical violation on these pages, in both languages.
"""

import pytest
from playwright.sync_api import expect

from tests.browser.a11y import serious_violations
from tests.browser.journey import log_in, screenshots_on_failure
from tests.factories.accounts import UserFactory
from tests.factories.billing import failed_fulfilment_delivery
from tests.factories.partners import provisioned_partner

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def member(db):
    owner = UserFactory(email="owner@yunfan.example.cn", display_name="云帆负责人")
    member = UserFactory(email="member@yunfan.example.cn", display_name="周敏")
    partner = provisioned_partner(
        owner=owner,
        members=[member],
        organisation__name="云帆服务",
        organisation__name_en="Yunfan Services",
        organisation__slug="yunfan",
    )
    failed_fulfilment_delivery(partner, url="https://isv.example.cn/hook")
    return member


def test_visitor_reads_the_programme_and_member_reaches_the_console(live_server, open_page, member):
    page = open_page()
    with screenshots_on_failure([page], "partner-home"):
        for path, heading in (("/partners/apply/", "伙伴计划"), ("/en/partners/apply/", "Partner programme")):
            page.goto(live_server.url + path)
            expect(page.get_by_text(heading).first).to_be_visible()
            expect(page.locator('[data-testid="partner-signup"]')).to_be_visible()
            assert serious_violations(page) == [], path

        log_in(page, live_server.url, member.email)
        page.goto(f"{live_server.url}/en/account/")
        page.locator('[data-testid="account-partner-console-link"]').click()
        page.wait_for_url("**/en/partners/console/")
        nav = page.get_by_role("navigation", name="Partner console")
        expect(nav.get_by_role("link", name="Overview")).to_have_attribute("aria-current", "page")
        todo = page.locator('[data-todo="billing.fulfilment_failed"]')
        expect(todo).to_contain_text("1 fulfilment notification failed")
        expect(page.locator('[data-testid="console-nothing-to-do"]')).to_have_count(0)
        assert serious_violations(page) == [], "console (en)"

        page.goto(f"{live_server.url}/partners/console/")
        expect(page.locator('[data-todo="billing.fulfilment_failed"]')).to_be_visible()
        assert serious_violations(page) == [], "console (zh)"

        todo = page.locator('[data-todo="billing.fulfilment_failed"] a')
        todo.click()
        page.wait_for_url("**/billing/partner/deliveries/?status=failed")
