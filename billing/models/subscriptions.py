"""Trials (ours: Stripe/localstripe trials are not used), subscriptions and metered usage."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from billing.models.plans import Interval
from core.models import PublicIdModel, TimeStampedModel
from core.money import Currency, Money


class Trial(PublicIdModel, TimeStampedModel):
    """A free trial: no card, an entitlement for N days, at most one per organisation and listing."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        CONVERTED = "converted", _("Converted to paid")
        EXPIRED = "expired", _("Expired")
        CANCELLED = "cancelled", _("Cancelled")

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.CASCADE, related_name="trials")
    listing = models.ForeignKey("catalog.ListingPage", on_delete=models.CASCADE, related_name="trials")
    listing_plan = models.ForeignKey(
        "catalog.ListingPlan", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.ACTIVE)
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    ends_at = models.DateTimeField(_("ends"))
    reminded_at = models.DateTimeField(_("reminder sent"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    converted_to = models.ForeignKey(
        "billing.Subscription", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("trial")
        verbose_name_plural = _("trials")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "listing"], name="billing_one_trial_per_org_listing"
            )
        ]

    def __str__(self):
        return f"{self.organisation} · {self.listing} ({self.get_status_display()})"

    @property
    def days_left(self) -> int:
        return max((self.ends_at - timezone.now()).days, 0)


class Subscription(PublicIdModel, TimeStampedModel):
    """A paid subscription (recurring, in Stripe) or a one-time purchase (a paid PaymentIntent)."""

    class Status(models.TextChoices):
        INCOMPLETE = "incomplete", _("Awaiting payment")
        ACTIVE = "active", _("Active")
        PAST_DUE = "past_due", _("Past due")
        SUSPENDED = "suspended", _("Suspended")
        CANCELED = "canceled", _("Cancelled")
        COMPLETED = "completed", _("Purchased")  # one-time purchases once paid

    LIVE_STATUSES = (Status.INCOMPLETE, Status.ACTIVE, Status.PAST_DUE, Status.SUSPENDED)

    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="subscriptions"
    )
    listing = models.ForeignKey("catalog.ListingPage", on_delete=models.PROTECT, related_name="subscriptions")
    listing_plan = models.ForeignKey(
        "catalog.ListingPlan", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    price = models.ForeignKey("billing.PlanPrice", on_delete=models.PROTECT, related_name="subscriptions")
    private_offer = models.ForeignKey(
        "billing.PrivateOffer", on_delete=models.SET_NULL, null=True, blank=True, related_name="subscriptions"
    )
    plan_name = models.CharField(_("plan"), max_length=80)
    plan_name_en = models.CharField(_("plan (English)"), max_length=80, blank=True)
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices)
    unit_amount = models.DecimalField(_("unit price"), max_digits=12, decimal_places=2)
    interval = models.CharField(_("interval"), max_length=10, choices=Interval.choices)
    quantity = models.PositiveIntegerField(_("quantity"), default=1)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.INCOMPLETE, db_index=True
    )
    stripe_subscription_id = models.CharField(max_length=64, unique=True, null=True, blank=True)
    stripe_item_id = models.CharField(max_length=64, blank=True)
    stripe_payment_intent_id = models.CharField(max_length=64, blank=True)
    idempotency_key = models.CharField(max_length=80, unique=True)
    current_period_start = models.DateTimeField(_("current period start"), null=True, blank=True)
    current_period_end = models.DateTimeField(_("renews on"), null=True, blank=True)
    cancel_at_period_end = models.BooleanField(_("cancels at period end"), default=False)
    canceled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    past_due_since = models.DateTimeField(_("past due since"), null=True, blank=True)
    # When the last Stripe snapshot applied was taken: older snapshots (out-of-order webhooks) are ignored.
    stripe_synced_at = models.DateTimeField(null=True, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    from_trial = models.ForeignKey(
        "billing.Trial", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")
        indexes = [models.Index(fields=["organisation", "listing"], name="billing_sub_org_listing")]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="billing_sub_quantity_positive")
        ]

    def __str__(self):
        return f"{self.organisation} · {self.plan_name} ({self.get_status_display()})"

    @property
    def t_plan_name(self) -> str:
        from core.i18n import is_english

        return (self.plan_name_en or self.plan_name) if is_english() else self.plan_name

    @property
    def unit_price(self) -> Money:
        return Money(self.unit_amount, self.currency)

    @property
    def amount(self) -> Money:
        return Money(self.unit_amount * self.quantity, self.currency)

    @property
    def is_live(self) -> bool:
        return self.status in self.LIVE_STATUSES

    @property
    def is_recurring(self) -> bool:
        return self.interval != Interval.ONCE

    @property
    def is_metered(self) -> bool:
        return self.price.usage_type == "metered"

    @property
    def per_seat(self) -> bool:
        return self.price.per_seat


class UsageRecord(TimeStampedModel):
    """Metered usage the partner reports for a usage-based subscription (billed at period end)."""

    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="usage_records")
    quantity = models.PositiveIntegerField(_("quantity"))
    occurred_on = models.DateField(_("date"), default=timezone.localdate)
    note = models.CharField(_("note"), max_length=200, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    idempotency_key = models.CharField(max_length=80, unique=True)
    invoice = models.ForeignKey(
        "billing.Invoice", on_delete=models.SET_NULL, null=True, blank=True, related_name="usage_records"
    )

    class Meta:
        ordering = ["-occurred_on", "-pk"]
        verbose_name = _("usage record")
        verbose_name_plural = _("usage records")

    def __str__(self):
        return f"{self.subscription_id}: {self.quantity} on {self.occurred_on}"
