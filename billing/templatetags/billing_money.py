"""Template filters for money screens: ``{{ amount|money:currency }}`` → "¥1,234.00"."""

from decimal import Decimal, InvalidOperation

from django import template

from core.money import Money

register = template.Library()


@register.filter
def money(amount, currency):
    if amount is None or amount == "":
        return "—"
    try:
        value = Money(Decimal(str(amount)), currency)
    except (InvalidOperation, ValueError, KeyError):
        return f"{amount} {currency}"
    if value.amount < 0:
        return f"-{Money(-value.amount, currency)}"  # "-¥14.85", not "¥-14.85"
    return str(value)


@register.filter
def absolute(amount):
    try:
        return abs(amount)
    except TypeError:
        return amount
