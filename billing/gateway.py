"""The Stripe gateway: the only module in Symbio that imports ``stripe``.

Everything else calls these functions with Decimal + currency (converted to minor units here, via
``core.money``) and gets plain dicts back (``StripeObject.to_dict()``). Every create carries an
idempotency key. Stripe's exceptions become ours, with messages fit to show a customer:

- :class:`CardDeclined` — the card was refused (nothing was charged);
- :class:`PaymentUnavailable` — Stripe could not be reached or failed (nothing was charged,
  try again);
- :class:`GatewayError` — anything else (a bug or a configuration problem), logged.

Two API dialects: real Stripe uses Prices (``items=[{"price": …}]``,
``proration_behavior="always_invoice"``); localstripe (``STRIPE_API_BASE`` set) only knows
legacy Plans and ``prorate``, so ``STRIPE_LEGACY_PLANS`` (default: on when ``STRIPE_API_BASE``
is set) switches to them.

One module because it is the only one that imports ``stripe``: every call, the error mapping and the
two API dialects stay together.
"""

from __future__ import annotations

import logging
from decimal import Decimal
from typing import Any

import stripe
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from core.exceptions import ApplicationError
from core.money import from_minor_units, to_minor_units

logger = logging.getLogger(__name__)

DECLINE_MESSAGES = {
    "insufficient_funds": _("Your card has insufficient funds. Nothing was charged; try another card."),
    "expired_card": _("Your card has expired. Nothing was charged; try another card."),
    "incorrect_cvc": _("The card's security code is incorrect. Nothing was charged."),
    "incorrect_number": _("The card number is incorrect. Nothing was charged."),
    "processing_error": _("The card could not be processed. Nothing was charged; please try again."),
}
DECLINED = _("Your card was declined. Nothing was charged; try another card or contact your bank.")
UNAVAILABLE = _(
    "The payment service cannot be reached right now. Nothing was charged and nothing was changed; "
    "please try again in a few minutes."
)
FAILED = _("The payment could not be processed. Nothing was charged; please contact support if it persists.")


MISSING = _(
    "Stripe has no record of this subscription or payment, so nothing was changed. Please contact support."
)


class BillingGatewayError(ApplicationError):
    """Base of the gateway's errors; ``message`` is safe to show the customer, ``code`` is Stripe's
    reason (``card_declined``, ``unavailable``, …) or the class's own."""

    default_message = FAILED
    code = "payment_failed"
    status = 402

    def __init__(self, message=None, *, code: str = ""):
        super().__init__(str(message or self.default_message), code=code or None)


class CardDeclined(BillingGatewayError):
    default_message = DECLINED
    code = "card_declined"


class PaymentUnavailable(BillingGatewayError):
    default_message = UNAVAILABLE
    code = "payment_unavailable"
    status = 503


class GatewayError(BillingGatewayError):
    default_message = FAILED


class SignatureError(ApplicationError):
    """A webhook whose signature does not verify (or whose payload is not an event)."""

    code = "bad_signature"

    def __init__(self, message="", **kwargs):
        super().__init__(message, **kwargs)


# --- configuration ----------------------------------------------------------------------------


def _configure() -> None:
    stripe.api_key = settings.STRIPE_SECRET_KEY
    base = getattr(settings, "STRIPE_API_BASE", "") or stripe.DEFAULT_API_BASE
    stripe.api_base = base.rstrip("/")
    stripe.max_network_retries = getattr(settings, "STRIPE_MAX_NETWORK_RETRIES", 2)


def uses_legacy_plans() -> bool:
    value = getattr(settings, "STRIPE_LEGACY_PLANS", None)
    if value is None:
        return bool(getattr(settings, "STRIPE_API_BASE", ""))
    return bool(value)


def _as_dict(obj) -> dict:
    if obj is None:
        return {}
    if isinstance(obj, dict):
        return obj
    return obj.to_dict()


def _call(fn, *args, **kwargs) -> dict:
    _configure()
    try:
        return _as_dict(fn(*args, **kwargs))
    except stripe.CardError as exc:
        code = getattr(exc, "code", "") or ""
        error = getattr(exc, "error", None)
        decline = getattr(error, "decline_code", None) or code
        raise CardDeclined(DECLINE_MESSAGES.get(decline, DECLINED), code=decline or "card_declined") from exc
    except (stripe.APIConnectionError, stripe.RateLimitError) as exc:
        logger.warning("Stripe unreachable: %s", exc)
        raise PaymentUnavailable(code="unavailable") from exc
    except stripe.APIError as exc:
        logger.warning("Stripe API error: %s", exc)
        raise PaymentUnavailable(code="api_error") from exc
    except stripe.StripeError as exc:
        status = getattr(exc, "http_status", None)
        if status == 402:  # a payment failed without a CardError (e.g. localstripe's invoice pay)
            raise CardDeclined(code="card_declined") from exc
        if status is not None and status >= 500:
            raise PaymentUnavailable(code="api_error") from exc
        if status == 404:  # e.g. removed in Stripe's dashboard, or a record that never was there
            logger.warning("Stripe has no such object: %s", exc)
            raise GatewayError(MISSING, code="resource_missing") from exc
        logger.error("Stripe request failed: %s", exc)
        raise GatewayError(code=getattr(exc, "code", "") or "stripe_error") from exc


def money_to_minor(amount: Decimal, currency: str) -> int:
    return to_minor_units(amount, currency.upper())


def minor_to_money(value: int | None, currency: str) -> Decimal:
    return from_minor_units(int(value or 0), currency.upper())


def publishable_key() -> str:
    return settings.STRIPE_PUBLISHABLE_KEY


def js_url() -> str:
    return settings.STRIPE_JS_URL


# --- customers and payment methods ---------------------------------------------------------------


def create_customer(*, name: str, email: str, metadata: dict, idempotency_key: str) -> dict:
    return _call(
        stripe.Customer.create, name=name, email=email, metadata=metadata, idempotency_key=idempotency_key
    )


def update_customer(customer_id: str, **fields) -> dict:
    return _call(stripe.Customer.modify, customer_id, **fields)


def attach_payment_method(customer_id: str, payment_method_id: str) -> dict:
    """Attach a card (declined cards fail here) and make it the default for invoices."""
    pm = _call(stripe.PaymentMethod.attach, payment_method_id, customer=customer_id)
    _call(
        stripe.Customer.modify,
        customer_id,
        invoice_settings={"default_payment_method": payment_method_id},
    )
    return pm


def create_setup_intent(customer_id: str, *, idempotency_key: str) -> dict:
    """A SetupIntent the checkout page confirms with Stripe.js (``confirmCardSetup``)."""
    return _call(
        stripe.SetupIntent.create,
        customer=customer_id,
        payment_method_types=["card"],
        usage="off_session",
        idempotency_key=idempotency_key,
    )


def create_card_payment_method(number: str, exp_month: int, exp_year: int, cvc: str) -> dict:
    """Server-side test cards (tests and the demo seed only; browsers use Stripe.js)."""
    return _call(
        stripe.PaymentMethod.create,
        type="card",
        card={"number": number, "exp_month": exp_month, "exp_year": exp_year, "cvc": cvc},
    )


# --- products, prices and tax rates --------------------------------------------------------------


def create_product(*, name: str, metadata: dict, idempotency_key: str) -> dict:
    return _call(
        stripe.Product.create, name=name, type="service", metadata=metadata, idempotency_key=idempotency_key
    )


def create_price(
    *,
    product_id: str,
    amount: Decimal,
    currency: str,
    interval: str,
    nickname: str,
    metadata: dict,
    idempotency_key: str,
) -> dict:
    """A recurring price (``interval`` month/year) — a legacy Plan against localstripe."""
    minor = money_to_minor(amount, currency)
    if uses_legacy_plans():
        return _call(
            stripe.Plan.create,
            product=product_id,
            amount=minor,
            currency=currency.lower(),
            interval=interval,
            nickname=nickname,
            metadata=metadata,
            idempotency_key=idempotency_key,
        )
    return _call(
        stripe.Price.create,
        product=product_id,
        unit_amount=minor,
        currency=currency.lower(),
        recurring={"interval": interval},
        nickname=nickname,
        metadata=metadata,
        idempotency_key=idempotency_key,
    )


def create_tax_rate(*, display_name: str, percentage: Decimal, inclusive: bool, idempotency_key: str) -> dict:
    return _call(
        stripe.TaxRate.create,
        display_name=display_name,
        percentage=float(percentage),  # Stripe's API takes a decimal number here
        inclusive=inclusive,
        idempotency_key=idempotency_key,
    )


# --- subscriptions -------------------------------------------------------------------------------


def _item(price_id: str, quantity: int, item_id: str | None = None) -> dict:
    item: dict[str, Any] = {"quantity": quantity}
    item["plan" if uses_legacy_plans() else "price"] = price_id
    if item_id:
        item["id"] = item_id
    return item


def create_subscription(
    *,
    customer_id: str,
    price_id: str,
    quantity: int,
    tax_rate_ids: list[str],
    metadata: dict,
    idempotency_key: str,
) -> dict:
    params: dict[str, Any] = {
        "customer": customer_id,
        "items": [_item(price_id, quantity)],
        "metadata": metadata,
        "payment_behavior": "error_if_incomplete",
        "idempotency_key": idempotency_key,
    }
    if tax_rate_ids:
        params["default_tax_rates"] = tax_rate_ids
    if not uses_legacy_plans():
        params["expand"] = ["latest_invoice"]
    return _call(stripe.Subscription.create, **params)


def retrieve_subscription(subscription_id: str) -> dict:
    return _call(stripe.Subscription.retrieve, subscription_id)


def change_subscription(
    *,
    subscription_id: str,
    item_id: str,
    price_id: str,
    quantity: int,
    customer_id: str,
    idempotency_key: str,
) -> dict | None:
    """Change plan and/or quantity with proration invoiced at once; returns the proration invoice."""
    if uses_legacy_plans():
        _call(
            stripe.Subscription.modify,
            subscription_id,
            items=[_item(price_id, quantity, item_id)],
            prorate=True,
            idempotency_key=idempotency_key,
        )
        invoice = _call(
            stripe.Invoice.create,
            customer=customer_id,
            subscription=subscription_id,
            idempotency_key=f"{idempotency_key}-invoice",
        )
        if invoice.get("status") in ("draft", "open") and invoice.get("total", 0) > 0:
            invoice = _call(stripe.Invoice.pay, invoice["id"], idempotency_key=f"{idempotency_key}-pay")
        return invoice
    sub = _call(
        stripe.Subscription.modify,
        subscription_id,
        items=[_item(price_id, quantity, item_id)],
        proration_behavior="always_invoice",
        payment_behavior="error_if_incomplete",
        expand=["latest_invoice"],
        idempotency_key=idempotency_key,
    )
    latest = sub.get("latest_invoice")
    return latest if isinstance(latest, dict) else None


def set_cancel_at_period_end(subscription_id: str, cancel: bool, *, idempotency_key: str) -> dict:
    return _call(
        stripe.Subscription.modify,
        subscription_id,
        cancel_at_period_end=cancel,
        idempotency_key=idempotency_key,
    )


def cancel_subscription_now(subscription_id: str) -> dict:
    return _call(stripe.Subscription.cancel, subscription_id)


def create_usage_charge(
    *,
    customer_id: str,
    subscription_id: str,
    amount: Decimal,
    currency: str,
    description: str,
    idempotency_key: str,
) -> dict:
    """Metered usage as a pending invoice item on the subscription: billed on its next invoice."""
    return _call(
        stripe.InvoiceItem.create,
        customer=customer_id,
        subscription=subscription_id,
        amount=money_to_minor(amount, currency),
        currency=currency.lower(),
        description=description,
        idempotency_key=idempotency_key,
    )


# --- invoices, one-time payments and refunds ------------------------------------------------------


def retrieve_invoice(invoice_id: str) -> dict:
    return _call(stripe.Invoice.retrieve, invoice_id)


def list_invoices(*, subscription_id: str, limit: int = 20) -> list[dict]:
    result = _call(stripe.Invoice.list, subscription=subscription_id, limit=limit)
    return list(result.get("data", []))


def create_invoice(*, customer_id: str, subscription_id: str, idempotency_key: str) -> dict:
    """Invoice the subscription's pending items now (e.g. usage) instead of at renewal."""
    return _call(
        stripe.Invoice.create,
        customer=customer_id,
        subscription=subscription_id,
        idempotency_key=idempotency_key,
    )


def pay_invoice(invoice_id: str, *, idempotency_key: str) -> dict:
    return _call(stripe.Invoice.pay, invoice_id, idempotency_key=idempotency_key)


def create_payment(
    *,
    customer_id: str,
    payment_method_id: str,
    amount: Decimal,
    currency: str,
    description: str,
    metadata: dict,
    idempotency_key: str,
) -> dict:
    """A one-time card payment, confirmed at once."""
    params: dict[str, Any] = {
        "customer": customer_id,
        "payment_method": payment_method_id,
        "amount": money_to_minor(amount, currency),
        "currency": currency.lower(),
        "metadata": {**metadata, "description": description[:500]},
        "confirm": True,
        "idempotency_key": idempotency_key,
    }
    if not uses_legacy_plans():  # localstripe refuses these two
        params["description"] = description
        params["off_session"] = True
    intent = _call(stripe.PaymentIntent.create, **params)
    if intent.get("status") not in ("succeeded", "processing"):
        raise CardDeclined(code="payment_failed")
    return intent


def create_refund(
    *, charge_id: str = "", payment_intent_id: str = "", amount: Decimal, currency: str, idempotency_key: str
) -> dict:
    params: dict[str, Any] = {"amount": money_to_minor(amount, currency), "idempotency_key": idempotency_key}
    if charge_id:
        params["charge"] = charge_id
    else:
        params["payment_intent"] = payment_intent_id
    return _call(stripe.Refund.create, **params)


# --- webhooks -----------------------------------------------------------------------------------


def construct_event(payload: bytes, signature: str) -> dict:
    """Verify a webhook's signature and return the event as a dict (``SignatureError`` otherwise)."""
    try:
        event = stripe.Webhook.construct_event(payload, signature or "", settings.STRIPE_WEBHOOK_SECRET)
    except (ValueError, stripe.SignatureVerificationError) as exc:
        raise SignatureError(str(exc)) from exc
    data = _as_dict(event)
    if not data.get("id") or not data.get("type"):
        raise SignatureError("Not an event.")
    return data


# ================================================================================================
# Stripe Connect: payouts to partners' connected accounts (billing money; added by the payouts work).
# localstripe has no Connect API: `make run` and the tests send these calls to a stand-in serving
# Stripe's recorded responses (billing.stripe_standin) through STRIPE_CONNECT_API_BASE.
# ================================================================================================


class TransferFailed(BillingGatewayError):
    """Stripe refused or could not make a transfer; ``message`` is Stripe's reason (for staff)."""

    default_message = _("Stripe could not make the transfer.")


# Plain reasons for finance when Stripe refuses a transfer (Stripe's own message is appended).
CONNECT_REASONS = {
    "balance_insufficient": _("the platform's Stripe balance is too low to cover it"),
    "insufficient_funds": _("the platform's Stripe balance is too low to cover it"),
    "insufficient_capabilities_for_transfer": _(
        "the partner's Connect account is not enabled for transfers yet "
        "(the partner must finish Stripe's onboarding)"
    ),
    "account_invalid": _(
        "Stripe does not accept the partner's Connect account (it may have been closed or removed)"
    ),
    "resource_missing": _(
        "Stripe does not know the partner's Connect account (it may have been closed or removed)"
    ),
}


def _connect_failure(exc: stripe.StripeError) -> TransferFailed:
    """A Stripe error on a Connect call as a message a finance person understands."""
    if isinstance(exc, stripe.APIConnectionError | stripe.RateLimitError):
        logger.warning("Stripe unreachable for a Connect call: %s", exc)
        return TransferFailed(
            _("Stripe could not be reached, so nothing was paid. Try again in a few minutes."),
            code="unavailable",
        )
    if isinstance(exc, stripe.AuthenticationError | stripe.PermissionError):
        logger.error("Stripe refused our key for a Connect call: %s", exc)
        return TransferFailed(
            _(
                "Stripe did not accept the platform's API key, so nothing was paid. "
                "Ask an administrator to check the Stripe settings."
            ),
            code="authentication",
        )
    error = getattr(exc, "error", None)
    status = getattr(exc, "http_status", None)
    stripe_message = getattr(error, "message", None) or ""
    if not stripe_message and status == 404:
        # No Stripe error body at all: the server has no Connect API (e.g. localstripe in development).
        logger.error("Stripe server has no Connect API: %s", exc)
        return TransferFailed(
            _(
                "The Stripe server used by this site does not offer Stripe Connect transfers, "
                "so nothing was paid. Ask an administrator to check the Stripe settings."
            ),
            code="connect_unavailable",
        )
    if isinstance(exc, stripe.APIError) or (status or 0) >= 500:
        logger.warning("Stripe failed a Connect call: %s", exc)
        return TransferFailed(
            _("Stripe had a problem and did not make the transfer, so nothing was paid. Try again later."),
            code="api_error",
        )
    code = getattr(exc, "code", "") or getattr(error, "code", "") or "stripe_error"
    reason = str(CONNECT_REASONS.get(code, "")) or stripe_message or str(exc)
    if stripe_message and stripe_message != reason:
        reason = f"{reason} ({stripe_message})"
    logger.warning("Stripe refused a Connect call (%s): %s", code, stripe_message or exc)
    return TransferFailed(
        _("Stripe refused the transfer: %(reason)s. Nothing was paid.") % {"reason": reason}, code=code
    )


def connect_api_base() -> str:
    """Where Connect calls go: ``STRIPE_CONNECT_API_BASE``, else ``STRIPE_API_BASE``, else Stripe.

    Only `make run` sets it apart, to the recorded stand-in (``billing.stripe_standin``), because
    localstripe has no Connect API; in production both are empty (api.stripe.com)."""
    base = (
        getattr(settings, "STRIPE_CONNECT_API_BASE", "")
        or getattr(settings, "STRIPE_API_BASE", "")
        or stripe.DEFAULT_API_BASE
    )
    return base.rstrip("/")


def _connect_client() -> stripe.StripeClient:
    # A client of its own (not the module-wide ``stripe.api_base``), so a Connect call never sends
    # another thread's subscription call to the Connect server or the other way round.
    return stripe.StripeClient(
        settings.STRIPE_SECRET_KEY,
        base_addresses={"api": connect_api_base()},
        max_network_retries=getattr(settings, "STRIPE_MAX_NETWORK_RETRIES", 2),
    )


def _call_connect(call) -> dict:
    try:
        return _as_dict(call(_connect_client().v1))
    except stripe.StripeError as exc:
        raise _connect_failure(exc) from exc


def create_transfer(
    *,
    amount: Decimal,
    currency: str,
    destination: str,
    idempotency_key: str,
    description: str = "",
    metadata=None,
) -> dict:
    """Move ``amount`` from the platform balance to a connected account (a payout to a partner)."""
    params = {
        "amount": money_to_minor(amount, currency),
        "currency": currency.lower(),
        "destination": destination,
        "description": description,
        "metadata": metadata or {},
    }
    return _call_connect(
        lambda v1: v1.transfers.create(params=params, options={"idempotency_key": idempotency_key})
    )
