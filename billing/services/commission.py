"""Platform commission: which rate applies to a partner, and the amount on a sum.

The most specific :class:`~billing.models.ledger.CommissionRule` wins — one for the partner's
tier, else one for its kind, else one for any partner, else the
``BILLING_DEFAULT_COMMISSION_RATE`` setting (15 %).
"""

from __future__ import annotations

from decimal import Decimal

from billing.models.ledger import CommissionRule, default_commission_rate
from core.money import quantize


def rate_for(partner) -> Decimal:
    rules = list(CommissionRule.objects.filter(tier__isnull=True, partner_kind__in=[partner.kind, ""]))
    if partner.tier_id:
        tier_rule = CommissionRule.objects.filter(tier_id=partner.tier_id).first()
        if tier_rule is not None:
            return tier_rule.rate
    by_kind = {rule.partner_kind: rule.rate for rule in rules}
    if partner.kind in by_kind:
        return by_kind[partner.kind]
    if "" in by_kind:
        return by_kind[""]
    return default_commission_rate()


def rate_table(partners) -> dict[int, Decimal]:
    """Rates for many partners in two queries (the demo seed and bulk jobs)."""
    by_tier = dict(CommissionRule.objects.filter(tier__isnull=False).values_list("tier_id", "rate"))
    by_kind = dict(CommissionRule.objects.filter(tier__isnull=True).values_list("partner_kind", "rate"))
    default = by_kind.get("", default_commission_rate())
    return {
        p.pk: by_tier.get(p.tier_id) if p.tier_id in by_tier else by_kind.get(p.kind, default)
        for p in partners
    }


def commission_on(amount: Decimal, rate: Decimal, currency: str) -> Decimal:
    """The commission on ``amount`` at ``rate``, rounded half-up to the currency's minor unit."""
    return quantize(Decimal(amount) * Decimal(rate), currency)
