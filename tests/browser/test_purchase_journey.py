"""Trial and purchase in a real browser (issue #6): a customer finds a listing through search,
starts a free trial, converts it to a paid per-seat plan with the test card 4242 4242 4242 4242
(localstripe's Stripe.js stand-in), and sees the subscription and its invoice.
(The partner-side half — fulfilment delivery and ledger entry — is added by billing-money.)"""

import pytest

from billing.models import Entitlement, Invoice, Subscription, Trial
from catalog.search.indexing import index_listings
from tests.factories.accounts import PASSWORD, buyer
from tests.factories.billing import shop

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def world(db, settings, stripe_api_base):
    settings.STRIPE_API_BASE = stripe_api_base
    settings.STRIPE_JS_URL = f"{stripe_api_base}/js.stripe.com/v3/"
    settings.STRIPE_MAX_NETWORK_RETRIES = 0
    store = shop(title="星河工单", title_en="Nebula Helpdesk")
    index_listings([store.listing.pk])
    user, org = buyer()
    return store, user, org


def test_find_trial_convert_with_card_and_see_invoice(world, browser, live_server):
    store, user, org = world
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(20000)
    console = []
    page.on("console", lambda msg: console.append(msg.text))

    page.goto(f"{live_server.url}/en/accounts/login/")
    page.fill("input[name=login]", user.email)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.locator("form:has(input[name=password]) [type=submit]").first.click()
    assert "/accounts/login/" not in page.url

    page.goto(f"{live_server.url}/en/search/?q=Nebula")
    hit = page.locator("[data-search-hit] a").first
    with page.expect_navigation():
        hit.click()
    assert "Nebula Helpdesk" in page.locator("h1").first.inner_text()

    with page.expect_navigation():
        page.locator("[data-testid=start-trial]").click()
    assert "Free trial of Nebula Helpdesk" in page.locator("h1").inner_text()
    assert Trial.objects.filter(organisation=org, status=Trial.Status.ACTIVE).exists()

    with page.expect_navigation():
        page.get_by_role("link", name="Buy Per seat").click()
    assert "/billing/checkout/" in page.url
    page.fill("input[name=quantity]", "3")
    page.select_option("select[name=currency]", "CNY")
    card = page.locator("#card-element")
    card.locator("input[placeholder=number]").fill("4242424242424242")
    card.locator("input[placeholder=exp_month]").fill("12")
    card.locator("input[placeholder=exp_year]").fill("34")
    card.locator("input[placeholder=cvc]").fill("123")
    card.locator("input[placeholder=postal_code]").fill("10001")
    with page.expect_navigation(timeout=30000):
        page.locator("[data-testid=pay]").click()
    assert "/billing/subscriptions/" in page.url, (page.url, console, page.content()[-3000:])

    assert "Active" in page.locator("[data-testid=status]").first.inner_text()
    assert "Seats (0 of 3 assigned)" in page.content()
    sub = Subscription.objects.get(organisation=org)
    invoice = Invoice.objects.get(subscription=sub)
    assert sub.quantity == 3 and invoice.total == 90 and invoice.status == Invoice.Status.PAID
    invoices = page.locator("[data-testid=invoices]").inner_text()
    assert invoice.number in invoices and "¥90.00" in invoices
    href = page.get_by_role("link", name=f"Invoice PDF {invoice.number}").get_attribute("href")
    pdf = page.request.get(f"{live_server.url}{href}")
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"

    trial = Trial.objects.get(organisation=org)
    assert trial.status == Trial.Status.CONVERTED
    assert Entitlement.objects.get(subscription=sub).status == Entitlement.Status.ACTIVE

    page.goto(f"{live_server.url}/en/billing/subscriptions/")
    assert "Nebula Helpdesk" in page.locator("[data-testid=subscriptions]").inner_text()
    context.close()


# --- the partner's side (billing money) ----------------------------------------------------------
def test_partner_sees_the_fulfilment_delivery_and_the_ledger_entry(world, browser, live_server, settings):
    """After a customer buys, the partner's endpoint (a real HTTP server on 127.0.0.1) receives a
    notification signed the Standard Webhooks way (an entitlement event on the webhook machinery),
    and the partner sees that delivery and the sale in its money pages."""
    import json
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from standardwebhooks import Webhook

    from accounts.models import Role
    from billing.models import LedgerEntry, LedgerKind
    from billing.services import fulfilment
    from partners.models import Delivery
    from tests.factories.accounts import MembershipFactory, UserFactory
    from tests.factories.billing import purchase_plan
    from tests.unit.accounts.helpers import enrol_totp, pass_two_factor

    store, user, org = world
    settings.OUTBOUND_ALLOW_LOOPBACK_FOR_TESTS = True  # the partner's receiver is on 127.0.0.1
    owner = UserFactory(email="owner@nebula-vendor.example.cn")
    MembershipFactory(user=owner, organisation=store.partner.organisation, role=Role.OWNER)
    enrol_totp(owner)  # partner owners need two-factor before the console
    received = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's API
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append(({k.lower(): v for k, v in self.headers.items()}, body))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    try:
        endpoint = fulfilment.update_endpoint(
            store.partner, url=f"http://127.0.0.1:{server.server_address[1]}/fulfilment"
        )
        sub = purchase_plan(store.monthly, org, user)
    finally:
        server.shutdown()
        server.server_close()

    assert received, "the partner's endpoint received the notification"
    headers, body = received[0]
    assert Webhook(endpoint.webhook_endpoint.secret).verify(body, headers)["type"].startswith("entitlement.")
    assert json.loads(body)["type"].startswith("entitlement.")
    delivery = fulfilment.deliveries(store.partner).order_by("created_at").first()
    assert delivery.status == Delivery.Status.SUCCEEDED and delivery.response_status == 204
    charge = LedgerEntry.objects.get(partner=store.partner, kind=LedgerKind.CHARGE)
    assert charge.invoice.subscription_id == sub.pk

    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(20000)
    page.goto(f"{live_server.url}/en/accounts/login/")
    page.fill("input[name=login]", owner.email)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.locator("form:has(input[name=password]) [type=submit]").first.click()
    pass_two_factor(page)

    page.goto(f"{live_server.url}/en/partners/console/")
    with page.expect_navigation():
        page.locator("nav").get_by_role("link", name="Money", exact=True).first.click()
    with page.expect_navigation():
        page.get_by_role("link", name="Fulfilment deliveries").first.click()
    rows = page.locator("table tbody").inner_text()
    assert delivery.event.type in rows and "Delivered" in rows and "204" in rows
    with page.expect_navigation():
        page.locator(f"a[href$='/deliveries/{delivery.public_id}/']").click()
    assert delivery.event.payload["id"] in page.locator("pre.payload").inner_text()

    page.goto(f"{live_server.url}/en/billing/partner/ledger/")
    ledger_rows = page.locator("table tbody").inner_text()
    assert charge.description in ledger_rows and "¥99.00" in ledger_rows and "-¥14.85" in ledger_rows
    context.close()
