"""Incentive pools and their allocations to partners.

A pool is money for one period (amount + currency), who may share it (kinds, minimum tier
rank, no open at-risk flag) and how it is weighted (tier × health composite × region class).
Allocation rows are written as a draft preview; publishing them posts one allocation entry
per partner into the incentive ledger (the only source of balances) and is audited.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import PublicIdModel, TimeStampedModel
from core.money import Currency
from partners.models import PartnerKind


def default_kinds():
    return [PartnerKind.SERVICE.value, PartnerKind.CHANNEL.value]


def default_tier_weights():
    # tier rank → weight; a rank not listed weighs as the highest listed rank below it
    return {"0": "1", "1": "2", "2": "3", "3": "4"}


def default_region_weights():
    # region code → class weight; a partner in several regions takes the largest
    return {}


class IncentivePool(PublicIdModel, TimeStampedModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        EXPIRED = "expired", _("Expired")

    name = models.CharField(_("name"), max_length=120)
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    amount = models.DecimalField(_("amount"), max_digits=16, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices, default=Currency.CNY)
    kinds = models.JSONField(_("eligible partner kinds"), default=default_kinds)
    min_tier_rank = models.PositiveSmallIntegerField(
        _("minimum tier rank"), default=0, help_text=_("0 is the entry tier of every ladder.")
    )
    exclude_at_risk = models.BooleanField(_("exclude partners with an open at-risk flag"), default=True)
    tier_weights = models.JSONField(
        _("tier weights (rank → weight)"), default=default_tier_weights, blank=True
    )
    region_weights = models.JSONField(
        _("region class weights (region code → weight)"), default=default_region_weights, blank=True
    )
    default_region_weight = models.DecimalField(
        _("weight of other regions"), max_digits=6, decimal_places=3, default=Decimal("1")
    )
    default_health = models.DecimalField(
        _("health score when none is computed"), max_digits=5, decimal_places=2, default=Decimal("50")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    expired_at = models.DateTimeField(_("expired"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-period_start", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gte=0), name="incentivepool_amount_not_negative"
            ),
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="incentivepool_period_order",
            ),
        ]
        permissions = [
            ("manage_pools", _("Can define, allocate and publish incentive pools")),
            ("review_requests", _("Can pre-approve fund requests and review claims")),
            ("pay_claims", _("Can approve payment of fund claims")),
        ]
        verbose_name = _("incentive pool")
        verbose_name_plural = _("incentive pools")

    def __str__(self):
        return f"{self.name} ({self.period_start:%Y-%m-%d} – {self.period_end:%Y-%m-%d})"


class Allocation(TimeStampedModel):
    """One partner's share of a pool, with the weight factors behind it."""

    pool = models.ForeignKey(IncentivePool, on_delete=models.CASCADE, related_name="allocations")
    partner = models.ForeignKey(
        "partners.Partner", on_delete=models.PROTECT, related_name="incentive_allocations"
    )
    amount = models.DecimalField(_("amount"), max_digits=16, decimal_places=2)
    weight = models.DecimalField(_("weight"), max_digits=20, decimal_places=6)
    tier_weight = models.DecimalField(_("tier weight"), max_digits=10, decimal_places=3)
    health = models.DecimalField(_("health score"), max_digits=5, decimal_places=2)
    region_weight = models.DecimalField(_("region class weight"), max_digits=6, decimal_places=3)

    class Meta:
        ordering = ["pool", "-amount", "partner_id"]
        constraints = [
            models.UniqueConstraint(fields=["pool", "partner"], name="allocation_unique_partner"),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="allocation_amount_not_negative"),
        ]
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")

    def __str__(self):
        return f"{self.pool_id} · {self.partner_id} · {self.amount}"
