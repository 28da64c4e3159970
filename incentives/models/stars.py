"""Star ratings (1–5) of delivery capability for service and channel partners, per month."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class StarRating(models.Model):
    partner = models.ForeignKey("partners.Partner", on_delete=models.CASCADE, related_name="star_ratings")
    month = models.DateField(_("month"), help_text=_("First day of the month."))
    stars = models.PositiveSmallIntegerField(_("stars"))
    score = models.DecimalField(_("score"), max_digits=4, decimal_places=2)
    explanation = models.JSONField(_("explanation"), default=list, blank=True)
    computed_at = models.DateTimeField(_("computed"), auto_now=True)

    class Meta:
        ordering = ["-month", "partner"]
        constraints = [
            models.UniqueConstraint(fields=["partner", "month"], name="starrating_unique_month"),
            models.CheckConstraint(condition=models.Q(stars__gte=1, stars__lte=5), name="starrating_range"),
        ]
        verbose_name = _("star rating")
        verbose_name_plural = _("star ratings")

    def __str__(self):
        return f"{self.partner_id} · {self.month:%Y-%m} · {self.stars}★"


class DeliveryOutcome(models.Model):
    """A delivery project's outcome, entered by staff (acceptance records from custom
    requirements feed the same fact where they exist). Monthly, they become the partner's
    ``delivery_success_rate`` fact (``incentives.services.stars.report_delivery_outcomes``)."""

    partner = models.ForeignKey(
        "partners.Partner",
        on_delete=models.CASCADE,
        related_name="delivery_outcomes",
        verbose_name=_("partner"),
    )
    project = models.CharField(_("project"), max_length=200)
    customer = models.CharField(_("customer"), max_length=200, blank=True)
    accepted_on = models.DateField(_("accepted or closed on"))
    successful = models.BooleanField(_("accepted by the customer"), default=True)
    note = models.CharField(_("note"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("entered"), auto_now_add=True)

    class Meta:
        ordering = ["-accepted_on", "pk"]
        verbose_name = _("delivery outcome")
        verbose_name_plural = _("delivery outcomes")

    def __str__(self):
        return f"{self.partner} · {self.project}"
