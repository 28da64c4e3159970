"""The partner console's to-dos that billing knows about (registered in ``BillingConfig.ready``)."""

from django.utils.translation import ngettext

from billing.models import FulfilmentDelivery
from partners.console_todos import Severity, Todo, safe_reverse


def failed_deliveries(*, partner):
    """Failed fulfilment deliveries not since re-sent successfully (what the deliveries page
    lists under "Failed")."""
    resent_ok = FulfilmentDelivery.objects.filter(
        partner=partner, resent_from__isnull=False, status=FulfilmentDelivery.Status.DELIVERED
    ).values("resent_from")
    return FulfilmentDelivery.objects.filter(
        partner=partner, status=FulfilmentDelivery.Status.FAILED
    ).exclude(pk__in=resent_ok)


def todos(*, partner, membership=None) -> list[Todo]:
    failed = failed_deliveries(partner=partner).count()
    if not failed:
        return []
    url = safe_reverse("billing_partner:deliveries")
    return [
        Todo(
            "billing.fulfilment_failed",
            Severity.DANGER,
            ngettext(
                "%(n)d fulfilment notification failed: check your fulfilment URL and re-send it.",
                "%(n)d fulfilment notifications failed: check your fulfilment URL and re-send them.",
                failed,
            )
            % {"n": failed},
            f"{url}?status=failed" if url else "",
            failed,
        )
    ]
