"""Reads about reviews: eligibility, the "verified customer" badge, the listing page's review
section (a bounded number of queries whatever the number of reviews) and 404-or-object access.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.models import MANAGER_ROLES, Membership, Organisation
from catalog.models import ListingPage, ListingUsage, UsageKind
from marketplace.models import Review, ReviewReport
from marketplace.permissions import can_moderate_reviews

REVIEWS_PER_PAGE = 10
SORTS = {
    "recent": ("-created_at", "-pk"),
    "highest": ("-rating", "-created_at", "-pk"),
    "lowest": ("rating", "-created_at", "-pk"),
}
SORT_LABELS = (("recent", _("Most recent")), ("highest", _("Highest rated")), ("lowest", _("Lowest rated")))

# Why someone may not review (module constants so tests assert on them).
LOGIN_TO_REVIEW = _("Log in to review this listing.")
NO_ORGANISATION = _(
    "Reviews are written on behalf of a customer organisation, and you are not a member of one."
)
NOT_A_CUSTOMER = _("Only customers review listings. Switch to your customer organisation to write a review.")
NO_USAGE = _(
    "Only customers who have used this listing can review it: %(organisation)s has no trial or "
    "subscription of it yet."
)
OWN_LISTING = _("You cannot review a listing of your own organisation.")


# --- usage: who used a listing, and for how long ------------------------------------------------
@dataclass(frozen=True)
class UsageSpan:
    days: int
    subscribed: bool  # ever had a subscription (else: trials only)

    @property
    def label(self) -> str:
        who = _("Verified customer") if self.subscribed else _("Verified trial user")
        return f"{who} · {duration_label(self.days)}"


def duration_label(days: int) -> str:
    days = max(days, 1)
    if days < 30:
        return ngettext("used for %(count)d day", "used for %(count)d days", days) % {"count": days}
    months = max(1, int(days / 30.4375 + 0.5))
    if months < 24:
        return ngettext("used for %(count)d month", "used for %(count)d months", months) % {"count": months}
    years = months // 12
    return ngettext("used for %(count)d year", "used for %(count)d years", years) % {"count": years}


def _merged_days(intervals: list[tuple[date, date]]) -> int:
    total, current_start, current_end = 0, None, None
    for start, end in sorted(intervals):
        if current_end is None or start > current_end:
            if current_end is not None:
                total += (current_end - current_start).days
            current_start, current_end = start, end
        else:
            current_end = max(current_end, end)
    if current_end is not None:
        total += (current_end - current_start).days
    return total


def usage_spans(*, listing_id: int, organisation_ids, today: date | None = None) -> dict[int, UsageSpan]:
    """organisation id → how long it has used the listing (overlapping usages counted once). One query."""
    today = today or timezone.localdate()
    rows = ListingUsage.objects.filter(
        listing_id=listing_id, organisation_id__in=list(organisation_ids), started_on__lte=today
    ).values_list("organisation_id", "kind", "started_on", "ended_on")
    intervals: dict[int, list[tuple[date, date]]] = defaultdict(list)
    subscribed: dict[int, bool] = defaultdict(bool)
    for org_id, kind, started_on, ended_on in rows:
        end = min(ended_on or today, today)
        intervals[org_id].append((started_on, max(end, started_on)))
        subscribed[org_id] |= kind == UsageKind.SUBSCRIPTION
    return {
        org_id: UsageSpan(days=_merged_days(spans), subscribed=subscribed[org_id])
        for org_id, spans in intervals.items()
    }


# --- eligibility --------------------------------------------------------------------------------
@dataclass
class Eligibility:
    allowed: bool
    reason: str = ""
    organisation: Organisation | None = None
    existing: Review | None = None  # the organisation's review of the listing: edit, don't add
    span: UsageSpan | None = None


def review_eligibility(*, user, organisation, listing, today=None) -> Eligibility:
    """Whether ``user`` may review ``listing`` for ``organisation`` (their active organisation)."""
    if not getattr(user, "is_authenticated", False):
        return Eligibility(False, str(LOGIN_TO_REVIEW))
    if organisation is None:
        return Eligibility(False, str(NO_ORGANISATION))
    if organisation.kind != Organisation.Kind.CUSTOMER:
        partner_org_id = getattr(listing.partner, "organisation_id", None) if listing.partner_id else None
        reason = OWN_LISTING if organisation.pk == partner_org_id else NOT_A_CUSTOMER
        return Eligibility(False, str(reason), organisation=organisation)
    if not Membership.objects.filter(user=user, organisation=organisation).exists():
        return Eligibility(False, str(NO_ORGANISATION))
    span = usage_spans(listing_id=listing.pk, organisation_ids=[organisation.pk], today=today).get(
        organisation.pk
    )
    existing = (
        Review.objects.select_related("organisation", "author", "reply__partner__organisation")
        .filter(listing_id=listing.pk, organisation=organisation)
        .first()
    )
    if span is None:
        return Eligibility(
            False,
            str(NO_USAGE) % {"organisation": organisation},
            organisation=organisation,
            existing=existing,
        )
    return Eligibility(True, organisation=organisation, existing=existing, span=span)


# --- access (404 for everyone else) -------------------------------------------------------------
def _review_queryset():
    return Review.objects.select_related("listing", "listing__partner", "organisation", "author", "reply")


def can_edit_review(user, review: Review) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if review.author_id == user.pk:
        return Membership.objects.filter(user=user, organisation_id=review.organisation_id).exists()
    return Membership.objects.filter(
        user=user, organisation_id=review.organisation_id, role__in=MANAGER_ROLES
    ).exists()


def get_review_for_editor(user, public_id) -> Review:
    """The review if ``user`` wrote it (and is still a member) or manages its organisation; else 404."""
    review = _review_queryset().filter(public_id=public_id).first()
    if review is None or not can_edit_review(user, review):
        raise Http404
    return review


def can_reply(user, review: Review) -> bool:
    partner = review.listing.partner
    if partner is None or not getattr(user, "is_authenticated", False):
        return False
    return Membership.objects.filter(
        user=user, organisation_id=partner.organisation_id, role__in=MANAGER_ROLES
    ).exists()


def get_review_for_partner(user, public_id) -> Review:
    """A published review of one of the listings of a partner ``user`` manages; else 404."""
    review = _review_queryset().filter(public_id=public_id, status=Review.Status.PUBLISHED).first()
    if review is None or not can_reply(user, review):
        raise Http404
    return review


def get_public_review(public_id) -> Review:
    review = _review_queryset().filter(public_id=public_id, status=Review.Status.PUBLISHED).first()
    if review is None:
        raise Http404
    return review


def get_review_for_moderator(user, public_id) -> Review:
    if not can_moderate_reviews(user):
        raise Http404
    review = _review_queryset().filter(public_id=public_id).first()
    if review is None:
        raise Http404
    return review


def get_listing(listing_id) -> ListingPage:
    """A live listing by page id, or 404."""
    listing = ListingPage.objects.live().select_related("partner").filter(pk=listing_id).first()
    if listing is None:
        raise Http404
    return listing


# --- the listing page's review section ----------------------------------------------------------
@dataclass
class ReviewSection:
    listing: ListingPage
    page_obj: object
    reviews: list
    sort: str
    eligibility: Eligibility
    own_review: Review | None
    can_moderate: bool
    partner_can_reply: bool
    reported_ids: set = field(default_factory=set)
    sort_labels: tuple = SORT_LABELS


def review_section(
    *, listing: ListingPage, user, organisation, page_number=1, sort="recent"
) -> ReviewSection:
    """Published reviews (paginated), each with its reply and verified-usage badge, plus what
    the viewer may do. A fixed number of queries whatever the number of reviews."""
    sort = sort if sort in SORTS else "recent"
    reviews = (
        Review.objects.filter(listing_id=listing.pk, status=Review.Status.PUBLISHED)
        .select_related("organisation", "author", "reply__partner__organisation")
        .order_by(*SORTS[sort])
    )
    paginator = Paginator(reviews, REVIEWS_PER_PAGE)
    page_obj = paginator.get_page(page_number)
    items = list(page_obj.object_list)

    eligibility = review_eligibility(user=user, organisation=organisation, listing=listing)
    own = eligibility.existing
    org_ids = {review.organisation_id for review in items}
    if own is not None:
        org_ids.add(own.organisation_id)
    spans = usage_spans(listing_id=listing.pk, organisation_ids=org_ids) if org_ids else {}
    for review in [*items, *([own] if own else [])]:
        review.usage_span = spans.get(review.organisation_id)
    if own is not None:
        # The organisation's review is shown in its own box (with edit) even when hidden.
        items = [review for review in items if review.pk != own.pk]
        own.can_edit = can_edit_review(user, own)

    authenticated = getattr(user, "is_authenticated", False)
    reported = set()
    if authenticated and items:
        reported = set(
            ReviewReport.objects.filter(reporter=user, review__in=[r.pk for r in items]).values_list(
                "review_id", flat=True
            )
        )
    partner_can_reply = bool(
        authenticated
        and listing.partner_id
        and Membership.objects.filter(
            Q(user=user) & Q(organisation__partner__pk=listing.partner_id) & Q(role__in=MANAGER_ROLES)
        ).exists()
    )
    return ReviewSection(
        listing=listing,
        page_obj=page_obj,
        reviews=items,
        sort=sort,
        eligibility=eligibility,
        own_review=own,
        can_moderate=can_moderate_reviews(user),
        partner_can_reply=partner_can_reply,
        reported_ids=reported,
    )


def review_for_display(review_id) -> Review:
    """One published review with its reply and usage badge (after a reply or report)."""
    review = Review.objects.select_related("organisation", "author", "reply__partner__organisation").get(
        pk=review_id
    )
    review.usage_span = usage_spans(
        listing_id=review.listing_id, organisation_ids=[review.organisation_id]
    ).get(review.organisation_id)
    return review


# --- staff moderation queue ---------------------------------------------------------------------
def moderation_queue(*, status: str = "reported", query: str = ""):
    from django.db.models import Count

    qs = Review.objects.select_related("listing", "organisation", "author", "hidden_by").annotate(
        open_reports=Count("reports", filter=Q(reports__resolved_at__isnull=True)),
        all_reports=Count("reports"),
    )
    if status == "reported":
        qs = qs.filter(open_reports__gt=0)
    elif status in Review.Status.values:
        qs = qs.filter(status=status)
    if query:
        qs = qs.filter(
            Q(title__icontains=query) | Q(body__icontains=query) | Q(organisation__name__icontains=query)
        )
    return qs.order_by("-open_reports", "-created_at")
