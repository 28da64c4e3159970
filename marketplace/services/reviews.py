"""Writing reviews, replies, reports and moderation decisions, and keeping the listing's rating
aggregate right.

Every change that can move a listing's rating (create, edit, hide, unhide, delete) runs in one
transaction with :func:`recompute_listing_rating`, which recomputes the aggregate from the
database in one query and writes it onto the listing with a queryset ``update()`` (no page
revision), then reports the partner's rating facts for the month.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.log_actions import log

from catalog.models import ListingPage, ListingUsage, UsageKind
from catalog.search.signals import listing_aggregates_changed
from marketplace.models import Review, ReviewReply, ReviewReport
from marketplace.permissions import can_moderate_reviews
from marketplace.selectors.reviews import can_edit_review, can_reply, review_eligibility
from partners.models import MetricSlug
from partners.services.facts import FactRow, report_facts

FACT_SOURCE = "marketplace"

ALREADY_REVIEWED = _(
    "Your organisation has already reviewed this listing. Edit that review instead of writing another."
)
ALREADY_REPLIED = _("The partner has already replied to this review; a review gets one public reply.")
ALREADY_REPORTED = _("You have already reported this review. Our moderators will look at it.")
CANNOT_EDIT = _("Only the author or an admin of the organisation can change this review.")
CANNOT_REPLY = _("Only an owner or admin of the listing's partner can reply to its reviews.")
CANNOT_MODERATE = _("Only ecosystem staff can hide or restore reviews.")
REASON_REQUIRED = _("Say why the review is hidden; the author sees the reason.")
LOGIN_REQUIRED = _("Log in to report a review.")
ALREADY_HIDDEN = _("This review is already hidden.")
NOT_HIDDEN = _("This review is not hidden.")
LOG_REVIEW_HIDDEN = "marketplace.review_hidden"  # audit log actions (Wagtail site history)
LOG_REVIEW_UNHIDDEN = "marketplace.review_unhidden"


@dataclass(frozen=True)
class RatingSummary:
    average: Decimal | None
    count: int
    histogram: dict[str, int]


def _average_places() -> Decimal:
    places = ListingPage._meta.get_field("rating_average").decimal_places or 0
    return Decimal(1).scaleb(-places)


# The listing's rating is weighted by verified usage (issue #18): a review from an organisation that
# has subscribed to the listing (a paying customer) counts this many times as much as one from an
# organisation that only trialled it. Every review comes from verified usage (review_eligibility);
# the listing page explains the weighting beside the rating. The count and histogram stay plain.
SUBSCRIBER_WEIGHT = 2


def _subscribers(listing_ids) -> set[tuple[int, int]]:
    """(listing id, organisation id) pairs with a subscription usage: one query."""
    return set(
        ListingUsage.objects.filter(
            listing_id__in=list(listing_ids), kind=UsageKind.SUBSCRIPTION
        ).values_list("listing_id", "organisation_id")
    )


def weighted_average(ratings) -> Decimal | None:
    """``ratings``: (rating, weight) pairs → the weighted mean, rounded as the stored average."""
    total = weights = 0
    for rating, weight in ratings:
        total += rating * weight
        weights += weight
    if not weights:
        return None
    return (Decimal(total) / weights).quantize(_average_places(), rounding=ROUND_HALF_UP)


def _weighted_averages(listing_ids) -> dict[int, Decimal | None]:
    """{listing id: usage-weighted average of its published reviews}: two queries."""
    subscribers = _subscribers(listing_ids)
    ratings: dict[int, list[tuple[int, int]]] = {}
    for listing_id, organisation_id, rating in Review.objects.filter(
        listing_id__in=list(listing_ids), status=Review.Status.PUBLISHED
    ).values_list("listing_id", "organisation_id", "rating"):
        weight = SUBSCRIBER_WEIGHT if (listing_id, organisation_id) in subscribers else 1
        ratings.setdefault(listing_id, []).append((rating, weight))
    return {listing_id: weighted_average(pairs) for listing_id, pairs in ratings.items()}


def rating_summary(*, listing_id: int) -> RatingSummary:
    """Usage-weighted average, count and histogram of a listing's published reviews (three queries)."""
    stats = Review.objects.filter(listing_id=listing_id, status=Review.Status.PUBLISHED).aggregate(
        count=Count("pk"),
        **{f"r{star}": Count("pk", filter=Q(rating=star)) for star in range(1, 6)},
    )
    count = stats["count"] or 0
    average = _weighted_averages([listing_id]).get(listing_id) if count else None
    return RatingSummary(
        average=average, count=count, histogram={str(star): stats[f"r{star}"] for star in range(1, 6)}
    )


def report_rating_facts(*, partner_ids, month: date | None = None) -> int:
    """Report each partner's average rating and review count (all its listings) for the month."""
    partner_ids = sorted({pid for pid in partner_ids if pid})
    if not partner_ids:
        return 0
    month = month or timezone.localdate()
    stats = {
        row["listing__partner_id"]: row
        for row in Review.objects.filter(status=Review.Status.PUBLISHED, listing__partner_id__in=partner_ids)
        .values("listing__partner_id")
        .annotate(count=Count("pk"), total=Sum("rating"))
        .order_by()
    }
    rows = []
    for pid in partner_ids:
        count = stats.get(pid, {}).get("count", 0)
        total = stats.get(pid, {}).get("total") or 0
        average = (Decimal(total) / count).quantize(Decimal("0.01"), ROUND_HALF_UP) if count else Decimal(0)
        rows += [
            FactRow(pid, MetricSlug.AVG_RATING, month, average),
            FactRow(pid, MetricSlug.REVIEW_COUNT, month, count),
        ]
    return report_facts(source=FACT_SOURCE, rows=rows)


@transaction.atomic
def recompute_listing_rating(
    *, listing_id: int, month: date | None = None, report: bool = True
) -> RatingSummary:
    """Write the listing's ``rating_*`` fields from its published reviews; report partner facts."""
    # Lock the listing row first: a concurrent change waits, then aggregates what both wrote.
    partner_id = (
        ListingPage.objects.select_for_update(of=("self",))
        .filter(pk=listing_id)
        .values_list("partner_id", flat=True)
        .first()
    )
    summary = rating_summary(listing_id=listing_id)
    ListingPage.objects.filter(pk=listing_id).update(
        rating_average=summary.average, rating_count=summary.count, rating_histogram=summary.histogram
    )
    listing_aggregates_changed(listing_id)  # rating sort and ranking read the indexed figures
    if report and partner_id:
        report_rating_facts(partner_ids=[partner_id], month=month)
    return summary


def recompute_listing_ratings(
    *, listing_ids, month: date | None = None, report: bool = False, reindex: bool = True
) -> int:
    """The same recomputation for many listings at once (seeding, repairs): one grouped aggregate
    query and one bulk update per thousand listings, then one re-index task for them all (the
    seed passes ``reindex=False``: it rebuilds the whole index at its end). Returns how many
    listings were written."""
    ids = sorted(set(listing_ids))
    written = 0
    for start in range(0, len(ids), 1000):
        batch = ids[start : start + 1000]
        with transaction.atomic():
            stats = {
                row["listing_id"]: row
                for row in Review.objects.filter(listing_id__in=batch, status=Review.Status.PUBLISHED)
                .values("listing_id")
                .annotate(
                    count=Count("pk"),
                    total=Sum("rating"),
                    **{f"r{star}": Count("pk", filter=Q(rating=star)) for star in range(1, 6)},
                )
                .order_by()
            }
            averages = _weighted_averages(batch)
            pages = []
            for pk in batch:
                row = stats.get(pk)
                count = row["count"] if row else 0
                page = ListingPage(pk=pk)
                page.rating_count = count
                page.rating_average = averages.get(pk) if count else None
                page.rating_histogram = {str(star): (row[f"r{star}"] if row else 0) for star in range(1, 6)}
                pages.append(page)
            ListingPage.objects.bulk_update(pages, ["rating_average", "rating_count", "rating_histogram"])
            written += len(pages)
    if reindex:
        listing_aggregates_changed(*ids)
    if report:
        partner_ids = ListingPage.objects.filter(pk__in=ids).values_list("partner_id", flat=True).distinct()
        report_rating_facts(partner_ids=list(partner_ids), month=month)
    return written


# --- reviews --------------------------------------------------------------------------------------
def _clean_text(value: str) -> str:
    return (value or "").replace("\r\n", "\n").strip()


@transaction.atomic
def create_review(
    *, user, organisation, listing, rating: int, title: str, body: str, language: str = "", today=None
) -> Review:
    """A new review by ``user`` for ``organisation``; refused with a message when not eligible."""
    eligibility = review_eligibility(user=user, organisation=organisation, listing=listing, today=today)
    if eligibility.existing is not None:
        raise ValidationError(ALREADY_REVIEWED, code="duplicate")
    if not eligibility.allowed:
        raise ValidationError(eligibility.reason, code="not_eligible")
    review = Review(
        listing_id=listing.pk,
        organisation=organisation,
        author=user,
        rating=rating,
        title=_clean_text(title),
        body=_clean_text(body),
    )
    if language:
        review.language = language
    review.full_clean(validate_unique=False, validate_constraints=False)
    try:
        with transaction.atomic():
            review.save()
    except IntegrityError as exc:  # a colleague posted at the same moment
        raise ValidationError(ALREADY_REVIEWED, code="duplicate") from exc
    recompute_listing_rating(listing_id=listing.pk)
    return review


@transaction.atomic
def update_review(*, review: Review, user, rating: int, title: str, body: str, language: str = "") -> Review:
    if not can_edit_review(user, review):
        raise ValidationError(CANNOT_EDIT, code="forbidden")
    review = Review.objects.select_for_update().get(pk=review.pk)
    review.rating, review.title, review.body = rating, _clean_text(title), _clean_text(body)
    if language:
        review.language = language
    review.edited_at = timezone.now()
    review.full_clean(validate_unique=False, validate_constraints=False)
    review.save()
    recompute_listing_rating(listing_id=review.listing_id)
    return review


@transaction.atomic
def delete_review(*, review: Review, user) -> None:
    if not (can_edit_review(user, review) or can_moderate_reviews(user)):
        raise ValidationError(CANNOT_EDIT, code="forbidden")
    listing_id = review.listing_id
    Review.objects.filter(pk=review.pk).delete()
    recompute_listing_rating(listing_id=listing_id)


# --- replies and reports -----------------------------------------------------------------------------
@transaction.atomic
def reply_to_review(*, review: Review, user, body: str, partner=None) -> ReviewReply:
    """``partner``: the partner API replying for the listing's partner (``user`` is then None)."""
    allowed = partner.pk == review.listing.partner_id if partner is not None else can_reply(user, review)
    if not allowed:
        raise ValidationError(CANNOT_REPLY, code="forbidden")
    if ReviewReply.objects.filter(review_id=review.pk).exists():
        raise ValidationError(ALREADY_REPLIED, code="duplicate")
    reply = ReviewReply(
        review=review, partner_id=review.listing.partner_id, author=user, body=_clean_text(body)
    )
    reply.full_clean(exclude=["review"], validate_unique=False, validate_constraints=False)
    try:
        with transaction.atomic():
            reply.save()
    except IntegrityError as exc:
        raise ValidationError(ALREADY_REPLIED, code="duplicate") from exc
    return reply


@transaction.atomic
def report_review(*, review: Review, user, reason: str, details: str = "") -> ReviewReport:
    if not getattr(user, "is_authenticated", False):
        raise ValidationError(LOGIN_REQUIRED, code="login")
    if ReviewReport.objects.filter(review_id=review.pk, reporter=user).exists():
        raise ValidationError(ALREADY_REPORTED, code="duplicate")
    report = ReviewReport(review=review, reporter=user, reason=reason, details=_clean_text(details))
    report.full_clean(exclude=["review", "reporter"], validate_unique=False, validate_constraints=False)
    try:
        with transaction.atomic():
            report.save()
    except IntegrityError as exc:
        raise ValidationError(ALREADY_REPORTED, code="duplicate") from exc
    return report


# --- moderation ---------------------------------------------------------------------------------------
@transaction.atomic
def hide_review(*, review: Review, user, reason: str, report: bool = True) -> Review:
    """Take a review off the page and out of the aggregate; its open reports are resolved."""
    if not can_moderate_reviews(user):
        raise ValidationError(CANNOT_MODERATE, code="forbidden")
    reason = _clean_text(reason)
    if not reason:
        raise ValidationError(REASON_REQUIRED, code="reason")
    review = Review.objects.select_for_update().get(pk=review.pk)
    if review.is_hidden:
        raise ValidationError(ALREADY_HIDDEN, code="state")
    now = timezone.now()
    review.status, review.hidden_reason, review.hidden_at, review.hidden_by = (
        Review.Status.HIDDEN,
        reason,
        now,
        user,
    )
    review.save(update_fields=["status", "hidden_reason", "hidden_at", "hidden_by", "updated_at"])
    ReviewReport.objects.filter(review=review, resolved_at__isnull=True).update(resolved_at=now)
    recompute_listing_rating(listing_id=review.listing_id, report=report)
    data = {"listing": review.listing_id, "reason": reason}
    log(instance=review, action=LOG_REVIEW_HIDDEN, user=user, data=data)
    return review


@transaction.atomic
def unhide_review(*, review: Review, user) -> Review:
    if not can_moderate_reviews(user):
        raise ValidationError(CANNOT_MODERATE, code="forbidden")
    review = Review.objects.select_for_update().get(pk=review.pk)
    if not review.is_hidden:
        raise ValidationError(NOT_HIDDEN, code="state")
    previous_reason = review.hidden_reason
    review.status, review.hidden_reason, review.hidden_at, review.hidden_by = (
        Review.Status.PUBLISHED,
        "",
        None,
        None,
    )
    review.save(update_fields=["status", "hidden_reason", "hidden_at", "hidden_by", "updated_at"])
    recompute_listing_rating(listing_id=review.listing_id)
    log(
        instance=review,
        action=LOG_REVIEW_UNHIDDEN,
        user=user,
        data={"listing": review.listing_id, "hidden_reason": previous_reason},
    )
    return review


@transaction.atomic
def dismiss_reports(*, review: Review, user) -> int:
    """The review stays; its open reports are marked resolved."""
    if not can_moderate_reviews(user):
        raise ValidationError(CANNOT_MODERATE, code="forbidden")
    return ReviewReport.objects.filter(review=review, resolved_at__isnull=True).update(
        resolved_at=timezone.now()
    )
