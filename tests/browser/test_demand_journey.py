"""Custom requirements end to end in a real browser (issue 13): a customer posts a requirement,
a programme manager approves it and the platform routes it to qualified service partners; the
routed partner proposes in the console (a second one proposes, too); the customer compares the
two, awards the first; the partner starts delivery and requests a milestone payment; the
customer pays it with the test card 4242 4242 4242 4242 entered in localstripe's Stripe.js
stand-in, and the charge with the platform commission is on the partner's ledger.

axe-core (``tests/browser/a11y.py``) runs on each of our pages: no serious
or critical violation. A failing journey leaves screenshots in ``test-artifacts/``."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Role
from accounts.roles import STAFF_GROUPS
from billing.models import LedgerEntry
from billing.models.ledger import LedgerKind
from demand.models import Invitation, PaymentRequest, Proposal, ProposalState, Requirement
from demand.services import proposals as proposal_services
from partners.models import PartnerKind
from tests.browser.a11y import assert_accessible
from tests.browser.journey import screenshots_on_failure, sign_in
from tests.factories.accounts import MembershipFactory, OrganisationFactory, UserFactory
from tests.factories.partners import provisioned_partner
from tests.unit.accounts.helpers import english

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def world(db, settings, stripe_api_base):
    settings.STRIPE_API_BASE = stripe_api_base
    settings.STRIPE_JS_URL = f"{stripe_api_base}/js.stripe.com/v3/"
    settings.STRIPE_SECRET_KEY = "sk_test_12345"
    settings.STRIPE_LEGACY_PLANS = None
    settings.STRIPE_MAX_NETWORK_RETRIES = 0
    people = {}
    for key, name, name_en, slug in (
        ("alpha", "甲方实施", "Alpha Delivery", "alpha-delivery"),
        ("bravo", "乙方咨询", "Bravo Consulting", "bravo-consulting"),
    ):
        owner = english(UserFactory(email=f"owner@{slug}.example.cn"))
        people[f"{key}_partner"] = provisioned_partner(
            kind=PartnerKind.SERVICE,
            owner=owner,
            organisation__name=name,
            organisation__name_en=name_en,
            organisation__slug=slug,
        )
        people[key] = owner
    customer = english(UserFactory(email="buyer@acme-retail.example.cn"))
    organisation = OrganisationFactory(name="顶点零售", name_en="Acme Retail", slug="acme-retail")
    MembershipFactory(user=customer, organisation=organisation, role=Role.OWNER)
    manager = english(UserFactory(email="manager@symbio.example"))
    manager.groups.add(Group.objects.get(name=STAFF_GROUPS["programme_manager"].name))
    people.update(customer=customer, organisation=organisation, manager=manager)
    return people


@pytest.fixture
def open_page(browser):
    pages = []

    def factory():
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
        page = context.new_page()
        page.set_default_timeout(20000)
        pages.append(page)
        return page

    yield factory, pages
    for page in pages:
        page.context.close()


def test_post_route_propose_compare_award_and_pay_a_milestone_by_card(world, open_page, live_server):
    base = live_server.url
    factory, pages = open_page
    alpha, bravo = world["alpha_partner"], world["bravo_partner"]
    with screenshots_on_failure(pages, "demand-journey"):
        # 1. The customer posts a routed requirement and sends it for review.
        buyer = factory()
        sign_in(buyer, base, world["customer"].email)
        buyer.goto(f"{base}/en/demand/requirements/new/")
        assert_accessible(buyer)
        due = timezone.localtime() + timedelta(days=7)
        buyer.fill("input[name=title_en]", "Store POS rollout")
        buyer.fill("textarea[name=description_en]", "Roll out the point-of-sale system to 40 stores.")
        buyer.fill("input[name=budget_min]", "150000")
        buyer.fill("input[name=budget_max]", "300000")
        buyer.select_option("select[name=currency]", "CNY")
        buyer.check("input[name=disclose_budget]")
        buyer.fill("input[name=proposal_due]", due.strftime("%Y-%m-%dT%H:%M"))
        buyer.fill("input[name=award_by]", (due + timedelta(days=14)).strftime("%Y-%m-%d"))
        buyer.select_option("select[name=mode]", "routed")
        with buyer.expect_navigation():
            buyer.locator("button[name=submit]").click()
        expect(buyer.locator("[data-testid=requirement-state]")).to_have_text("Pending review")
        assert "¥150,000.00 – ¥300,000.00" in buyer.content()
        assert_accessible(buyer)
        requirement = Requirement.objects.get(title_en="Store POS rollout")

        # 2. A programme manager approves it: routing invites the qualified service partners.
        staff = factory()
        sign_in(staff, base, world["manager"].email)
        staff.goto(f"{base}/admin/demand/requirements/{requirement.public_id}/")
        with staff.expect_navigation():
            staff.get_by_role("button", name="Approve and open").click()
        assert set(Invitation.objects.filter(requirement=requirement).values_list("partner", flat=True)) >= {
            alpha.pk,
            bravo.pk,
        }

        # 3. The routed partner proposes in its console and sees why it was matched.
        partner = factory()
        sign_in(partner, base, world["alpha"].email)
        partner.goto(f"{base}/en/demand/console/hall/")
        with partner.expect_navigation():
            partner.get_by_role("link", name="Store POS rollout").first.click()
        expect(partner.locator("[data-testid=reasons]")).to_be_visible()
        assert_accessible(partner)
        form = partner.locator("[data-testid=proposal-form]")
        form.locator("select[name=pricing_model]").select_option("milestones")
        form.locator("input[name=total]").fill("200000")
        form.locator("input[name=timeline_days]").fill("60")
        form.locator("textarea[name=summary]").fill("Pilot in 5 stores, then the other 35.")
        form.locator("textarea[name=milestones]").fill(
            "Pilot | 50000 | 5 stores sell for a week\nRollout | 150000 | All 40 stores live"
        )
        with partner.expect_navigation():
            form.get_by_role("button", name="Send proposal").click()
        proposal = Proposal.objects.get(requirement=requirement, partner=alpha)
        assert proposal.milestones.count() == 2
        proposal_services.submit_proposal(
            requirement=requirement,
            partner=bravo,
            user=world["bravo"],
            pricing_model="fixed",
            total=Decimal("280000"),
            timeline_days=90,
            summary="One big-bang rollout.",
        )

        # 4. The customer compares the two proposals and awards the first.
        buyer.goto(f"{base}/en/demand/requirements/{requirement.public_id}/")
        with buyer.expect_navigation():
            buyer.get_by_role("link", name="Compare 2 proposals").click()
        table = buyer.locator("[data-testid=compare]")
        expect(table).to_contain_text("Alpha Delivery")
        expect(table).to_contain_text("Bravo Consulting")
        expect(table).to_contain_text("¥200,000.00")
        assert_accessible(buyer)
        column = list(Proposal.objects.filter(requirement=requirement).order_by("total", "pk")).index(
            proposal
        )
        with buyer.expect_navigation():
            table.locator("form[data-award]").nth(column).get_by_role("button", name="Award").click()
        proposal.refresh_from_db()
        assert proposal.state == ProposalState.ACCEPTED
        assert Proposal.objects.get(requirement=requirement, partner=bravo).state == ProposalState.DECLINED

        # 5. The partner starts delivery and requests the pilot milestone's payment.
        partner.goto(f"{base}/en/demand/console/deliveries/{proposal.public_id}/")
        with partner.expect_navigation():
            partner.get_by_role("button", name="Start delivery").click()
        assert_accessible(partner)
        payment_form = partner.locator("[data-testid=payment-form]")
        payment_form.locator("select[name=milestone]").select_option(str(proposal.milestones.first().pk))
        payment_form.locator("input[name=amount]").fill("50000")
        with partner.expect_navigation():
            payment_form.get_by_role("button", name="Request payment").click()
        payment = PaymentRequest.objects.get(milestone__proposal=proposal)
        assert payment.amount == Decimal("50000.00") and payment.paid_at is None

        # 6. The customer approves and pays it with a card typed into the card element.
        buyer.goto(f"{base}/en/demand/requirements/{requirement.public_id}/")
        assert_accessible(buyer)
        with buyer.expect_navigation():
            buyer.locator("[data-testid=pay-with-card]").click()
        expect(buyer.locator("[data-testid=payment-amount]")).to_have_text("¥50,000.00")
        card = buyer.locator("#card-element")
        card.locator("input[placeholder=number]").fill("4242424242424242")
        card.locator("input[placeholder=exp_month]").fill("12")
        card.locator("input[placeholder=exp_year]").fill("34")
        card.locator("input[placeholder=cvc]").fill("123")
        card.locator("input[placeholder=postal_code]").fill("10001")
        assert_accessible(buyer, exclude=["#card-element"])  # the stand-in's inputs are not ours
        with buyer.expect_navigation(timeout=30000):
            buyer.locator("[data-testid=pay]").click()
        expect(buyer.locator("[data-testid=payment-paid]")).to_be_visible()
        assert "approved and charged to your card" in buyer.content()

        payment.refresh_from_db()
        assert payment.paid_at is not None and payment.stripe_payment_intent_id.startswith("pi_")
        entries = dict(
            LedgerEntry.objects.filter(
                partner=alpha, stripe_object_id=payment.stripe_payment_intent_id
            ).values_list("kind", "amount")
        )
        assert entries[LedgerKind.CHARGE] == Decimal("50000.00") and entries[LedgerKind.COMMISSION] < 0
