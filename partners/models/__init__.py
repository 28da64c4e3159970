"""The partner programme's models, one module per subdomain."""

from partners.models.applications import (  # onboarding
    ApplicationDecision,
    ApplicationDocument,
    ApplicationStatus,
    DuplicateFlag,
    PartnerApplication,
)
from partners.models.certifications import Certification, CertificationReminder, CertifiedPerson, ImportJob
from partners.models.facts import Metric, MetricSlug, PartnerFact
from partners.models.pages import PartnerPage, PartnersIndexPage, PartnerWorkspace  # onboarding
from partners.models.profile import Industry, Partner, Region
from partners.models.programme import EvaluationRun, ProgrammeSettings, TierChange, TierRecommendation
from partners.models.tiers import PartnerKind, Tier
from partners.models.tiers import TierCriterion as TierCriterion
from partners.models.webhooks import Delivery, Event, WebhookEndpoint  # partner API (outbound events)

__all__ = ["Industry", "Partner", "PartnerKind", "Region", "Tier"]
__all__ += ["TierCriterion", "Metric", "MetricSlug", "PartnerFact"]
__all__ += ["Certification", "CertificationReminder", "CertifiedPerson", "ImportJob"]
__all__ += ["EvaluationRun", "ProgrammeSettings", "TierChange", "TierRecommendation"]
__all__ += ["ApplicationDecision", "ApplicationDocument", "ApplicationStatus", "DuplicateFlag"]  # onboarding
__all__ += ["PartnerApplication", "PartnerPage", "PartnersIndexPage", "PartnerWorkspace"]  # onboarding
__all__ += ["Delivery", "Event", "WebhookEndpoint"]  # partner API
