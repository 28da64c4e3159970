"""The Stripe side of catalogue plans: one product per listing, one price per plan × currency × amount.

Prices in Stripe are immutable, so a changed amount makes a new ``PlanPrice`` and the old one is
deactivated; subscriptions keep pointing at the price they were sold at.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import TimeStampedModel
from core.money import Currency, Money


class Interval(models.TextChoices):
    MONTH = "month", _("Monthly")
    YEAR = "year", _("Annual")
    ONCE = "once", _("One-time")


class UsageType(models.TextChoices):
    LICENSED = "licensed", _("Licensed")
    METERED = "metered", _("Metered")


class StripeProduct(TimeStampedModel):
    listing = models.OneToOneField(
        "catalog.ListingPage", on_delete=models.CASCADE, related_name="stripe_product"
    )
    stripe_product_id = models.CharField(max_length=64, unique=True)

    class Meta:
        verbose_name = _("Stripe product")
        verbose_name_plural = _("Stripe products")

    def __str__(self):
        return self.stripe_product_id


class PlanPrice(TimeStampedModel):
    listing = models.ForeignKey("catalog.ListingPage", on_delete=models.CASCADE, related_name="plan_prices")
    listing_plan = models.ForeignKey(
        "catalog.ListingPlan", on_delete=models.SET_NULL, null=True, blank=True, related_name="billing_prices"
    )
    private_offer = models.ForeignKey(
        "billing.PrivateOffer", on_delete=models.CASCADE, null=True, blank=True, related_name="prices"
    )
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices)
    unit_amount = models.DecimalField(_("unit price"), max_digits=12, decimal_places=2)
    interval = models.CharField(_("interval"), max_length=10, choices=Interval.choices)
    usage_type = models.CharField(
        _("usage type"), max_length=10, choices=UsageType.choices, default=UsageType.LICENSED
    )
    per_seat = models.BooleanField(_("per seat"), default=False)
    stripe_price_id = models.CharField(max_length=64, blank=True, db_index=True)
    active = models.BooleanField(_("active"), default=True)
    synced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["listing_id", "currency", "unit_amount"]
        verbose_name = _("plan price")
        verbose_name_plural = _("plan prices")
        constraints = [
            models.UniqueConstraint(
                fields=["listing_plan", "currency", "interval"],
                condition=models.Q(active=True, private_offer__isnull=True),
                name="billing_one_active_price_per_plan_currency",
            )
        ]

    def __str__(self):
        return f"{self.money} / {self.get_interval_display()}"

    @property
    def money(self) -> Money:
        return Money(self.unit_amount, self.currency)

    @property
    def is_recurring(self) -> bool:
        return self.interval != Interval.ONCE
