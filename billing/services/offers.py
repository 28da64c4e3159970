"""Private offers: a custom price for one customer organisation, with an expiry."""

from __future__ import annotations

from django.db import transaction
from django.http import Http404
from django.utils import timezone

from billing.models import PrivateOffer


def visible_offers(organisation):
    if organisation is None:
        return PrivateOffer.objects.none()
    return PrivateOffer.objects.filter(
        organisation=organisation, status=PrivateOffer.Status.OPEN, expires_at__gt=timezone.now()
    ).select_related("listing", "listing_plan")


def get_offer_for(organisation, public_id) -> PrivateOffer:
    """An offer of this organisation (any status), or 404 — never another organisation's."""
    offer = (
        PrivateOffer.objects.filter(organisation=organisation, public_id=public_id)
        .select_related("listing", "listing_plan")
        .first()
        if organisation is not None
        else None
    )
    if offer is None:
        raise Http404
    return offer


@transaction.atomic
def mark_accepted(offer: PrivateOffer, *, user, subscription) -> None:
    offer = PrivateOffer.objects.select_for_update().get(pk=offer.pk)
    if offer.status == PrivateOffer.Status.ACCEPTED:
        return
    offer.status = PrivateOffer.Status.ACCEPTED
    offer.accepted_at = timezone.now()
    offer.accepted_by = user if getattr(user, "is_authenticated", False) else None
    offer.save(update_fields=["status", "accepted_at", "accepted_by", "updated_at"])


def withdraw(offer: PrivateOffer) -> None:
    PrivateOffer.objects.filter(pk=offer.pk, status=PrivateOffer.Status.OPEN).update(
        status=PrivateOffer.Status.WITHDRAWN, updated_at=timezone.now()
    )
