"""Billing's models, one module per subdomain."""

from billing.models.customers import BillingCustomer
from billing.models.entitlements import Entitlement, SeatAssignment
from billing.models.fulfilment import FulfilmentDelivery, FulfilmentEndpoint
from billing.models.invoices import BillingContact, Invoice, InvoiceLine
from billing.models.ledger import CommissionRule, LedgerEntry, LedgerKind
from billing.models.offers import PrivateOffer
from billing.models.payouts import ConnectAccount, Payout, PayoutStatement, StatementRun
from billing.models.plans import Interval, PlanPrice, StripeProduct, UsageType
from billing.models.settings import BillingSettings, TaxRate
from billing.models.subscriptions import Subscription, Trial, UsageRecord
from billing.models.webhooks import WebhookEvent

__all__ = ["BillingCustomer", "Entitlement", "SeatAssignment", "BillingContact", "Invoice", "InvoiceLine"]
__all__ += ["PrivateOffer", "Interval", "PlanPrice", "StripeProduct", "UsageType"]
__all__ += ["BillingSettings", "TaxRate", "Subscription", "Trial", "UsageRecord", "WebhookEvent"]
# The billing-money helper's modules: ledger, payouts, fulfilment.
__all__ += ["CommissionRule", "LedgerEntry", "LedgerKind", "ConnectAccount", "Payout", "PayoutStatement"]
__all__ += ["FulfilmentDelivery", "FulfilmentEndpoint", "StatementRun"]
