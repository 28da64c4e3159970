# ruff: noqa: F811  (pytest fixtures imported from shared modules)
"""Partner money pages (ledger, statements, fulfilment settings and deliveries) as an access
matrix — another partner's objects and customers answer 404, members may look but not change —
and the finance screens in the Wagtail admin (Finance group only)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from accounts.mfa import mfa_required
from accounts.models import Role
from accounts.roles import STAFF_GROUPS
from billing.models import ConnectAccount, Payout, PayoutStatement
from billing.services import fulfilment, ledger, payouts
from partners.models import Delivery, Event
from tests.factories.accounts import MembershipFactory, UserFactory
from tests.factories.billing import (
    InvoiceFactory,
    at,
    customer,
    failed_fulfilment_delivery,
    live_listing,
    money_partner,
)
from tests.recorded_stripe import recorded_stripe  # noqa: F401 - fixture
from tests.unit.accounts.helpers import built_once_per_module, copies, enrol_totp

pytestmark = pytest.mark.django_db

# Recent, so the overview's 12-month sales chart shows it whenever the tests run.
SOLD_AT = timezone.now() - timedelta(days=2)


def _build():
    names = ("owner_a", "member_a", "owner_b", "customer", "finance", "reviewer")
    people = {name: UserFactory(email=f"{name}@money.example.cn") for name in names}
    a = money_partner(slug="money-a", name="甲方科技", name_en="Partner A Tech", owner=people["owner_a"])
    MembershipFactory(user=people["member_a"], organisation=a.organisation, role=Role.MEMBER)
    b = money_partner(slug="money-b", name="乙方软件", name_en="Partner B Soft", owner=people["owner_b"])
    buyer = customer("money-buyer", owner=people["customer"])
    for partner, total in ((a, "1000.00"), (b, "2000.00")):
        listing = live_listing(partner, slug=f"{partner.organisation.slug}-app")
        inv = InvoiceFactory(
            partner=partner, listing=listing, organisation=buyer, total=total, paid_at=SOLD_AT
        )
        ledger.post_invoice_paid(inv)
        payouts.generate_statement(partner=partner, month=timezone.localdate(SOLD_AT), currency="CNY")
        failed_fulfilment_delivery(partner)
    for key in ("finance", "reviewer"):
        people[key].groups.add(Group.objects.get(name=STAFF_GROUPS[key].name))
    return people, {"a": a, "b": b, "buyer": buyer}


_money_world = built_once_per_module(_build)  # the people and the two partners' money


@pytest.fixture
def _copies(_money_world):
    return copies(_money_world)


@pytest.fixture
def people(_copies):
    return _copies[0]


@pytest.fixture
def world(_copies):
    return _copies[1]


def login(client, user):
    if mfa_required(user):  # staff and partner owners/admins: two-factor before these pages
        enrol_totp(user)
    client.force_login(user)
    return client


def b_objects(world):
    b = world["b"]
    return (
        PayoutStatement.objects.get(partner=b),
        Delivery.objects.get(endpoint__partner=b),
    )


PAGES = ["overview", "ledger", "statements", "deliveries", "fulfilment"]


@pytest.mark.parametrize("page", PAGES)
def test_partner_pages_show_only_the_active_partners_money(client, people, world, page):
    response = login(client, people["owner_a"]).get(reverse(f"billing_partner:{page}"))
    assert response.status_code == 200
    html = response.content.decode()
    if page in ("ledger", "overview"):
        assert "¥1,000.00" in html and "¥2,000.00" not in html
    if page == "overview":  # the sales chart: September's ¥1,000 sale, Partner B's ¥2,000 not
        chart = html.split('data-testid="sales-chart"', 1)[1].split("</svg>", 1)[0]
        desc = chart.split("<desc", 1)[1].split("</desc>", 1)[0]
        assert "<svg" in chart and "1000" in desc and "2000" not in desc and "150" in desc
    if page == "statements":
        assert "¥850.00" in html and "¥1,700.00" not in html


@pytest.mark.parametrize("who", ["customer", "finance", "reviewer"])
@pytest.mark.parametrize("page", PAGES)
def test_people_without_an_active_partner_get_404(client, people, world, who, page):
    assert login(client, people[who]).get(reverse(f"billing_partner:{page}")).status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(client, world):
    response = client.get(reverse("billing_partner:ledger"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("who", ["owner_a", "member_a", "customer"])
def test_another_partners_statement_and_delivery_are_404(client, people, world, who):
    statement, delivery = b_objects(world)
    c = login(client, people[who])
    assert c.get(reverse("billing_partner:statement-pdf", args=[statement.public_id])).status_code == 404
    assert c.get(reverse("billing_partner:delivery", args=[delivery.public_id])).status_code == 404
    assert c.post(reverse("billing_partner:delivery-resend", args=[delivery.public_id])).status_code == 404
    assert Delivery.objects.get(endpoint__partner=world["b"]).status == Delivery.Status.FAILED


def test_own_statement_pdf_downloads(client, people, world):
    statement = PayoutStatement.objects.get(partner=world["a"])
    response = login(client, people["member_a"]).get(
        reverse("billing_partner:statement-pdf", args=[statement.public_id]) + "?lang=en"
    )
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    statement.refresh_from_db()
    assert statement.pdf_en.name and not statement.pdf.name  # stored on private storage, English only


def test_members_see_settings_but_cannot_change_them(client, people, world):
    c = login(client, people["member_a"])
    page = c.get(reverse("billing_partner:fulfilment")).content.decode()
    assert "fsec_" not in page  # not even the hint
    assert (
        c.post(reverse("billing_partner:fulfilment"), {"url": "https://evil.example.cn/"}).status_code == 403
    )
    assert c.post(reverse("billing_partner:fulfilment-secret")).status_code == 403
    assert c.post(reverse("billing_partner:fulfilment-rotate")).status_code == 403
    delivery = Delivery.objects.get(endpoint__partner=world["a"])
    assert c.post(reverse("billing_partner:delivery-resend", args=[delivery.public_id])).status_code == 403
    assert fulfilment.endpoint_for(world["a"]).url == ""
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.FAILED


def test_owner_sets_url_reveals_and_rotates_the_secret(
    client, people, world, django_capture_on_commit_callbacks, settings
):
    c = login(client, people["owner_a"])
    bad = c.post(reverse("billing_partner:fulfilment"), {"url": "not a url", "active": "on"})
    assert bad.status_code == 400 and fulfilment.endpoint_for(world["a"]).url == ""
    internal = c.post(
        "/en" + reverse("billing_partner:fulfilment"), {"url": "https://192.168.1.20/hook", "active": "on"}
    )
    assert internal.status_code == 400 and "must be a public address" in internal.content.decode()
    assert fulfilment.endpoint_for(world["a"]).url == ""
    ok = c.post(
        reverse("billing_partner:fulfilment"),
        {"url": "https://hooks.partner-a.example.cn/symbio", "active": "on"},
    )
    assert ok.status_code == 302
    endpoint = fulfilment.endpoint_for(world["a"])
    assert endpoint.url == "https://hooks.partner-a.example.cn/symbio"
    # the URL is a webhook endpoint subscribed to the entitlement events: one machinery
    webhook = endpoint.webhook_endpoint
    assert webhook.partner == world["a"] and webhook.disabled_at is None
    assert webhook.event_types == fulfilment.event_types() and "entitlement.created" in webhook.event_types
    assert endpoint.secret not in c.get(reverse("billing_partner:fulfilment")).content.decode()
    revealed = c.post(reverse("billing_partner:fulfilment-secret")).content.decode()
    assert endpoint.secret in revealed and webhook.secret in revealed
    c.post(reverse("billing_partner:fulfilment-rotate"))
    rotated = fulfilment.endpoint_for(world["a"])
    assert rotated.secret != endpoint.secret
    assert rotated.webhook_endpoint.secret != webhook.secret
    assert rotated.webhook_endpoint.previous_secret == webhook.secret  # still signs for 24 h
    # switched off: the endpoint is disabled, its log kept
    c.post(reverse("billing_partner:fulfilment"), {"url": "https://hooks.partner-a.example.cn/symbio"})
    assert not fulfilment.endpoint_for(world["a"]).active

    # Re-sending a failed notification starts its delivery over on the webhook machinery.
    delivery = Delivery.objects.get(endpoint__partner=world["a"], event__type="entitlement.created")
    settings.OUTBOUND_ALLOW_LOOPBACK_FOR_TESTS = True
    delivery.endpoint.url = "http://127.0.0.1:9/unreachable"
    delivery.endpoint.save(update_fields=["url"])
    with django_capture_on_commit_callbacks(execute=True):
        response = c.post(reverse("billing_partner:delivery-resend", args=[delivery.public_id]))
    assert response.status_code == 302
    delivery.refresh_from_db()
    assert delivery.attempts == 1 and delivery.status == Delivery.Status.PENDING  # retried later
    assert delivery.next_attempt_at is not None and delivery.response_status is None
    assert Event.objects.filter(partner=world["a"], type="entitlement.created").count() == 1  # same event


# --- finance screens ------------------------------------------------------------------------------
FINANCE_URLS = ["billing_finance:ledger", "billing_finance:balances", "billing_finance:reconciliation"]


@pytest.mark.parametrize("who", ["finance", "reviewer", "owner_a"])
def test_finance_screens_are_for_the_finance_group(client, people, world, who):
    c = login(client, people[who])
    for name in [*FINANCE_URLS, "billing_finance:statements"]:
        response = c.get(reverse(name))
        if who == "finance":
            assert response.status_code == 200, name
        else:
            assert response.status_code in (302, 403), (who, name)


def test_ledger_filters_and_reconciliation_shows_the_check(client, people, world):
    c = login(client, people["finance"])
    html = c.get(reverse("billing_finance:ledger"), {"q": "Partner B", "kind": "charge"}).content.decode()
    assert "¥2,000.00" in html and "¥1,000.00" not in html and "-¥300.00" not in html
    html = c.get(reverse("billing_finance:reconciliation")).content.decode()
    assert 'data-reconciled="true"' in html
    assert "¥3,000.00" in html and "¥450.00" in html and "¥2,550.00" in html  # charges, commission, balance
    balances = c.get(reverse("billing_finance:balances")).content.decode()
    assert "¥1,700.00" in balances and "¥850.00" in balances


def test_finance_pays_out_a_statement_from_the_list(client, people, world, recorded_stripe):

    statement = PayoutStatement.objects.get(partner=world["a"])
    ConnectAccount.objects.create(partner=world["a"], stripe_account_id="acct_a", payouts_enabled=True)
    c = login(client, people["finance"])
    listing_html = c.get(reverse("billing_finance:statements")).content.decode()
    assert reverse("billing_finance:pay-out", args=[statement.public_id]) in listing_html
    response = c.post(reverse("billing_finance:pay-out", args=[statement.public_id]))
    assert response.status_code == 302
    payout = Payout.objects.get(statement=statement)
    assert payout.status == Payout.Status.PAID and payout.amount == Decimal("850.00")
    reviewer = login(client, people["reviewer"])
    other = PayoutStatement.objects.get(partner=world["b"])
    assert reviewer.post(reverse("billing_finance:pay-out", args=[other.public_id])).status_code in (302, 403)
    assert not Payout.objects.filter(statement=other).exists()


def test_finance_generates_a_months_statements_with_progress(
    client, people, world, django_capture_on_commit_callbacks
):
    from billing.models import StatementRun

    buyer, a = world["buyer"], world["a"]
    listing = a.listings.first()
    ledger.post_invoice_paid(
        InvoiceFactory(
            partner=a, listing=listing, organisation=buyer, total="400.00", paid_at=at(2026, 10, 9)
        )
    )
    c = login(client, people["finance"])
    with django_capture_on_commit_callbacks(execute=True):
        response = c.post(reverse("billing_finance:generate"), {"month": "2026-10"})
    run = StatementRun.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "billing_finance:run", args=[run.public_id]
    )
    assert (run.status, run.total, run.done, run.percent) == (StatementRun.Status.DONE, 1, 1, 100)
    statement = PayoutStatement.objects.get(partner=a, month=date(2026, 10, 1))
    assert statement.net == Decimal("340.00") and statement.pdf.name and statement.pdf_en.name
    page = c.get(reverse("billing_finance:run", args=[run.public_id]))
    assert page.status_code == 200 and "htmx.min.js" in page.content.decode()
    fragment = c.get(reverse("billing_finance:run", args=[run.public_id]), headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and "hx-trigger" not in fragment.content.decode()
    assert 'value="100"' in fragment.content.decode()
    bad = c.post(reverse("billing_finance:generate"), {"month": "October"})
    assert bad.status_code == 302 and StatementRun.objects.count() == 1
    denied = login(client, people["reviewer"]).post(reverse("billing_finance:generate"), {"month": "2026-10"})
    assert denied.status_code in (302, 403) and StatementRun.objects.count() == 1
