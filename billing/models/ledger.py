"""The partner ledger: every charge, refund, platform commission, payout and adjustment as one
signed row (Decimal + currency), and the commission rules.

Sign convention: ``amount`` is the effect on what the platform owes the partner. A charge is
positive, a refund negative, commission negative (a reversed commission positive), a payout
negative; an adjustment either. So a partner's balance in a currency is the plain sum, and
``charges − refunds − commission + adjustments = payouts + balance`` holds by construction;
the finance reconciliation then checks each line against its source (invoices, transfers,
statements).

One Stripe object posts once per kind: ``(kind, stripe_object_id)`` is unique when set, so a
replayed ``invoice_paid`` cannot post a second charge.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.money import Currency
from partners.models import PartnerKind


class LedgerKind(models.TextChoices):
    CHARGE = "charge", _("Charge")
    REFUND = "refund", _("Refund")
    COMMISSION = "commission", _("Platform commission")
    PAYOUT = "payout", _("Payout")
    ADJUSTMENT = "adjustment", _("Adjustment")


class LedgerEntry(models.Model):
    partner = models.ForeignKey(
        "partners.Partner", on_delete=models.PROTECT, related_name="ledger_entries", verbose_name=_("partner")
    )
    kind = models.CharField(_("kind"), max_length=12, choices=LedgerKind.choices, db_index=True)
    amount = models.DecimalField(
        _("amount"), max_digits=14, decimal_places=2, help_text=_("Positive: owed to the partner.")
    )
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices)
    occurred_at = models.DateTimeField(_("occurred"), db_index=True)
    invoice = models.ForeignKey(
        "billing.Invoice",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="ledger_entries",
        verbose_name=_("invoice"),
    )
    payout = models.ForeignKey(
        "billing.Payout",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ledger_entries",
        verbose_name=_("payout"),
    )
    statement = models.ForeignKey(
        "billing.PayoutStatement",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="entries",
        verbose_name=_("statement"),
    )
    rate = models.DecimalField(
        _("commission rate"),
        max_digits=5,
        decimal_places=4,
        null=True,
        blank=True,
        help_text=_("Commission entries: the rate applied."),
    )
    stripe_object_id = models.CharField(_("Stripe object"), max_length=120, blank=True)
    description = models.CharField(_("description"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "stripe_object_id"],
                condition=~Q(stripe_object_id=""),
                name="billing_ledger_one_post_per_stripe_object",
            ),
        ]
        indexes = [
            models.Index(fields=["partner", "currency", "occurred_at"], name="billing_ledger_partner_cur"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.amount} {self.currency} · {self.partner_id}"


def default_commission_rate() -> Decimal:
    return Decimal(str(getattr(settings, "BILLING_DEFAULT_COMMISSION_RATE", "0.15")))


class CommissionRule(models.Model):
    """The platform's share of a partner's sales. The most specific rule wins: one for the
    partner's tier, else one for its kind, else ``BILLING_DEFAULT_COMMISSION_RATE``."""

    partner_kind = models.CharField(
        _("partner kind"),
        max_length=20,
        choices=PartnerKind.choices,
        blank=True,
        help_text=_("Empty: any kind."),
    )
    tier = models.ForeignKey(
        "partners.Tier",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="commission_rules",
        verbose_name=_("tier"),
        help_text=_("Empty: every tier of the kind."),
    )
    rate = models.DecimalField(
        _("rate"),
        max_digits=5,
        decimal_places=4,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
        help_text=_("0.15 = 15 %."),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["partner_kind", "tier__rank"]
        verbose_name = _("commission rule")
        verbose_name_plural = _("commission rules")
        constraints = [
            models.UniqueConstraint(
                fields=["partner_kind"],
                condition=Q(tier__isnull=True),
                name="billing_commission_one_per_kind",
            ),
            models.UniqueConstraint(
                fields=["tier"], condition=Q(tier__isnull=False), name="billing_commission_one_per_tier"
            ),
        ]

    def __str__(self):
        scope = self.tier or self.get_partner_kind_display() or _("Any partner")
        return f"{scope}: {self.rate * 100:.2f} %"

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.tier_id and self.partner_kind and self.tier.kind != self.partner_kind:
            raise ValidationError({"tier": _("The tier belongs to another partner kind.")})
        if self.tier_id and not self.partner_kind:
            self.partner_kind = self.tier.kind
