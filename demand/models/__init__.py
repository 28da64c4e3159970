"""What customers ask for: enquiries (leads) and custom requirements with routing and proposals."""

from demand.models.attachments import RequirementAttachment
from demand.models.delivery import (
    AcceptanceOutcome,
    MilestoneAcceptance,
    PaymentRequest,
    PaymentRequestState,
)
from demand.models.leads import Lead, LeadMessage, LeadState, LeadTopic, PreferredContact
from demand.models.proposals import Milestone, PricingModel, Proposal, ProposalState, ProposalVersion
from demand.models.requirements import (
    Invitation,
    InvitationSource,
    PartnerIntake,
    Requirement,
    RequirementMode,
    RequirementState,
    RequirementTransition,
)

__all__ = ["Lead", "LeadMessage", "LeadState", "LeadTopic", "PreferredContact"]
__all__ += ["Milestone", "PricingModel", "Proposal", "ProposalState", "ProposalVersion"]
__all__ += ["Invitation", "InvitationSource", "PartnerIntake", "Requirement", "RequirementMode"]
__all__ += ["RequirementState", "RequirementTransition"]
__all__ += ["AcceptanceOutcome", "MilestoneAcceptance", "PaymentRequest", "PaymentRequestState"]
__all__ += ["RequirementAttachment"]
