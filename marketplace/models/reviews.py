"""Ratings and reviews of listings, written by customer organisations that used them.

One review per organisation and listing; the listing's partner replies once; anyone logged in
reports abuse once per review; staff hide a review with a reason. The listing's rating
aggregate (``rating_average`` / ``rating_count`` / ``rating_histogram``) is kept by
``marketplace.services.reviews``, never written here.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import PublicIdModel, TimeStampedModel

RATING_MIN, RATING_MAX = 1, 5
TITLE_MAX_LENGTH = 120
BODY_MAX_LENGTH = 4000
REPLY_MAX_LENGTH = 2000


class Review(PublicIdModel, TimeStampedModel):
    class Status(models.TextChoices):
        PUBLISHED = "published", _("Published")
        HIDDEN = "hidden", _("Hidden by moderators")

    listing = models.ForeignKey(
        "catalog.ListingPage", on_delete=models.CASCADE, related_name="reviews", verbose_name=_("listing")
    )
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.CASCADE,
        related_name="reviews",
        verbose_name=_("customer organisation"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reviews",
        verbose_name=_("author"),
    )
    rating = models.PositiveSmallIntegerField(
        _("rating"), validators=[MinValueValidator(RATING_MIN), MaxValueValidator(RATING_MAX)]
    )
    title = models.CharField(_("title"), max_length=TITLE_MAX_LENGTH)
    body = models.TextField(_("review"), max_length=BODY_MAX_LENGTH)
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PUBLISHED, db_index=True
    )
    edited_at = models.DateTimeField(_("edited"), null=True, blank=True)
    hidden_reason = models.TextField(_("reason for hiding"), blank=True)
    hidden_at = models.DateTimeField(_("hidden"), null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("hidden by"),
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["listing", "organisation"], name="one_review_per_org_and_listing"
            ),
            models.CheckConstraint(
                condition=models.Q(rating__gte=RATING_MIN, rating__lte=RATING_MAX),
                name="review_rating_1_to_5",
            ),
        ]
        indexes = [models.Index(fields=["listing", "status", "-created_at"], name="review_listing_status")]
        permissions = [("moderate_review", _("Can hide and unhide reviews"))]
        verbose_name = _("review")
        verbose_name_plural = _("reviews")

    def __str__(self):
        return f"{self.title} ({self.rating}/5)"

    @property
    def is_hidden(self) -> bool:
        return self.status == self.Status.HIDDEN


class ReviewReply(TimeStampedModel):
    """The listing partner's one public answer to a review."""

    review = models.OneToOneField(
        Review, on_delete=models.CASCADE, related_name="reply", verbose_name=_("review")
    )
    partner = models.ForeignKey(
        "partners.Partner", on_delete=models.CASCADE, related_name="review_replies", verbose_name=_("partner")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    body = models.TextField(_("reply"), max_length=REPLY_MAX_LENGTH)

    class Meta:
        verbose_name = _("review reply")
        verbose_name_plural = _("review replies")

    def __str__(self):
        return f"{self.partner_id} → {self.review_id}"


class ReviewReport(models.Model):
    """Someone thinks a review breaks the rules; staff decide (hide it or dismiss the reports)."""

    class Reason(models.TextChoices):
        SPAM = "spam", _("Spam or advertising")
        OFFENSIVE = "offensive", _("Offensive or abusive language")
        CONFLICT = "conflict", _("Conflict of interest (a competitor or the vendor)")
        OFF_TOPIC = "off_topic", _("Not about this listing")
        PERSONAL_DATA = "personal_data", _("Contains personal data")
        OTHER = "other", _("Something else")

    review = models.ForeignKey(
        Review, on_delete=models.CASCADE, related_name="reports", verbose_name=_("review")
    )
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="review_reports",
        verbose_name=_("reporter"),
    )
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    details = models.TextField(_("details"), max_length=1000, blank=True)
    created_at = models.DateTimeField(_("reported"), auto_now_add=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["review", "reporter"], name="one_report_per_user_and_review"),
        ]
        verbose_name = _("review report")
        verbose_name_plural = _("review reports")

    def __str__(self):
        return f"{self.get_reason_display()} · {self.review_id}"
