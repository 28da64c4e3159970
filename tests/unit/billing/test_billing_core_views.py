"""Customer billing screens: trial start, checkout, My subscriptions, invoices (PDF), contacts,
private offers, partner usage reports — and the access matrix (another organisation's → 404)."""

import shutil
import subprocess
import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import Role
from billing.models import BillingContact, Invoice, PrivateOffer, Subscription, Trial, UsageRecord
from billing.services import trials
from tests.factories.accounts import buyer
from tests.factories.billing import DECLINED, card, purchase_plan

pytestmark = pytest.mark.django_db


def en(name, **kwargs):
    with translation.override("en"):
        return reverse(name, kwargs=kwargs or None)


@pytest.fixture
def owner_client(client, customer):
    client.force_login(customer[0])
    return client


def test_start_trial_from_the_listing_and_a_second_attempt_is_refused(owner_client, store, customer):
    response = owner_client.post(en("purchase:start_trial", listing_id=store.listing.pk))
    trial = Trial.objects.get(organisation=customer[1])
    assert response.status_code == 302 and response["Location"] == en(
        "purchase:trial", public_id=trial.public_id
    )
    page = owner_client.get(response["Location"]).content.decode()
    assert "Free trial of" in page and "Buy Per seat" in page
    again = owner_client.post(en("purchase:start_trial", listing_id=store.listing.pk), follow=True)
    assert "already had a free trial" in again.content.decode()
    assert Trial.objects.count() == 1


def test_listing_page_offers_trial_and_buy(owner_client, store):
    with translation.override("en"):
        url = store.listing.url
    html = owner_client.get(url).content.decode()
    assert en("purchase:start_trial", listing_id=store.listing.pk) in html
    assert en("purchase:checkout", plan_id=store.seats.pk) in html


def test_anonymous_is_sent_to_log_in(client, store):
    response = client.get(en("purchase:checkout", plan_id=store.monthly.pk))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.get(en("purchase:subscriptions")).status_code == 302
    assert client.post(en("purchase:start_trial", listing_id=store.listing.pk)).status_code == 302
    assert not Trial.objects.exists()


def test_checkout_page_has_card_element_and_stripe_js(stripe, owner_client, store):
    html = owner_client.get(en("purchase:checkout", plan_id=store.seats.pk)).content.decode()
    assert 'id="card-element"' in html and "_secret_" in html
    assert f"{stripe}/js.stripe.com/v3/" in html
    assert 'name="quantity"' in html and 'name="token"' in html


def test_checkout_post_buys_once_even_when_posted_twice(stripe, owner_client, store, customer):
    url = en("purchase:checkout", plan_id=store.seats.pk)
    data = {"currency": "CNY", "quantity": "3", "payment_method": card(), "token": uuid.uuid4().hex}
    first = owner_client.post(url, data)
    second = owner_client.post(url, data)
    sub = Subscription.objects.get()
    target = en("purchase:subscription", public_id=sub.public_id)
    assert first["Location"] == target and second["Location"] == target
    assert sub.quantity == 3 and sub.status == Subscription.Status.ACTIVE
    page = owner_client.get(target).content.decode()
    assert "Seats (0 of 3 assigned)" in page and Invoice.objects.get().number in page


def test_checkout_declined_card_shows_a_clear_message_and_buys_nothing(stripe, owner_client, store):
    url = en("purchase:checkout", plan_id=store.monthly.pk)
    response = owner_client.post(
        url, {"currency": "CNY", "quantity": "1", "payment_method": card(DECLINED), "token": uuid.uuid4().hex}
    )
    # localstripe declines this card when it is attached, i.e. before any charge
    assert response.status_code == 402
    assert "Your card was declined. Nothing was charged" in response.content.decode()
    assert not Subscription.objects.exists()


def test_checkout_when_stripe_is_down_says_so(stripe, owner_client, store, settings):
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"
    response = owner_client.get(en("purchase:checkout", plan_id=store.monthly.pk))
    assert response.status_code == 200
    html = response.content.decode()
    assert "cannot be reached right now" in html and 'id="checkout-form"' not in html


def test_checkout_without_a_card_is_refused(stripe, owner_client, store):
    response = owner_client.post(
        en("purchase:checkout", plan_id=store.monthly.pk),
        {"currency": "CNY", "quantity": "1", "token": "abc"},
    )
    assert response.status_code == 400 and "Enter your card details." in response.content.decode()
    assert not Subscription.objects.exists()


def test_plain_members_can_look_but_not_buy_or_cancel(stripe, client, store, customer):
    owner, org = customer
    member, _ = buyer(role=Role.MEMBER, organisation=org)
    sub = purchase_plan(store.monthly, org, owner)
    client.force_login(member)
    assert client.get(en("purchase:subscription", public_id=sub.public_id)).status_code == 200
    response = client.post(en("purchase:cancel", public_id=sub.public_id), follow=True)
    assert "Only owners and admins" in response.content.decode()
    sub.refresh_from_db()
    assert not sub.cancel_at_period_end
    response = client.post(
        en("purchase:checkout", plan_id=store.annual.pk),
        {"currency": "CNY", "quantity": "1", "payment_method": "pm_x", "token": uuid.uuid4().hex},
    )
    assert response.status_code == 302 and Subscription.objects.count() == 1


def test_cancel_resume_change_and_seats_from_the_page(stripe, owner_client, store, customer):
    user, org = customer
    colleague, _ = buyer(role=Role.MEMBER, organisation=org)
    sub = purchase_plan(store.seats, org, user, quantity=1)
    owner_client.post(en("purchase:cancel", public_id=sub.public_id), {"confirmed": "1"})
    sub.refresh_from_db()
    assert sub.cancel_at_period_end
    owner_client.post(en("purchase:resume", public_id=sub.public_id))
    sub.refresh_from_db()
    assert not sub.cancel_at_period_end
    owner_client.post(
        en("purchase:change", public_id=sub.public_id),
        {"plan": store.seats.pk, "quantity": 2, "token": "t1", "confirmed": "1"},
    )
    sub.refresh_from_db()
    assert sub.quantity == 2
    owner_client.post(en("purchase:seat_assign", public_id=sub.public_id), {"user": colleague.pk})
    assert sub.entitlement.seat_assignments.filter(user=colleague).exists()
    owner_client.post(en("purchase:seat_remove", public_id=sub.public_id, user_id=colleague.pk))
    assert not sub.entitlement.seat_assignments.exists()


def _pdf_text(pdf: bytes, tmp_path) -> str:
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed: `make test` installs it")
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_invoice_and_receipt_pdfs(stripe, owner_client, store, customer, tmp_path):
    user, org = customer
    BillingContact.objects.create(
        organisation=org,
        name="财务 张",
        email="ap@customer.example.cn",
        company_name="星河制造有限公司",
        is_primary=True,
    )
    sub = purchase_plan(store.seats, org, user, quantity=3)
    invoice = Invoice.objects.get(subscription=sub)
    response = owner_client.get(en("purchase:invoice_pdf", public_id=invoice.public_id))
    assert response["Content-Type"] == "application/pdf"
    text = _pdf_text(response.content, tmp_path)
    assert invoice.number in text and "Invoice" in text and "¥90.00" in text and "星河制造有限公司" in text
    receipt = owner_client.get(en("purchase:invoice_pdf", public_id=invoice.public_id) + "?kind=receipt")
    assert "Receipt" in _pdf_text(receipt.content, tmp_path)
    zh = owner_client.get(reverse("purchase:invoice_pdf", kwargs={"public_id": invoice.public_id}))
    zh_text = _pdf_text(zh.content, tmp_path)
    assert invoice.number in zh_text and "星河制造有限公司" in zh_text
    assert store.listing.title in zh_text  # the Chinese listing name, with its CJK glyphs embedded


def test_billing_contacts_one_primary(owner_client, customer):
    org = customer[1]
    url = en("purchase:contacts")
    owner_client.post(url, {"name": "A", "email": "a@x.example", "receives_invoices": "on"})
    owner_client.post(
        url, {"name": "B", "email": "b@x.example", "is_primary": "on", "receives_invoices": "on"}
    )
    contacts = {c.name: c for c in BillingContact.objects.filter(organisation=org)}
    assert contacts["B"].is_primary and not contacts["A"].is_primary
    bad = owner_client.post(url, {"name": "C", "email": "not-an-email"})
    assert bad.status_code == 400 and BillingContact.objects.count() == 2


def _offer(store, org, **kw):
    return PrivateOffer.objects.create(
        listing=store.listing,
        listing_plan=store.seats,
        organisation=org,
        title="专属报价",
        title_en="Special price",
        currency="CNY",
        unit_amount=Decimal("2000.00"),
        interval="year",
        quantity=10,
        expires_at=kw.pop("expires_at", timezone.now() + timedelta(days=7)),
        **kw,
    )


def test_private_offer_only_its_organisation_sees_and_accepts(stripe, owner_client, client, store, customer):
    offer = _offer(store, customer[1])
    assert "Special price" in owner_client.get(en("purchase:subscriptions")).content.decode()
    assert "¥2,000.00" in owner_client.get(en("purchase:offer", public_id=offer.public_id)).content.decode()
    response = owner_client.post(
        en("purchase:offer", public_id=offer.public_id),
        {"currency": "CNY", "quantity": "10", "payment_method": card(), "token": uuid.uuid4().hex},
    )
    sub = Subscription.objects.get()
    assert response.status_code == 302
    assert (sub.unit_amount, sub.quantity, sub.interval, sub.private_offer_id) == (
        Decimal("2000.00"),
        10,
        "year",
        offer.pk,
    )
    assert Invoice.objects.get(subscription=sub).subtotal == Decimal("20000.00")
    offer.refresh_from_db()
    assert offer.status == PrivateOffer.Status.ACCEPTED

    other_user, other_org = buyer()
    client.force_login(other_user)
    assert client.get(en("purchase:offer", public_id=offer.public_id)).status_code == 404
    assert "Special price" not in client.get(en("purchase:subscriptions")).content.decode()


def test_expired_offer_cannot_be_accepted(stripe, owner_client, store, customer):
    offer = _offer(store, customer[1], expires_at=timezone.now() - timedelta(minutes=1))
    response = owner_client.post(
        en("purchase:offer", public_id=offer.public_id),
        {"currency": "CNY", "quantity": "10", "payment_method": card(), "token": uuid.uuid4().hex},
        follow=True,
    )
    assert "expired" in response.content.decode() and not Subscription.objects.exists()


def test_access_matrix_another_organisations_objects_are_404(stripe, client, store, customer):
    user, org = customer
    sub = purchase_plan(store.seats, org, user, quantity=2)
    invoice = Invoice.objects.get(subscription=sub)
    trial = trials.start_trial(organisation=org, listing=purchase_shop_listing(), user=user)
    contact = BillingContact.objects.create(organisation=org, name="A", email="a@x.example", is_primary=True)
    offer = _offer(store, org)
    intruder, _ = buyer()
    client.force_login(intruder)
    gets = [
        en("purchase:subscription", public_id=sub.public_id),
        en("purchase:invoice_pdf", public_id=invoice.public_id),
        en("purchase:trial", public_id=trial.public_id),
        en("purchase:contact", public_id=contact.public_id),
        en("purchase:offer", public_id=offer.public_id),
    ]
    posts = [
        en("purchase:cancel", public_id=sub.public_id),
        en("purchase:resume", public_id=sub.public_id),
        en("purchase:change", public_id=sub.public_id),
        en("purchase:seat_assign", public_id=sub.public_id),
        en("purchase:seat_remove", public_id=sub.public_id, user_id=user.pk),
        en("purchase:contact", public_id=contact.public_id),
        en("purchase:offer", public_id=offer.public_id),
        en("purchase:usage", public_id=sub.public_id),
    ]
    for url in gets:
        assert client.get(url).status_code == 404, url
    for url in posts:
        assert client.post(url, {"delete": "1"}).status_code == 404, url
    sub.refresh_from_db()
    assert not sub.cancel_at_period_end and BillingContact.objects.filter(pk=contact.pk).exists()
    page = client.get(en("purchase:subscriptions")).content.decode()
    assert invoice.number not in page and "Seats" not in page


def purchase_shop_listing():
    from tests.factories.billing import shop

    return shop().listing


def test_partner_reports_usage_by_form_and_other_partners_get_404(stripe, client, store, customer):
    user, org = customer
    sub = purchase_plan(store.usage, org, user)
    partner_owner = store.partner.organisation.memberships.get(role=Role.OWNER).user
    client.force_login(partner_owner)
    url = en("purchase:usage", public_id=sub.public_id)
    assert (
        sub.organisation.name in client.get(en("purchase:usage_index")).content.decode()
        or client.get(en("purchase:usage_index")).status_code == 200
    )
    response = client.post(url, {"quantity": "250", "day": timezone.localdate().isoformat(), "token": "k1"})
    assert response.status_code == 302
    client.post(
        url, {"quantity": "250", "day": timezone.localdate().isoformat(), "token": "k1"}
    )  # resubmitted
    assert UsageRecord.objects.get().quantity == 250
    from tests.factories.billing import shop

    other = shop()
    client.force_login(other.partner.organisation.memberships.get(role=Role.OWNER).user)
    assert client.get(url).status_code == 404
    client.force_login(user)  # the customer cannot report its own usage
    assert client.get(url).status_code == 404


def test_partner_makes_a_private_offer_for_one_customer(client, store, customer):
    from tests.factories.billing import shop

    owner = store.partner.organisation.memberships.get(role=Role.OWNER).user
    client.force_login(owner)
    url = en("purchase:partner_offers")
    data = {
        "customer": customer[1].slug,
        "listing": store.listing.pk,
        "listing_plan": store.seats.pk,
        "title": "专属报价",
        "title_en": "Special",
        "currency": "USD",
        "unit_amount": "300.00",
        "interval": "year",
        "quantity": "5",
        "expires_at": (timezone.now() + timedelta(days=5)).strftime("%Y-%m-%dT%H:%M"),
    }
    assert client.post(url, data).status_code == 302
    offer = PrivateOffer.objects.get()
    assert offer.organisation == customer[1] and offer.created_by == owner and offer.currency == "USD"
    other = shop()
    bad = client.post(url, {**data, "listing": other.listing.pk, "listing_plan": ""})  # not its listing
    assert bad.status_code == 400 and PrivateOffer.objects.count() == 1
    bad = client.post(url, {**data, "customer": "no-such-org"})
    assert bad.status_code == 400 and "No customer organisation" in bad.content.decode()
    client.force_login(customer[0])  # customers have no partner offers page
    assert client.get(url).status_code == 404


def test_one_click_conversion_with_the_saved_card(stripe, owner_client, store, customer):
    import re

    from tests.factories.billing import shop

    user, org = customer
    purchase_plan(shop().monthly, org, user)  # an earlier purchase saved a card
    trial = trials.start_trial(organisation=org, listing=store.listing, user=user)
    html = owner_client.get(en("purchase:trial", public_id=trial.public_id)).content.decode()
    assert "Buy Monthly with visa ···· 4242" in html
    action = re.escape(en("purchase:checkout", plan_id=store.monthly.pk))
    form = re.search(rf'<form method="post" action="{action}".*?</form>', html, re.S).group(0)
    fields = dict(re.findall(r'name="(\w+)" value="([^"]*)"', form))
    response = owner_client.post(en("purchase:checkout", plan_id=store.monthly.pk), fields)
    assert response.status_code == 302
    trial.refresh_from_db()
    assert trial.status == Trial.Status.CONVERTED
    assert Subscription.objects.get(listing=store.listing).status == Subscription.Status.ACTIVE
