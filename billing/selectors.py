"""Reads for the customer's billing screens. ``get_*_for`` return the object or raise 404 (another
organisation's subscription, invoice or contact is never found)."""

from __future__ import annotations

from django.db.models import Prefetch
from django.http import Http404
from django.utils import timezone

from billing.models import BillingContact, Entitlement, Invoice, SeatAssignment, Subscription, Trial


def subscriptions_of(organisation):
    return (
        Subscription.objects.filter(organisation=organisation)
        .exclude(status=Subscription.Status.INCOMPLETE)
        .select_related("listing", "listing_plan", "price", "entitlement")
        .order_by("-created_at")
    )


def trials_of(organisation):
    return Trial.objects.filter(organisation=organisation).select_related(
        "listing", "listing_plan", "entitlement"
    )


def active_trial(organisation, listing) -> Trial | None:
    if organisation is None:
        return None
    return Trial.objects.filter(
        organisation=organisation, listing=listing, status=Trial.Status.ACTIVE, ends_at__gt=timezone.now()
    ).first()


def live_subscription(organisation, listing) -> Subscription | None:
    if organisation is None:
        return None
    return (
        Subscription.objects.filter(
            organisation=organisation,
            listing=listing,
            status__in=(
                Subscription.Status.ACTIVE,
                Subscription.Status.PAST_DUE,
                Subscription.Status.SUSPENDED,
            ),
        )
        .order_by("-created_at")
        .first()
    )


def get_subscription_for(organisation, public_id) -> Subscription:
    sub = (
        subscriptions_of(organisation)
        .prefetch_related(
            Prefetch(
                "entitlement__seat_assignments",
                queryset=SeatAssignment.objects.select_related("user"),
            )
        )
        .filter(public_id=public_id)
        .first()
        if organisation is not None
        else None
    )
    if sub is None:
        raise Http404
    return sub


def get_trial_for(organisation, public_id) -> Trial:
    trial = trials_of(organisation).filter(public_id=public_id).first() if organisation is not None else None
    if trial is None:
        raise Http404
    return trial


def invoices_of(organisation):
    return (
        Invoice.objects.filter(organisation=organisation)
        .select_related("listing", "subscription")
        .order_by("-issued_at", "-pk")
    )


def get_invoice_for(organisation, public_id) -> Invoice:
    invoice = (
        invoices_of(organisation).prefetch_related("lines").filter(public_id=public_id).first()
        if organisation is not None
        else None
    )
    if invoice is None:
        raise Http404
    return invoice


def contacts_of(organisation):
    return BillingContact.objects.filter(organisation=organisation)


def get_contact_for(organisation, public_id) -> BillingContact:
    contact = (
        contacts_of(organisation).filter(public_id=public_id).first() if organisation is not None else None
    )
    if contact is None:
        raise Http404
    return contact


def entitlements_of(organisation):
    return Entitlement.objects.filter(organisation=organisation).select_related("listing")


def metered_subscriptions_for_partner(partner):
    return (
        Subscription.objects.filter(
            listing__partner=partner,
            price__usage_type="metered",
            status__in=(Subscription.Status.ACTIVE, Subscription.Status.PAST_DUE),
        )
        .select_related("organisation", "listing")
        .order_by("listing__title", "organisation__name")
    )
