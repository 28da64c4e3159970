"""Private offers: a custom price for one customer organisation, with an expiry."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from billing.models.plans import Interval
from core.models import PublicIdModel, TimeStampedModel
from core.money import Currency, Money


class PrivateOffer(PublicIdModel, TimeStampedModel):
    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("private offer status", "Open")
        ACCEPTED = "accepted", _("Accepted")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    listing = models.ForeignKey(
        "catalog.ListingPage", on_delete=models.CASCADE, related_name="private_offers"
    )
    listing_plan = models.ForeignKey(
        "catalog.ListingPlan",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("based on plan"),
    )
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.CASCADE,
        related_name="private_offers",
        verbose_name=_("customer organisation"),
        limit_choices_to={"kind": "customer"},
    )
    title = models.CharField(_("title"), max_length=120)
    title_en = models.CharField(_("title (English)"), max_length=120, blank=True)
    terms = models.TextField(_("terms"), blank=True)
    terms_en = models.TextField(_("terms (English)"), blank=True)
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices, default=Currency.CNY)
    unit_amount = models.DecimalField(_("price"), max_digits=12, decimal_places=2)
    interval = models.CharField(_("billing"), max_length=10, choices=Interval.choices, default=Interval.YEAR)
    quantity = models.PositiveIntegerField(_("seats / quantity"), default=1)
    expires_at = models.DateTimeField(_("expires"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("private offer")
        verbose_name_plural = _("private offers")
        constraints = [
            models.CheckConstraint(condition=Q(unit_amount__gt=0), name="billing_offer_price_positive"),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="billing_offer_quantity_positive"),
        ]

    def __str__(self):
        return f"{self.title} → {self.organisation}"

    @property
    def t_title(self) -> str:
        from core.i18n import is_english

        return (self.title_en or self.title) if is_english() else self.title

    @property
    def t_terms(self) -> str:
        from core.i18n import is_english

        return (self.terms_en or self.terms) if is_english() else self.terms

    @property
    def money(self) -> Money:
        return Money(self.unit_amount, self.currency)

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def is_acceptable(self) -> bool:
        return self.status == self.Status.OPEN and not self.is_expired
