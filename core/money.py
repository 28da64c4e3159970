"""Money is Decimal plus currency. Never floats. Minor units are converted here only."""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _


class Currency(models.TextChoices):
    CNY = "CNY", _("Chinese yuan (CNY)")
    USD = "USD", _("US dollar (USD)")


# Both supported currencies have two decimal places in Stripe's minor units.
MINOR_UNIT_EXPONENT = {Currency.CNY: 2, Currency.USD: 2}
SYMBOLS = {Currency.CNY: "¥", Currency.USD: "$"}


def quantize(amount: Decimal, currency: str) -> Decimal:
    if isinstance(amount, float):
        raise TypeError("Money amounts must be Decimal, not float.")
    exp = MINOR_UNIT_EXPONENT[Currency(currency)]
    return Decimal(amount).quantize(Decimal(1).scaleb(-exp), rounding=ROUND_HALF_UP)


def to_minor_units(amount: Decimal, currency: str) -> int:
    exp = MINOR_UNIT_EXPONENT[Currency(currency)]
    return int(quantize(amount, currency).scaleb(exp))


def from_minor_units(value: int, currency: str) -> Decimal:
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"Minor units must be an int, not {type(value).__name__}.")
    exp = MINOR_UNIT_EXPONENT[Currency(currency)]
    return quantize(Decimal(value).scaleb(-exp), currency)


@dataclass(frozen=True)
class Money:
    amount: Decimal
    currency: str

    def __post_init__(self):
        if isinstance(self.amount, float):
            raise TypeError("Money amounts must be Decimal, not float.")
        object.__setattr__(self, "amount", quantize(Decimal(self.amount), self.currency))

    def __add__(self, other: "Money") -> "Money":
        if other.currency != self.currency:
            raise ValueError(f"Cannot add {other.currency} to {self.currency}.")
        return Money(self.amount + other.amount, self.currency)

    def __str__(self) -> str:
        return f"{SYMBOLS[Currency(self.currency)]}{self.amount:,.2f}"
