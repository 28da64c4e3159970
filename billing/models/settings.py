"""Billing settings staff edit in the Wagtail admin: tax rates and grace periods."""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting

from core.i18n import TranslatedField
from core.money import Currency


class TaxRate(models.Model):
    """A tax rate applied to invoices in one currency (e.g. China VAT 6 % on software services)."""

    name = models.CharField(_("name"), max_length=80)
    name_en = models.CharField(_("name (English)"), max_length=80, blank=True)
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices)
    percentage = models.DecimalField(
        _("percentage"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    inclusive = models.BooleanField(_("included in prices"), default=False)
    active = models.BooleanField(_("active"), default=True)
    stripe_tax_rate_id = models.CharField(max_length=64, blank=True, editable=False)

    t_name = TranslatedField("name", "name_en")

    class Meta:
        ordering = ["currency", "name"]
        verbose_name = _("tax rate")
        verbose_name_plural = _("tax rates")

    def __str__(self):
        return f"{self.t_name} ({self.percentage}% {self.currency})"

    def save(self, *args, **kwargs):
        """Stripe tax rates cannot change: a new percentage or inclusiveness needs a new one."""
        if self.pk and self.stripe_tax_rate_id:
            old = TaxRate.objects.filter(pk=self.pk).values("percentage", "inclusive", "currency").first()
            if old and (
                Decimal(str(old["percentage"])) != Decimal(str(self.percentage))
                or old["inclusive"] != self.inclusive
                or old["currency"] != self.currency
            ):
                self.stripe_tax_rate_id = ""
        super().save(*args, **kwargs)


@register_setting(icon="cog")
class BillingSettings(BaseGenericSetting):
    payment_grace_days = models.PositiveSmallIntegerField(
        _("payment grace period (days)"),
        default=7,
        help_text=_(
            "Access is suspended when an invoice is still unpaid this many days after a failed payment."
        ),
    )
    trial_reminder_days = models.PositiveSmallIntegerField(
        _("trial reminder (days before the end)"), default=3
    )
    tax_rate_cny = models.ForeignKey(
        TaxRate,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("tax rate for CNY"),
        limit_choices_to={"currency": Currency.CNY, "active": True},
    )
    tax_rate_usd = models.ForeignKey(
        TaxRate,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("tax rate for USD"),
        limit_choices_to={"currency": Currency.USD, "active": True},
    )

    panels = [
        FieldRowPanel([FieldPanel("payment_grace_days"), FieldPanel("trial_reminder_days")]),
        MultiFieldPanel([FieldPanel("tax_rate_cny"), FieldPanel("tax_rate_usd")], heading=_("Tax")),
    ]

    class Meta:
        verbose_name = _("billing settings")

    def tax_rate_for(self, currency: str) -> TaxRate | None:
        rate = self.tax_rate_cny if currency == Currency.CNY else self.tax_rate_usd
        return rate if rate is not None and rate.active else None
