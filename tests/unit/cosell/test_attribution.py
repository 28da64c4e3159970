"""Attribution of a purchase to the registration, the paying customer becoming known, facts."""

from decimal import Decimal

import pytest
from django.utils import timezone

from billing.models import Invoice, LedgerEntry, LedgerKind
from billing.services.invoices import mark_paid
from cosell.models import Attribution, KnownAccount, ProtectionRule, Status
from cosell.services import facts
from cosell.services import registrations as svc
from partners.models import PartnerFact
from tests.factories.billing import InvoiceFactory, customer
from tests.factories.cosell import deal_data
from tests.factories.partners import owner_of

pytestmark = pytest.mark.django_db


def submitted(partner, listing, **overrides):
    reg = svc.create_registration(
        partner=partner, user=owner_of(partner), data=deal_data(listing, **overrides)
    )
    return svc.submit(registration=reg, user=owner_of(partner))


@pytest.fixture
def buyer(db):
    org = customer("xinghe-retail", website="https://www.xinghe-retail.cn")
    org.name, org.name_en = "星河零售有限公司", "Xinghe Retail"
    org.save()
    return org


def pay(listing, buyer, total="1200.00"):
    inv = InvoiceFactory(
        partner=listing.partner,
        listing=listing,
        organisation=buyer,
        total=total,
        status=Invoice.Status.OPEN,
        paid_at=None,
    )
    assert mark_paid(inv)
    return inv


def test_purchase_by_the_registered_customer_is_attributed_and_won(
    partner_a, partner_b, listing, buyer, client
):
    ProtectionRule.objects.create(partner_kind=partner_a.kind, referral_rate=Decimal("10"))
    reg = submitted(
        partner_a, listing, customer_name="上海星河零售有限公司", customer_domain="xinghe-retail.cn"
    )
    inv = pay(listing, buyer)
    attribution = Attribution.objects.get(invoice=inv)
    assert attribution.registration == reg and attribution.amount == Decimal("1200.00")
    reg.refresh_from_db()
    assert reg.status == Status.WON and reg.customer_organisation == buyer
    assert reg.transitions.last().code == "purchase"
    # The configured referral commission is owed to the registering partner, in the ledger.
    entry = LedgerEntry.objects.get(partner=partner_a, kind=LedgerKind.ADJUSTMENT)
    assert entry.amount == Decimal("120.00") == attribution.referral_commission
    client.force_login(owner_of(partner_a))
    page = client.get(f"/en/partners/console/deals/{reg.public_id}/").content.decode()
    assert "Won" in page and inv.number in page and "120.00" in page
    # A replayed signal attributes nothing twice.
    from billing.signals import invoice_paid

    invoice_paid.send(sender=Invoice, invoice=inv)
    assert Attribution.objects.count() == 1
    # The buyer is now a known customer: another partner registering it is held.
    assert KnownAccount.objects.filter(organisation=buyer, kind=KnownAccount.Kind.CUSTOMER).exists()
    later = submitted(partner_b, listing, customer_name="星河零售")
    assert later.conflict_hold and later.conflicts.get().account.organisation == buyer

    assert facts.report() > 0
    month = timezone.localdate().replace(day=1)
    revenue = PartnerFact.objects.get(partner=partner_a, metric__slug="cosell_revenue", month=month)
    assert revenue.value == Decimal("1200.00")
    win_rate = PartnerFact.objects.get(partner=partner_a, metric__slug="cosell_win_rate", month=month)
    assert win_rate.value == Decimal("100")


def test_a_purchase_of_an_unregistered_listing_is_not_attributed(partner_a, listing, buyer):
    from tests.factories.marketplace import make_listing

    submitted(partner_a, listing, customer_name="星河零售有限公司")
    other = make_listing(title="别的应用")
    pay(other, buyer)
    assert not Attribution.objects.exists()


def test_an_unrelated_customer_is_not_attributed(partner_a, listing, buyer):
    submitted(partner_a, listing, customer_name="北京蓝鲸物流有限公司")
    pay(listing, buyer)
    assert not Attribution.objects.exists()
