"""Monthly payout statements per partner × month × currency, the Stripe Connect account a
partner is paid to, and payouts (Connect transfers).

A statement gathers the partner's ledger entries of one calendar month (charges, refunds,
commission, adjustments) and states the net amount due. Its PDF lives on private storage and
is downloaded through permission-checked views only. Paying a statement out creates a
``Payout`` (a Stripe transfer to the partner's connected account) and a negative ``payout``
ledger entry.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import JobStatus, ProgressMixin, PublicIdModel, TimeStampedModel
from core.money import Currency, Money
from partners.models.applications import get_private_storage


def statement_pdf_path(instance, filename):
    # ``filename`` is "zh-hans.pdf" or "en.pdf"; the statement's UUID keeps paths unguessable.
    return f"statements/{instance.partner_id}/{instance.public_id}-{filename}"


class ConnectAccount(TimeStampedModel):
    """The partner's Stripe Connect (Express/Custom) account payouts are transferred to."""

    partner = models.OneToOneField(
        "partners.Partner",
        on_delete=models.CASCADE,
        related_name="connect_account",
        verbose_name=_("partner"),
    )
    stripe_account_id = models.CharField(_("Stripe account"), max_length=64, unique=True)
    payouts_enabled = models.BooleanField(_("payouts enabled"), default=False)
    details_submitted = models.BooleanField(_("details submitted"), default=False)

    class Meta:
        verbose_name = _("Connect account")
        verbose_name_plural = _("Connect accounts")

    def __str__(self):
        return self.stripe_account_id


class PayoutStatement(PublicIdModel, TimeStampedModel):
    class Status(models.TextChoices):
        OPEN = "open", _("Awaiting payout")
        PAID = "paid", _("Paid out")
        CARRIED = "carried", _("Nothing due (carried forward)")

    partner = models.ForeignKey(
        "partners.Partner",
        on_delete=models.PROTECT,
        related_name="payout_statements",
        verbose_name=_("partner"),
    )
    month = models.DateField(_("month"), help_text=_("First day of the month."))
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices)
    number = models.CharField(_("number"), max_length=40, unique=True)
    charges = models.DecimalField(_("charges"), max_digits=14, decimal_places=2, default=0)
    refunds = models.DecimalField(_("refunds"), max_digits=14, decimal_places=2, default=0)
    commission = models.DecimalField(_("commission"), max_digits=14, decimal_places=2, default=0)
    adjustments = models.DecimalField(_("adjustments"), max_digits=14, decimal_places=2, default=0)
    net = models.DecimalField(
        _("amount due"),
        max_digits=14,
        decimal_places=2,
        default=0,
        help_text=_("Charges − refunds − commission + adjustments."),
    )
    entry_count = models.PositiveIntegerField(_("entries"), default=0)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    pdf = models.FileField(
        _("PDF (Chinese)"),
        storage=get_private_storage,
        upload_to=statement_pdf_path,
        max_length=255,
        blank=True,
    )
    pdf_en = models.FileField(
        _("PDF (English)"),
        storage=get_private_storage,
        upload_to=statement_pdf_path,
        max_length=255,
        blank=True,
    )
    issued_at = models.DateTimeField(_("issued"), null=True, blank=True)

    class Meta:
        ordering = ["-month", "partner_id", "currency"]
        verbose_name = _("payout statement")
        verbose_name_plural = _("payout statements")
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "month", "currency"], name="billing_one_statement_per_partner_month"
            ),
        ]

    def __str__(self):
        return f"{self.number} · {self.partner} · {self.month:%Y-%m}"

    @property
    def net_money(self) -> Money:
        return Money(self.net, self.currency)

    @property
    def can_pay_out(self) -> bool:
        return self.status == self.Status.OPEN and self.net > 0


class Payout(PublicIdModel, TimeStampedModel):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        PAID = "paid", _("Paid")
        FAILED = "failed", _("Failed")

    partner = models.ForeignKey(
        "partners.Partner", on_delete=models.PROTECT, related_name="payouts", verbose_name=_("partner")
    )
    statement = models.OneToOneField(
        PayoutStatement,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="payout",
        verbose_name=_("statement"),
    )
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    destination = models.CharField(_("destination account"), max_length=64, blank=True)
    stripe_transfer_id = models.CharField(_("Stripe transfer"), max_length=64, blank=True, db_index=True)
    failure_message = models.TextField(_("failure"), blank=True)
    failed_attempts = models.PositiveSmallIntegerField(
        _("failed attempts"),
        default=0,
        help_text=_("Part of the Stripe idempotency key of the next attempt."),
    )
    paid_at = models.DateTimeField(_("paid"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("payout")
        verbose_name_plural = _("payouts")
        constraints = [
            models.UniqueConstraint(
                fields=["stripe_transfer_id"],
                condition=~models.Q(stripe_transfer_id=""),
                name="billing_payout_one_per_transfer",
            ),
        ]

    def __str__(self):
        return f"{Money(self.amount, self.currency)} → {self.partner} ({self.get_status_display()})"


class StatementRun(ProgressMixin, PublicIdModel, TimeStampedModel):
    """One "generate statements for a month" job started by finance staff (progress for the page)."""

    Status = JobStatus
    progress_fields = ("done", "total")

    month = models.DateField(_("month"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField(_("statements"), default=0)
    done = models.PositiveIntegerField(_("PDFs rendered"), default=0)
    message = models.TextField(_("message"), blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("statement run")
        verbose_name_plural = _("statement runs")

    def __str__(self):
        return f"{self.month:%Y-%m} ({self.get_status_display()})"
