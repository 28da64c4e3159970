"""Incentives: pools and allocations, the incentive ledger, market development funds, stars."""

from incentives.models.funds import (
    ActivityType,
    ClaimDocument,
    DocumentKind,
    FraudCheck,
    FraudFlag,
    FundedOutcome,
    FundRequest,
    FundRequestEvent,
    PaymentMethod,
    RequestState,
    Sanction,
)
from incentives.models.ledger import IncentiveLedgerEntry, LedgerKind
from incentives.models.pools import Allocation, IncentivePool
from incentives.models.stars import DeliveryOutcome, StarRating

__all__ = [
    "DeliveryOutcome",
    "Allocation",
    "IncentivePool",
    "IncentiveLedgerEntry",
    "LedgerKind",
    "StarRating",
]
__all__ += ["ActivityType", "ClaimDocument", "DocumentKind", "FraudCheck", "FraudFlag"]
__all__ += ["FundRequest", "FundRequestEvent", "FundedOutcome", "PaymentMethod", "RequestState", "Sanction"]
