"""Incentives' listeners: outcomes other apps tie to a funded activity (``partners.outcome_signals``)."""

from django.dispatch import receiver

from partners.outcome_signals import funded_outcome


@receiver(funded_outcome, dispatch_uid="incentives.record_funded_outcome")
def record_funded_outcome(sender, **kwargs):
    from incentives.services.attribution import record

    record(**kwargs)
