"""Freshness: live listings with no update for ``CatalogSettings.stale_after_months`` are flagged,
their partner's owners are warned by email once, and staff may then delist them.

"Updated" means published or given a new version (``catalog.services.listings.mark_updated``),
which also clears the flag, so a listing is warned again only after it goes stale again.
The scheduled task ``catalog.flag_stale_listings`` (daily, ``catalog.0003_listing_review``)
calls :func:`flag_stale_listings`.
"""

from __future__ import annotations

from collections import defaultdict

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.actions.unpublish_page import UnpublishPageAction
from wagtail.log_actions import log

from catalog.models import CatalogSettings, ListingDelisting, ListingPage
from catalog.selectors.listings import live_listings
from core.tasks import enqueue_on_commit
from partners.services.programme import owner_emails, render_bilingual

DELIST_NEEDS_REASON = _("Give the reason for delisting: the partner reads it.")
DELIST_NOT_LIVE = _("This listing is not live, so there is nothing to delist.")
DELIST_LOG_ACTION = "catalog.delist"


def stale_cutoff(*, now=None, months: int | None = None):
    months = months or CatalogSettings.load().stale_after_months
    return (now or timezone.now()) - relativedelta(months=months)


def with_updated_at(queryset):
    """Annotate ``updated_at``: last update, else last publication, else first publication."""
    return queryset.annotate(
        updated_at=Coalesce("last_updated_at", "last_published_at", "first_published_at")
    )


def stale_listings(*, now=None, months: int | None = None):
    """Live, listed listings with no update since the cutoff (flagged or not)."""
    return with_updated_at(live_listings()).filter(updated_at__lt=stale_cutoff(now=now, months=months))


def flagged_listings():
    """Live listings whose owners were warned and which have not been updated since."""
    return (
        with_updated_at(live_listings())
        .filter(stale_warned_at__isnull=False)
        .order_by("stale_warned_at", "pk")
    )


@transaction.atomic
def flag_stale_listings(*, now=None) -> int:
    """Flag stale listings not flagged yet and queue one warning email per partner. Returns how
    many listings were flagged."""
    now = now or timezone.now()
    rows = list(
        stale_listings(now=now)
        .filter(stale_warned_at__isnull=True)
        .order_by("partner_id", "pk")
        .values_list("pk", "partner_id")
    )
    if not rows:
        return 0
    ListingPage.objects.filter(pk__in=[pk for pk, _partner in rows], stale_warned_at__isnull=True).update(
        stale_warned_at=now
    )
    by_partner: dict[int, list[int]] = defaultdict(list)
    for pk, partner_id in rows:
        if partner_id is not None:
            by_partner[partner_id].append(pk)
    for partner_id, listing_ids in by_partner.items():
        enqueue_on_commit("catalog.send_stale_warning", partner_id, listing_ids)
    return len(rows)


def _my_listings_url() -> str:
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + "/admin/my-listings/"


def send_stale_warning_email(*, partner_id: int, listing_ids: list[int]) -> int:
    """Email the partner's owners about their stale listings (those still flagged)."""
    listings = list(
        with_updated_at(ListingPage.objects.filter(pk__in=listing_ids, partner_id=partner_id))
        .filter(stale_warned_at__isnull=False, live=True)
        .select_related("partner__organisation")
        .order_by("title")
    )
    recipients = owner_emails([partner_id]).get(partner_id, [])
    if not listings or not recipients:
        return 0
    subject, body = render_bilingual(
        "catalog/emails/stale_warning",
        {
            "partner": listings[0].partner,
            "listings": listings,
            "months": CatalogSettings.load().stale_after_months,
            "url": _my_listings_url(),
        },
    )
    return send_mail(subject, body, None, recipients)


@transaction.atomic
def delist_listing(*, listing: ListingPage, user, reason: str) -> ListingDelisting:
    """Unpublish ``listing`` with a reason staff give; recorded, logged and mailed to its owners.

    The caller checks ``catalog.delist_listingpage``; Wagtail's own publish permission is not
    required (ecosystem admins may hold the first without page permissions)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": DELIST_NEEDS_REASON}, code="reason")
    listing = ListingPage.objects.select_for_update().get(pk=listing.pk)
    if not listing.live:
        raise ValidationError(DELIST_NOT_LIVE, code="not_live")
    now = timezone.now()
    UnpublishPageAction(listing, user=user, log_action=True).execute(skip_permission_checks=True)
    ListingPage.objects.filter(pk=listing.pk).update(delisted_at=now, delist_reason=reason)
    record = ListingDelisting.objects.create(
        listing=listing,
        reason=reason,
        delisted_by=user,
        delisted_at=now,
        last_updated_at=with_updated_at(ListingPage.objects.filter(pk=listing.pk))
        .values_list("updated_at", flat=True)
        .first(),
    )
    log(instance=listing, action=DELIST_LOG_ACTION, user=user, data={"reason": reason})
    enqueue_on_commit("catalog.send_delisted_email", record.pk)
    return record


def send_delisted_email_to_owners(*, delisting_id: int) -> int:
    record = ListingDelisting.objects.select_related("listing__partner__organisation").get(pk=delisting_id)
    partner_id = record.listing.partner_id
    recipients = owner_emails([partner_id]).get(partner_id, []) if partner_id else []
    if not recipients:
        return 0
    subject, body = render_bilingual(
        "catalog/emails/delisted",
        {"delisting": record, "listing": record.listing, "url": _my_listings_url()},
    )
    return send_mail(subject, body, None, recipients)


def stale_count() -> int:
    return flagged_listings().count()
