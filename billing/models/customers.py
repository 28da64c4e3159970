"""A customer organisation as Stripe knows it."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import TimeStampedModel


class BillingCustomer(TimeStampedModel):
    organisation = models.OneToOneField(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="billing_customer"
    )
    stripe_customer_id = models.CharField(max_length=64, unique=True)
    default_payment_method_id = models.CharField(max_length=64, blank=True)
    card_brand = models.CharField(_("card brand"), max_length=20, blank=True)
    card_last4 = models.CharField(_("card ending"), max_length=4, blank=True)

    class Meta:
        verbose_name = _("billing customer")
        verbose_name_plural = _("billing customers")

    def __str__(self):
        return f"{self.organisation} ({self.stripe_customer_id})"
