"""The incentive ledger: append-only, the only source of every pool balance.

Sign convention: ``amount`` is the effect on what the partner may still spend from the pool.
An allocation is positive; a request hold negative (its release positive); a payment
negative; the expiry of what is left at the end of the period negative. So a balance is the
plain sum of a partner's entries in a pool.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.money import Currency


class LedgerKind(models.TextChoices):
    ALLOCATION = "allocation", _("Allocation")
    HOLD = "hold", _("Request hold")
    RELEASE = "release", _("Hold released")
    PAYMENT = "payment", _("Payment")
    EXPIRY = "expiry", _("Expiry")


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("Incentive ledger entries are append-only.")

    def delete(self):
        raise TypeError("Incentive ledger entries are append-only.")


class IncentiveLedgerEntry(models.Model):
    partner = models.ForeignKey(
        "partners.Partner", on_delete=models.PROTECT, related_name="incentive_entries"
    )
    pool = models.ForeignKey("incentives.IncentivePool", on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField(_("kind"), max_length=12, choices=LedgerKind.choices)
    amount = models.DecimalField(_("amount"), max_digits=16, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices)
    reference = models.CharField(_("reference"), max_length=120)
    fund_request = models.ForeignKey(
        "incentives.FundRequest", on_delete=models.PROTECT, null=True, blank=True, related_name="entries"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("posted"), auto_now_add=True, db_index=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["partner", "pool"], name="incentiveledger_partner_pool")]
        constraints = [
            models.UniqueConstraint(fields=["kind", "reference"], name="incentiveledger_unique_reference"),
        ]
        verbose_name = _("incentive ledger entry")
        verbose_name_plural = _("incentive ledger entries")

    def __str__(self):
        return f"{self.kind} {self.amount} {self.currency} ({self.reference})"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("Incentive ledger entries are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("Incentive ledger entries are append-only.")
