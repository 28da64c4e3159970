"""Becoming a partner (issue #18, point 9): the public programme page shows the real ladders, and
a sign-up started there promises no customer organisation and returns to the application after
e-mail verification."""

from decimal import Decimal

import pytest
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from django.core import mail

from partners.models import Metric, PartnerKind, Tier, TierCriterion
from partners.services.facts import ensure_metric

pytestmark = pytest.mark.django_db

APPLY = "/en/partners/apply/"
SIGNUP = f"/en/accounts/signup/?next={APPLY}"


@pytest.fixture
def ladder(db):
    revenue = ensure_metric(slug="revenue", name="营收", name_en="Revenue", unit=Metric.Unit.CNY)
    Tier.objects.filter(kind=PartnerKind.ISV).delete()
    entry = Tier.objects.create(
        kind=PartnerKind.ISV, rank=0, slug="registered", name="注册", name_en="Registered"
    )
    gold = Tier.objects.create(kind=PartnerKind.ISV, rank=1, slug="gold-x", name="金牌", name_en="Gold X")
    TierCriterion.objects.create(tier=gold, metric=revenue, threshold=Decimal("1200000"))
    return entry, gold


def test_visitors_see_kinds_tiers_and_their_real_criteria(client, ladder):
    html = client.get(APPLY).content.decode()

    assert "ISV" in html and "Registered" in html and "Gold X" in html
    assert "Revenue · Sum of the trailing 12 months ≥ ¥1,200,000" in html
    assert "How the review works" in html
    assert 'href="/en/accounts/signup/?next=/en/partners/apply/"' in html


def test_a_partner_sign_up_promises_no_customer_organisation(client):
    assert "We create a customer organisation" not in client.get(SIGNUP).content.decode()
    assert "We create a customer organisation" in client.get("/en/accounts/signup/").content.decode()


def test_after_verification_the_new_partner_returns_to_the_application(client):
    response = client.post(
        SIGNUP,
        {
            "display_name": "周伙伴",
            "email": "zhou@newpartner.example.cn",
            "password1": "a-long-and-rare-pass-9",
            "password2": "a-long-and-rare-pass-9",
            "next": APPLY,
        },
    )
    assert response.status_code == 302
    assert "周伙伴" in mail.outbox[-1].body  # greeted by the name entered
    address = EmailAddress.objects.get(email="zhou@newpartner.example.cn")
    key = EmailConfirmationHMAC(address).key

    response = client.post(f"/en/accounts/confirm-email/{key}/")

    assert response.status_code == 302
    assert (
        response["Location"].endswith(f"?next={APPLY.replace('/', '%2F')}") or APPLY in response["Location"]
    )
    response = client.post(
        response["Location"], {"login": "zhou@newpartner.example.cn", "password": "a-long-and-rare-pass-9"}
    )
    assert response.status_code == 302 and response["Location"] == APPLY
