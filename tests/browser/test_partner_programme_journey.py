"""The partner programme end to end in a real browser (issue 3, "Done when"):

an applicant applies with a PDF → a reviewer approves in the Wagtail admin queue → the new
partner owner invites a colleague and imports certifications from a CSV on the partner
console, and sees the progress towards the next tier → a programme manager runs the tier
evaluation from the admin and approves the promotion → the directory shows the new tier.

Everyone works in English (``/en/`` URLs, admin language English) so selectors can use the
labels people read. Each person has their own browser context (own cookies). When the test
fails, every open page is saved as a screenshot in ``test-artifacts/`` (gitignored).
"""

import re
from contextlib import contextmanager, suppress
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from playwright.sync_api import expect

from accounts.models import Membership, Role
from accounts.roles import STAFF_GROUPS
from partners.models import Certification, Industry, Partner, PartnerKind, Region
from partners.selectors.programme import default_as_of, shift_months
from partners.services.facts import FactRow, report_facts
from tests.browser.journey import sign_in
from tests.factories.accounts import PASSWORD, UserFactory
from tests.unit.accounts.helpers import english, enrol_totp, pass_two_factor

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
COMPANY = "星河云服务有限公司"
COMPANY_EN = "Galaxy Cloud Services"
APPLICANT_EMAIL = "lin.hao@galaxy-cloud.example.cn"
COLLEAGUE_EMAIL = "zhou.min@galaxy-cloud.example.cn"
# A minimal but real PDF: the application form checks the content, not only the name.
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def certifications_csv() -> bytes:
    """Two people, certified a few months ago (by slug and by English name)."""
    today = date.today()
    return (
        "name,email,certification,issued_on\n"
        f"林浩,{APPLICANT_EMAIL},cloud-implementation-consultant,{today - timedelta(days=90)}\n"
        f"周敏,{COLLEAGUE_EMAIL},Cloud implementation consultant,{today - timedelta(days=30)}\n"
    ).encode()


@pytest.fixture
def people(db):
    Region.objects.create(code="east-china", name="华东", name_en="East China")
    Industry.objects.create(slug="retail", name="零售", name_en="Retail")
    Certification.objects.create(
        slug="cloud-implementation-consultant",
        name="云实施顾问",
        name_en="Cloud implementation consultant",
        partner_kinds=[PartnerKind.SERVICE],
    )
    applicant = UserFactory(email=APPLICANT_EMAIL, display_name="林浩")  # verified, no organisation yet
    enrol_totp(applicant)  # becomes a partner owner: two-factor before the console
    reviewer = UserFactory(email="reviewer@symbio.example", display_name="Rita Reviewer")
    manager = UserFactory(email="pm@symbio.example", display_name="Paul Manager")
    for user, group in ((reviewer, "reviewer"), (manager, "programme_manager")):
        user.groups.add(Group.objects.get(name=STAFF_GROUPS[group].name))
        enrol_totp(user)  # staff need two-factor before the admin
        english(user)  # the admin's own language setting
    return {"applicant": applicant, "reviewer": reviewer, "manager": manager}


@pytest.fixture
def open_page(browser, request):
    """``open_page()`` → a page in a fresh English browser context; screenshots on failure."""
    pages = []

    def factory():
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
        page = context.new_page()
        page.set_default_timeout(15000)
        pages.append(page)
        return page

    yield factory
    for page in pages:
        page.context.close()


@contextmanager
def screenshots_on_failure(pages, name):
    try:
        yield
    except BaseException:
        ARTIFACTS.mkdir(exist_ok=True)
        for n, page in enumerate(pages):
            with suppress(Exception):  # a broken page must not hide the real failure
                page.screenshot(path=str(ARTIFACTS / f"{name}-{n}.png"), full_page=True)
        raise


def log_in(page, base, email):
    page.goto(f"{base}/en/accounts/login/")
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    with page.expect_navigation():
        page.locator("form:has(input[name=password]) [type=submit]").first.click()
    pass_two_factor(page)
    assert "/accounts/login/" not in page.url, f"{email} could not log in"


def submit(page, button_name):
    with page.expect_navigation():
        page.get_by_role("button", name=button_name).click()


def test_apply_approve_invite_certify_evaluate_promote(live_server, open_page, people):
    base = live_server.url
    applicant_page, reviewer_page, manager_page = open_page(), open_page(), open_page()
    pages = [applicant_page, reviewer_page, manager_page]

    with screenshots_on_failure(pages, "partner-programme-journey"):
        # 1. The applicant applies, with a PDF.
        page = applicant_page
        log_in(page, base, APPLICANT_EMAIL)
        page.goto(f"{base}/en/partners/apply/")
        expect(page.get_by_role("heading", name="Apply to the partner programme")).to_be_visible()
        page.get_by_label("Company name (Chinese)").fill(COMPANY)
        page.get_by_label("Company name (English)").fill(COMPANY_EN)
        page.get_by_label("Partner kind").select_option(label="Service partner")
        page.get_by_label("Website").fill("https://galaxy-cloud.example.cn")
        page.get_by_role("group", name="Regions you serve").get_by_label("East China").check()
        page.get_by_role("group", name="Industries you serve").get_by_label("Retail").check()
        page.get_by_label("Description (Chinese)").fill("面向零售企业的财务云实施与运维服务。")
        page.get_by_label("Description (English)").fill("Finance cloud implementation for retailers.")
        expect(page.get_by_label("Contact email")).to_have_value(APPLICANT_EMAIL)  # prefilled
        page.get_by_label("Contact phone").fill("+86 571 5555 0100")
        page.get_by_label("Files").set_input_files(
            files=[{"name": "business-licence.pdf", "mimeType": "application/pdf", "buffer": PDF}]
        )
        submit(page, "Submit application")
        expect(page.get_by_text("your application has been submitted for review")).to_be_visible()

        # 2. A reviewer approves it in the Wagtail admin queue.
        page = reviewer_page
        sign_in(page, base, people["reviewer"].email)
        page.goto(f"{base}/admin/partners/applications/")
        row = page.get_by_role("row").filter(has_text=COMPANY_EN)
        expect(row).to_have_count(1)
        with page.expect_navigation():
            row.get_by_role("link", name=COMPANY).click()
        expect(page.get_by_role("link", name="business-licence.pdf")).to_be_visible()
        page.get_by_role("radio", name="Approve").check()
        submit(page, "Record decision and email the applicant")
        expect(page.get_by_text(f"{COMPANY_EN} is approved")).to_be_visible()
        partner = Partner.objects.select_related("organisation", "tier").get(organisation__name=COMPANY)
        assert partner.tier.slug == "registered" and partner.kind == PartnerKind.SERVICE
        assert Membership.objects.filter(
            user=people["applicant"], organisation=partner.organisation, role=Role.OWNER
        ).exists()

        # 3. The applicant, now the partner's owner, invites a colleague from the organisation page.
        page = applicant_page
        page.goto(f"{base}/en/account/org/{partner.organisation.slug}/")
        expect(page.get_by_role("heading", name=COMPANY_EN, level=1)).to_be_visible()
        invite = page.locator("form").filter(has=page.get_by_role("button", name="Send invitation"))
        invite.get_by_label("Email address").fill(COLLEAGUE_EMAIL)
        invite.get_by_label("Role").select_option(label="Member")
        invite.get_by_label("Language of the invitation email").select_option(label="English")
        submit(page, "Send invitation")
        expect(page.get_by_text(f"Invitation sent to {COLLEAGUE_EMAIL}")).to_be_visible()
        invitations = [m for m in mail.outbox if COLLEAGUE_EMAIL in m.to]
        assert len(invitations) == 1, [m.to for m in mail.outbox]
        assert "/account/invitations/" in invitations[0].body

        # 4. … imports certifications from a CSV on the partner console (the import is a
        # Celery task, eager in tests, so the job page shows the finished report).
        page.goto(f"{base}/en/partners/console/")
        expect(page.get_by_role("heading", name="What you need for Silver")).to_be_visible()
        page.get_by_label("CSV file").set_input_files(
            files=[{"name": "certified-people.csv", "mimeType": "text/csv", "buffer": certifications_csv()}]
        )
        submit(page, "Upload and import")
        expect(page.get_by_text("2 created")).to_be_visible()
        expect(page.get_by_text("0 rows rejected")).to_be_visible()
        page.get_by_role("link", name="Partner console").click()
        people_table = page.get_by_role("table").filter(has_text="Expires on")
        expect(people_table.get_by_role("row")).to_have_count(3)  # header and two people
        expect(people_table).to_contain_text("周敏")

        # … and sees the progress towards the next tier: one bar per Silver criterion.
        bars = page.get_by_role("progressbar")
        expect(bars).to_have_count(2)
        criteria = page.get_by_role("list").filter(has=bars.first).get_by_role("listitem")
        expect(criteria.filter(has_text="Certified people")).to_contain_text("required 2")
        expect(criteria.filter(has_text="Revenue")).to_contain_text("not reported")

        # Facts other apps report monthly (billing: revenue; the daily certified-people task:
        # the month just ended) are reported here directly, for the month the evaluation
        # judges (the last complete one): 12 months of revenue and two certified people.
        as_of = default_as_of()
        report_facts(
            source="billing",
            rows=[
                FactRow(partner.pk, "revenue", shift_months(as_of, -i), Decimal("25000")) for i in range(12)
            ],
        )
        report_facts(source="partners", rows=[FactRow(partner.pk, "certified_people", as_of, 2)])
        page.reload()
        expect(bars).to_have_count(2)
        for n in range(2):
            expect(bars.nth(n)).to_have_attribute("value", "100")
        expect(criteria.get_by_text("met", exact=True)).to_have_count(2)

        # 5. A programme manager runs the evaluation from the admin and approves the promotion.
        page = manager_page
        sign_in(page, base, people["manager"].email)
        page.goto(f"{base}/admin/programme/")
        submit(page, "Run evaluation now")
        expect(page.get_by_text(re.compile(r"Evaluated \d{4}-\d{2}: 1 to promote"))).to_be_visible()
        page.get_by_role("link", name="Review the recommendations").click()
        row = page.get_by_role("row").filter(has_text=COMPANY_EN)
        expect(row).to_contain_text("Promote")
        expect(row).to_contain_text("Silver")
        with page.expect_navigation():
            row.get_by_role("link", name=COMPANY_EN).click()
        expect(page.get_by_role("cell", name="met", exact=True)).to_have_count(2)
        submit(page, "Approve recommendation")
        expect(page.get_by_text(f"Approved: {COMPANY_EN} is now Silver.")).to_be_visible()

        # 6. The directory shows the partner's new tier badge.
        page = applicant_page
        page.goto(f"{base}/en/partners/")
        card = page.locator("article").filter(has=page.get_by_role("heading", name=COMPANY_EN))
        expect(card).to_have_count(1)
        expect(card.locator(".badge--tier")).to_have_text("Silver")
        partner.refresh_from_db()
        assert partner.tier.slug == "silver"
