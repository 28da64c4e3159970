"""Co-sell's listeners: known accounts keep their blocking keys; billing's paid invoices are
attributed to registrations and make paying organisations known customers."""

from django.db.models.signals import post_migrate, post_save
from django.dispatch import receiver

from billing.signals import invoice_paid
from cosell.models import KnownAccount


@receiver(post_save, sender=KnownAccount, dispatch_uid="cosell.known_account_keys")
def refresh_account_keys(sender, instance, **kwargs):
    from cosell.services.conflicts import store_keys

    store_keys(account=instance)


@receiver(invoice_paid, dispatch_uid="cosell.attribute_invoice")
def attribute_paid_invoice(sender, invoice, **kwargs):
    from cosell.services.attribution import attribute_invoice

    attribute_invoice(invoice=invoice)


@receiver(post_migrate, dispatch_uid="cosell.ensure_metrics")
def ensure_cosell_metrics(sender, **kwargs):
    if getattr(sender, "name", "") == "cosell":
        from cosell.services.facts import ensure_metrics

        ensure_metrics()
