"""The partner programme's models, one module per subdomain."""

from partners.models.profile import Industry, Partner, Region
from partners.models.tiers import PartnerKind, Tier

__all__ = ["Industry", "Partner", "PartnerKind", "Region", "Tier"]
