"""Invoices (mirrors of Stripe invoices, or of a one-time PaymentIntent) and billing contacts."""

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import PublicIdModel, TimeStampedModel
from core.money import Currency, Money


class Invoice(PublicIdModel, TimeStampedModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open")
        PAID = "paid", _("Paid")
        PARTIALLY_REFUNDED = "partially_refunded", _("Partially refunded")
        REFUNDED = "refunded", _("Refunded")
        VOID = "void", _("Void")
        UNCOLLECTIBLE = "uncollectible", _("Uncollectible")

    PAID_STATUSES = (Status.PAID, Status.PARTIALLY_REFUNDED, Status.REFUNDED)

    number = models.CharField(_("number"), max_length=40, unique=True)
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="invoices"
    )
    listing = models.ForeignKey("catalog.ListingPage", on_delete=models.PROTECT, related_name="invoices")
    partner = models.ForeignKey(
        "partners.Partner", on_delete=models.PROTECT, null=True, blank=True, related_name="invoices"
    )
    plan = models.ForeignKey(
        "catalog.ListingPlan", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    subscription = models.ForeignKey(
        "billing.Subscription", on_delete=models.SET_NULL, null=True, blank=True, related_name="invoices"
    )
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices)
    subtotal = models.DecimalField(_("subtotal"), max_digits=12, decimal_places=2, default=Decimal("0"))
    tax = models.DecimalField(_("tax"), max_digits=12, decimal_places=2, default=Decimal("0"))
    total = models.DecimalField(_("total"), max_digits=12, decimal_places=2, default=Decimal("0"))
    amount_refunded = models.DecimalField(
        _("refunded"), max_digits=12, decimal_places=2, default=Decimal("0")
    )
    tax_rate_percentage = models.DecimalField(
        _("tax rate (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OPEN)
    stripe_invoice_id = models.CharField(max_length=64, unique=True, null=True, blank=True)
    stripe_charge_id = models.CharField(max_length=64, blank=True, db_index=True)
    stripe_payment_intent_id = models.CharField(max_length=64, blank=True, db_index=True)
    billing_reason = models.CharField(max_length=40, blank=True)
    period_start = models.DateTimeField(_("period start"), null=True, blank=True)
    period_end = models.DateTimeField(_("period end"), null=True, blank=True)
    issued_at = models.DateTimeField(_("issued"), null=True, blank=True)
    paid_at = models.DateTimeField(_("paid"), null=True, blank=True)
    failed_at = models.DateTimeField(_("payment failed"), null=True, blank=True)
    attempt_count = models.PositiveSmallIntegerField(_("payment attempts"), default=0)

    class Meta:
        ordering = ["-issued_at", "-pk"]
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        indexes = [models.Index(fields=["organisation", "-issued_at"], name="billing_inv_org_issued")]

    def __str__(self):
        return self.number

    @property
    def total_money(self) -> Money:
        return Money(self.total, self.currency)

    @property
    def is_paid(self) -> bool:
        return self.status in self.PAID_STATUSES


class InvoiceLine(models.Model):
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    description = models.CharField(_("description"), max_length=255)
    quantity = models.PositiveIntegerField(_("quantity"), default=1)
    unit_amount = models.DecimalField(_("unit price"), max_digits=12, decimal_places=2, default=Decimal("0"))
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    proration = models.BooleanField(_("proration"), default=False)
    period_start = models.DateTimeField(null=True, blank=True)
    period_end = models.DateTimeField(null=True, blank=True)
    stripe_line_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("invoice line")
        verbose_name_plural = _("invoice lines")

    def __str__(self):
        return self.description


class BillingContact(PublicIdModel, TimeStampedModel):
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="billing_contacts"
    )
    name = models.CharField(_("name"), max_length=120)
    email = models.EmailField(_("email"))
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    company_name = models.CharField(_("company name on invoices"), max_length=200, blank=True)
    tax_id = models.CharField(_("tax ID"), max_length=40, blank=True)
    address = models.TextField(_("address"), blank=True)
    is_primary = models.BooleanField(_("primary contact"), default=False)
    receives_invoices = models.BooleanField(_("receives invoices by email"), default=True)

    class Meta:
        ordering = ["-is_primary", "name"]
        verbose_name = _("billing contact")
        verbose_name_plural = _("billing contacts")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation"],
                condition=models.Q(is_primary=True),
                name="billing_one_primary_contact",
            )
        ]

    def __str__(self):
        return f"{self.name} <{self.email}>"
