"""Billing's signals: the contract other code (ledger, fulfilment, facts) connects to.

- ``entitlement_changed(sender=Entitlement, entitlement=obj, event=str)`` — sent after the
  transaction commits (``transaction.on_commit``); ``event`` is one of ``ENTITLEMENT_EVENTS``.
- ``invoice_paid(sender=Invoice, invoice=obj)`` — sent synchronously inside the transaction
  that marks the invoice paid, so receivers' writes are atomic with it.
- ``invoice_refunded(sender=Invoice, invoice=obj, amount=Decimal, currency=str,
  stripe_refund_id=str)`` — same.
- ``payment_failed(sender=Invoice, invoice=obj)`` — same.
"""

from django.db import transaction
from django.dispatch import Signal

ENTITLEMENT_EVENTS = ("created", "activated", "seats_changed", "suspended", "resumed", "ended")

entitlement_changed = Signal()
invoice_paid = Signal()
invoice_refunded = Signal()
payment_failed = Signal()


def send_entitlement_changed(entitlement, event: str) -> None:
    """Queue ``entitlement_changed`` for when the current transaction commits."""
    if event not in ENTITLEMENT_EVENTS:
        raise ValueError(f"Unknown entitlement event {event!r}.")
    sender = type(entitlement)
    pk = entitlement.pk

    def send():
        fresh = sender.objects.filter(pk=pk).first() or entitlement
        entitlement_changed.send(sender=sender, entitlement=fresh, event=event)

    transaction.on_commit(send)
