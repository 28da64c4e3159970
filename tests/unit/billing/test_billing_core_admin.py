"""Staff screens of billing core in the Wagtail admin: private offers, tax rates, Stripe events."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django.utils.translation import gettext

from billing.models import PrivateOffer, TaxRate
from tests.factories.accounts import staff_member

pytestmark = pytest.mark.django_db

OFFERS = "/admin/snippets/billing/privateoffer/"


def staff(key):
    return staff_member(key, is_staff=True)


def offer_form(store, org, **changes):
    data = {
        "listing": store.listing.pk,
        "listing_plan": store.seats.pk,
        "organisation": org.pk,
        "title": "专属年度报价",
        "title_en": "Annual offer",
        "currency": "CNY",
        "unit_amount": "1800.00",
        "interval": "year",
        "quantity": "20",
        "expires_at": (timezone.now() + timedelta(days=10)).strftime("%Y-%m-%d %H:%M"),
        "terms": "",
        "terms_en": "",
        "status": "open",
    }
    data.update(changes)
    return data


def test_finance_creates_a_private_offer(client, store, customer):
    client.force_login(staff("finance"))
    assert client.get(OFFERS).status_code == 200
    response = client.post(f"{OFFERS}add/", offer_form(store, customer[1]))
    assert response.status_code == 302, response.content.decode()[:2000]
    offer = PrivateOffer.objects.get()
    assert offer.organisation == customer[1] and offer.quantity == 20


def test_offer_form_refuses_a_plan_of_another_listing_and_a_past_expiry(client, store, customer):
    from tests.factories.billing import shop

    other = shop()
    client.force_login(staff("finance"))
    response = client.post(f"{OFFERS}add/", offer_form(store, customer[1], listing_plan=other.seats.pk))
    # the admin answers in the default language (Chinese): the message is the translated one
    assert response.status_code == 200
    assert gettext("Choose a plan of the same listing.") in response.content.decode()
    past = (timezone.now() - timedelta(days=1)).strftime("%Y-%m-%d %H:%M")
    response = client.post(f"{OFFERS}add/", offer_form(store, customer[1], expires_at=past))
    assert response.status_code == 200 and not PrivateOffer.objects.exists()


def test_reviewers_do_not_see_offers_or_tax_rates(client):
    client.force_login(staff("reviewer"))
    assert client.get(OFFERS).status_code in (302, 403)
    assert client.get("/admin/snippets/billing/taxrate/").status_code in (302, 403)


def test_tax_rate_change_gets_a_new_stripe_rate(db):
    rate = TaxRate.objects.create(
        name="增值税", currency="CNY", percentage="6.00", stripe_tax_rate_id="txr_old"
    )
    rate.percentage = "9.00"
    rate.save()
    rate.refresh_from_db()
    assert rate.stripe_tax_rate_id == ""  # Stripe tax rates are immutable: the next use creates one
    rate.name_en = "VAT"
    rate.stripe_tax_rate_id = "txr_new"
    rate.save()
    rate.refresh_from_db()
    assert rate.stripe_tax_rate_id == "txr_new"
