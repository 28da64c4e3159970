"""Attribution: when a registered customer pays for a registered listing, the invoice is linked
to the registration (co-sell revenue), the registration is won, and the paying organisation
becomes a known customer for later conflict checks.

Called from billing's ``invoice_paid`` signal, inside the transaction that marks the invoice
paid; idempotent per invoice (a replayed signal links nothing twice).
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext

from billing.services.ledger import post_adjustment
from core.money import quantize
from cosell.matching import Company
from cosell.models import Attribution, DealRegistration, KnownAccount, Status
from cosell.services import funded
from cosell.services import registrations as svc
from cosell.services.conflicts import matching_registrations

ATTRIBUTABLE = (Status.APPROVED, Status.WON)


def translation_default():
    from django.conf import settings
    from django.utils import translation

    return translation.override(settings.LANGUAGE_CODE)


def organisation_company(organisation) -> Company:
    return Company(name_zh=organisation.name, name_en=organisation.name_en, domain=organisation.website)


def _registration_for(invoice) -> DealRegistration | None:
    organisation = invoice.organisation
    linked = (
        DealRegistration.objects.filter(
            customer_organisation=organisation, listings=invoice.listing_id, status__in=ATTRIBUTABLE
        )
        .order_by("submitted_at", "pk")
        .first()
    )
    if linked is not None:
        return linked
    for registration in matching_registrations(
        organisation_company(organisation), statuses=ATTRIBUTABLE, listing_id=invoice.listing_id
    ):
        if registration.status == Status.WON or registration.is_protected:
            return registration
    return None


@transaction.atomic
def attribute_invoice(*, invoice) -> Attribution | None:
    organisation = invoice.organisation
    account, created = KnownAccount.objects.get_or_create(
        organisation=organisation,
        defaults={
            "kind": KnownAccount.Kind.CUSTOMER,
            "name": organisation.name,
            "name_en": organisation.name_en,
            "domain": organisation.website,
        },
    )
    if Attribution.objects.filter(invoice=invoice).exists():
        return None
    registration = _registration_for(invoice)
    if registration is None:
        return None
    amount = invoice.subtotal or invoice.total
    rate = svc.protection_rule(registration.partner).referral_rate or Decimal("0")
    # A referral fee for bringing a customer to another partner's listing (never for one's own).
    commission = Decimal("0")
    if rate > 0 and invoice.partner_id != registration.partner_id:
        commission = quantize(amount * rate / 100, invoice.currency)
    attribution = Attribution.objects.create(
        registration=registration,
        invoice=invoice,
        subscription=invoice.subscription,
        amount=amount,
        currency=invoice.currency,
        referral_commission=commission,
    )
    funded.announce_revenue(attribution)
    if commission > 0:
        with translation_default():
            description = gettext("Co-sell referral commission: invoice %(number)s") % {
                "number": invoice.number
            }
        post_adjustment(
            partner=registration.partner,
            amount=commission,
            currency=invoice.currency,
            description=description,
            reference=f"cosell-referral:{invoice.pk}",
        )
    if registration.customer_organisation_id != organisation.pk:
        DealRegistration.objects.filter(pk=registration.pk).update(customer_organisation=organisation)
    if registration.status == Status.APPROVED:
        svc.close_won(registration=registration, user=None, code="purchase", note=invoice.number)
    return attribution
