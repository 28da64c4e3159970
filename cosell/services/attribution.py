"""Attribution: when a registered customer pays for a registered listing, the invoice is linked
to the registration (co-sell revenue), the registration is won, and the paying organisation
becomes a known customer for later conflict checks.

Called from billing's ``invoice_paid`` signal, inside the transaction that marks the invoice
paid; idempotent per invoice (a replayed signal links nothing twice).
"""

from __future__ import annotations

from django.db import transaction

from cosell.matching import Company
from cosell.models import Attribution, DealRegistration, KnownAccount, Status
from cosell.services import registrations as svc
from cosell.services.conflicts import matching_registrations

ATTRIBUTABLE = (Status.APPROVED, Status.WON)


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
    attribution = Attribution.objects.create(
        registration=registration,
        invoice=invoice,
        subscription=invoice.subscription,
        amount=invoice.subtotal or invoice.total,
        currency=invoice.currency,
    )
    if registration.customer_organisation_id != organisation.pk:
        DealRegistration.objects.filter(pk=registration.pk).update(customer_organisation=organisation)
    if registration.status == Status.APPROVED:
        svc.close_won(registration=registration, user=None, code="purchase", note=invoice.number)
    return attribution
