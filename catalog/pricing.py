"""What a listing costs a customer, in one place: the card's "from" price, the search index's
price column (and so the price sort) and the listing page all read :func:`from_price`.

The rule (issue #18, "honest prices"): the lowest price a customer can actually pay in the page's
currency. A free plan makes it 0 ("Free"); contact-sales plans have no price; a paid plan (a
free trial included: its price is what the customer pays after the trial) counts with its price
in that currency. Prices are never converted: a listing priced only in the other currency has
no price in this one and is shown and sorted separately (``docs/search.md``, "Prices").
"""

from __future__ import annotations

from decimal import Decimal

from catalog.models import PricingModel

CURRENCIES = ("CNY", "USD")


def _value(plan, name):
    return plan.get(name) if isinstance(plan, dict) else getattr(plan, name, None)


def from_price(plans, currency: str) -> Decimal | None:
    """Lowest payable price of ``plans`` (models or dicts) in ``currency``; 0 when one is free;
    ``None`` when none has a price in that currency."""
    field = f"price_{currency.lower()}"
    prices = []
    for plan in plans:
        model = _value(plan, "pricing_model")
        if model == PricingModel.FREE:
            prices.append(Decimal("0"))
        elif model == PricingModel.CONTACT_SALES:
            continue
        else:
            amount = _value(plan, field)
            if amount is not None:
                prices.append(Decimal(amount))
    return min(prices) if prices else None


def other_currency(currency: str) -> str:
    return "USD" if currency == "CNY" else "CNY"


def card_price(plans, currency: str) -> dict:
    """What a card says about price in ``currency``: ``{"kind", "amount", "currency"}`` where kind
    is ``"free"``, ``"from"`` (amount in the page's currency), ``"other"`` (priced only in the
    other currency: that amount and currency, marked on the card), ``"contact"`` or ``""``."""
    plans = list(plans)
    amount = from_price(plans, currency)
    if amount is not None:
        return {"kind": "free" if amount == 0 else "from", "amount": amount, "currency": currency}
    other = other_currency(currency)
    amount = from_price(plans, other)
    if amount is not None:
        return {"kind": "free" if amount == 0 else "other", "amount": amount, "currency": other}
    if any(_value(plan, "pricing_model") == PricingModel.CONTACT_SALES for plan in plans):
        return {"kind": "contact", "amount": None, "currency": currency}
    return {"kind": "", "amount": None, "currency": currency}
