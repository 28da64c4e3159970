"""axe on a phone (390×844) over the screens partners and staff use (issue #18, "Mobile": 0
serious or critical, including the admin): the partner console home, health, leads, the demand
index, the money pages and API keys, the listing editor in the Wagtail admin (as the partner owner
and as a reviewer), the applications queue and one application, the ecosystem health dashboard
and its drill-down, and finance's ledger. Chinese, the default language.
"""

import pytest

from billing.models import FulfilmentDelivery
from tests.browser.a11y import QuietNetwork, serious_violations
from tests.browser.journey import ARTIFACTS, screenshots_on_failure, sign_in
from tests.factories.catalog import complete_listing
from tests.factories.partners import ApplicationFactory
from tests.unit.health.dashboard_fixtures import *  # noqa: F403

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone(browser):
    contexts = []

    def factory():
        context = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
        page = context.new_page()
        page.set_default_timeout(20000)
        contexts.append(context)
        return page

    yield factory
    for context in contexts:
        context.close()


def _audit(page, base, paths) -> dict:
    problems = {}
    network = QuietNetwork(page)
    for path in paths:
        response = page.goto(base + path)
        assert response.status == 200, (path, response.status)
        network.wait()
        found = serious_violations(page)
        if found:
            problems[path] = found
    return problems


def test_partner_and_staff_screens_pass_axe_on_a_phone(
    live_server, phone, health_world, pm, finance, reviewer_user
):
    partner = health_world.a
    listing = complete_listing(partner, publish=True)
    application = ApplicationFactory()
    FulfilmentDelivery.objects.create(
        partner=partner, event="entitlement.created", url="https://isv.example.cn/hook", status="failed"
    )
    base = live_server.url
    owner, staff = phone(), phone()
    with screenshots_on_failure([owner, staff], "a11y-partner-staff"):
        sign_in(owner, base, health_world.a_owner.email)
        problems = _audit(
            owner,
            base,
            [
                "/partners/console/",
                "/partners/console/health/",
                "/demand/console/",
                "/demand/console/leads/",
                "/demand/console/hall/",
                "/billing/partner/",
                "/billing/partner/ledger/",
                "/billing/partner/deliveries/",
                "/billing/partner/fulfilment/",
                "/partners/api/keys/",
                f"/admin/pages/{listing.pk}/edit/",
            ],
        )

        sign_in(staff, base, pm.email)
        problems |= _audit(
            staff,
            base,
            [
                "/admin/partners/applications/",
                f"/admin/partners/applications/{application.public_id}/",
                "/admin/ecosystem_health/",
                f"/admin/ecosystem_health/partners/{partner.pk}/",
            ],
        )
        staff.context.clear_cookies()
        sign_in(staff, base, reviewer_user.email)
        problems |= _audit(staff, base, [f"/admin/pages/{listing.pk}/edit/"])
        staff.context.clear_cookies()
        sign_in(staff, base, finance.email)
        problems |= {f"finance {k}": v for k, v in _audit(staff, base, ["/admin/finance/"]).items()}
        report = "\n".join(f"{path}: {found}" for path, found in problems.items())
        if problems:
            ARTIFACTS.mkdir(exist_ok=True)
            (ARTIFACTS / "a11y-partner-staff.txt").write_text(report, encoding="utf-8")
        assert problems == {}, report
