"""Pipeline and revenue attributed to funded activities: a deal registration carrying the
reference of the partner's funded request adds its estimated value as pipeline and each
attributed purchase as revenue (announced by cosell through ``partners.outcome_signals``, kept
by incentives); other partners' references, unfunded requests and rejected deals count nothing.
Shown on the request, in the console and on the staff dashboard."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from billing.models import Invoice
from billing.services.invoices import mark_paid
from cosell.models import ProtectionRule, Status
from cosell.services import registrations as cosell
from incentives.models import FundedOutcome
from tests.factories.billing import InvoiceFactory, customer
from tests.factories.marketplace import make_listing
from tests.unit.accounts.helpers import english
from tests.unit.incentives.test_funds import approved, draft

pytestmark = pytest.mark.django_db

CONSOLE = "/en/incentives/console/"


@pytest.fixture
def listing(db):
    return make_listing(title="云财务", title_en="Cloud Finance")


def register(partner, listing, reference, *, name="深圳市腾讯计算机系统有限公司", value="120000", **extra):
    data = {
        "customer_name": name,
        "customer_domain": extra.pop("domain", ""),
        "contact_name": "王经理",
        "listings": [listing],
        "estimated_value": Decimal(value),
        "currency": "CNY",
        "expected_close": timezone.localdate() + timedelta(days=60),
        "stage": "qualified",
        "fund_request_ref": str(reference),
    }
    registration = cosell.create_registration(partner=partner, user=None, data=data)
    return cosell.submit(registration=registration, user=None)


def test_pipeline_and_revenue_of_a_tagged_deal_go_to_the_funded_activity(
    client, pool, partner_a, listing, programme_manager
):
    ProtectionRule.objects.create(partner_kind=partner_a.kind, auto_approve=True)
    activity = approved(partner_a, pool, programme_manager)
    deal = register(partner_a, listing, activity.public_id, domain="tencent.com")
    assert deal.status == Status.APPROVED
    pipeline = FundedOutcome.objects.get(kind="pipeline")
    assert (pipeline.request, pipeline.source, pipeline.amount) == (activity, "cosell", Decimal("120000"))

    # The registered customer buys: the attributed invoice is the activity's revenue.
    buyer = customer("tencent", website="https://www.tencent.com")
    buyer.name = "深圳市腾讯计算机系统有限公司"
    buyer.save()
    paid = InvoiceFactory(
        partner=listing.partner,
        listing=listing,
        organisation=buyer,
        total="1200.00",
        status=Invoice.Status.OPEN,
    )
    assert mark_paid(paid)
    revenue = FundedOutcome.objects.get(kind="revenue")
    assert (revenue.request, revenue.amount) == (activity, Decimal("1200.00"))

    client.force_login(partner_a.owner)
    detail = client.get(f"{CONSOLE}requests/{activity.public_id}/").content.decode()
    assert str(activity.public_id) in detail
    assert 'data-testid="attributed-pipeline">¥120,000.00<' in detail
    assert 'data-testid="attributed-revenue">¥1,200.00<' in detail
    assert "¥120,000.00 / ¥1,200.00" in client.get(CONSOLE).content.decode()

    client.force_login(english(programme_manager))
    dashboard = client.get("/admin/incentives/").content.decode()
    assert 'data-testid="attributed-pipeline">¥120,000.00<' in dashboard
    assert 'data-testid="attributed-revenue">¥1,200.00<' in dashboard


def test_references_that_are_not_the_partners_funded_activity_count_nothing(
    pool, partner_a, partner_b, listing, programme_manager
):
    funded = approved(partner_a, pool, programme_manager)
    unfunded = draft(partner_a, pool)
    register(partner_b, listing, funded.public_id, name="北京字节跳动科技有限公司")  # another partner's
    register(partner_a, listing, unfunded.public_id, name="美的集团股份有限公司")  # a draft request
    register(partner_a, listing, "not-a-reference", name="青岛海尔股份有限公司")
    assert not FundedOutcome.objects.exists()


def test_a_rejected_deal_or_a_removed_reference_withdraws_the_pipeline(
    pool, partner_a, listing, programme_manager
):
    ProtectionRule.objects.create(partner_kind=partner_a.kind, auto_approve=False)
    activity = approved(partner_a, pool, programme_manager)
    rejected = register(partner_a, listing, activity.public_id, name="北京字节跳动科技有限公司")
    kept = register(partner_a, listing, activity.public_id, name="美的集团股份有限公司", value="50000")
    assert FundedOutcome.objects.filter(kind="pipeline").count() == 2
    cosell.reject(registration=rejected, user=programme_manager, code="ineligible", note="Out of region.")
    assert list(FundedOutcome.objects.values_list("amount", flat=True)) == [Decimal("50000.00")]
    cosell.approve(registration=kept, user=programme_manager)
    kept.refresh_from_db()
    cosell.update_registration(registration=kept, user=None, data={"fund_request_ref": ""})
    assert not FundedOutcome.objects.exists()


def test_demand_leads_are_tied_to_the_activity_by_date_through_facts(
    client, pool, partner_a, partner_b, programme_manager
):
    """Activity 1–2 April, window 30 days: April and May count; March and June do not."""
    from datetime import date

    from incentives.services import attribution
    from partners.services.facts import ensure_metric, report_facts

    activity = approved(partner_a, pool, programme_manager)  # 2026-04-01 – 2026-04-02
    unfunded = draft(partner_a, pool)
    ensure_metric(slug="leads_received", name="leads_received")
    rows = [(partner_a.pk, date(2026, m, 1), n) for m, n in ((3, 7), (4, 3), (5, 2), (6, 9))]
    rows.append((partner_b.pk, date(2026, 4, 1), 40))  # another partner's leads
    report_facts(source="test", rows=[(p, "leads_received", month, n) for p, month, n in rows])

    leads = attribution.leads_in_window([activity, unfunded])
    assert leads == {activity.pk: Decimal("5")}  # a draft is not a funded activity
    client.force_login(partner_a.owner)
    assert (
        'data-testid="activity-leads">5<'
        in client.get(f"{CONSOLE}requests/{activity.public_id}/").content.decode()
    )
    client.force_login(english(programme_manager))
    assert (
        "during their activities and the month after: 5 " in client.get("/admin/incentives/").content.decode()
    )
