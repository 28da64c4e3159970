"""The partner console's to-dos that billing knows about (registered in ``BillingConfig.ready``)."""

from django.utils.translation import ngettext

from billing.services.fulfilment import failed_deliveries as _failed
from partners.console_todos import Severity, Todo, safe_reverse


def failed_deliveries(*, partner):
    """Failed fulfilment notifications: deliveries of entitlement events that gave up (a re-sent
    one is pending again, then succeeded — either way no longer failed)."""
    return _failed(partner)


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
