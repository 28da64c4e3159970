"""core.money: Decimal only, floats refused, round half up, minor units round-trip."""

from decimal import Decimal

import pytest

from core.money import Currency, Money, from_minor_units, quantize, to_minor_units

CURRENCIES = [Currency.CNY, Currency.USD]


@pytest.mark.parametrize("currency", CURRENCIES)
@pytest.mark.parametrize(
    ("amount", "minor"),
    [("0", 0), ("0.01", 1), ("12.34", 1234), ("12.3", 1230), ("1000000", 100000000), ("-5.67", -567)],
)
def test_to_minor_units(currency, amount, minor):
    assert to_minor_units(Decimal(amount), currency) == minor


@pytest.mark.parametrize("currency", CURRENCIES)
def test_from_minor_units_gives_two_place_decimals(currency):
    value = from_minor_units(1234, currency)
    assert value == Decimal("12.34")
    assert isinstance(value, Decimal)
    assert value.as_tuple().exponent == -2
    assert from_minor_units(5, currency) == Decimal("0.05")
    assert from_minor_units(-199, currency) == Decimal("-1.99")


@pytest.mark.parametrize("currency", CURRENCIES)
def test_minor_units_round_trip(currency):
    for minor in [*range(-1050, 1050, 7), 0, 1, 99, 100, 10**12 + 1]:
        assert to_minor_units(from_minor_units(minor, currency), currency) == minor
    for text in ["0.00", "0.01", "19.99", "123456789.10", "-3.50"]:
        amount = Decimal(text)
        assert from_minor_units(to_minor_units(amount, currency), currency) == amount


@pytest.mark.parametrize(
    ("amount", "rounded"),
    [
        ("0.005", "0.01"),
        ("0.004", "0.00"),
        ("2.675", "2.68"),  # binary floating point would give 2.67
        ("1.125", "1.13"),  # half up, not banker's rounding (1.12)
        ("1.135", "1.14"),
        ("-0.005", "-0.01"),  # half away from zero
        ("9.995", "10.00"),
    ],
)
def test_quantize_rounds_half_up(amount, rounded):
    assert quantize(Decimal(amount), "CNY") == Decimal(rounded)
    assert to_minor_units(Decimal(amount), "USD") == int(Decimal(rounded) * 100)


def test_floats_are_refused():
    with pytest.raises(TypeError, match="Decimal, not float"):
        to_minor_units(19.99, "USD")
    with pytest.raises(TypeError, match="Decimal, not float"):
        Money(19.99, "USD")


def test_floats_are_refused_everywhere():
    with pytest.raises(TypeError):
        from_minor_units(1999.0, "USD")
    with pytest.raises(TypeError):
        quantize(19.99, "USD")


def test_unknown_currency_is_refused():
    with pytest.raises(ValueError):
        to_minor_units(Decimal("1"), "EUR")
    with pytest.raises(ValueError):
        Money(Decimal("1"), "EUR")


def test_money_quantizes_adds_and_formats():
    price = Money(Decimal("1.005"), "USD")
    assert price.amount == Decimal("1.01")
    assert price + Money(Decimal("2"), "USD") == Money(Decimal("3.01"), "USD")
    assert str(Money(Decimal("1234.5"), "CNY")) == "¥1,234.50"
    assert str(Money(Decimal("0.5"), "USD")) == "$0.50"
    assert Money(Decimal("0"), "CNY").amount.as_tuple().exponent == -2


def test_money_of_different_currencies_does_not_add():
    with pytest.raises(ValueError, match="Cannot add USD to CNY"):
        Money(Decimal("1"), "CNY") + Money(Decimal("1"), "USD")


def test_money_is_immutable():
    price = Money(Decimal("1"), "CNY")
    with pytest.raises(AttributeError):
        price.amount = Decimal("2")
