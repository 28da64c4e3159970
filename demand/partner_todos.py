"""The partner console's to-dos that demand knows about (registered in ``DemandConfig.ready``)."""

from django.utils.translation import ngettext

from demand import selectors
from demand.models import LeadState
from partners.console_todos import Severity, Todo, safe_reverse


def todos(*, partner, membership=None) -> list[Todo]:
    """New leads in the inbox (the inbox's own "New" filter)."""
    waiting = selectors.inbox(partner=partner, state=LeadState.NEW).count()
    if not waiting:
        return []
    url = safe_reverse("demand:inbox")
    return [
        Todo(
            "demand.leads_waiting",
            Severity.WARNING,
            ngettext(
                "%(n)d new lead is waiting for your answer.",
                "%(n)d new leads are waiting for your answer.",
                waiting,
            )
            % {"n": waiting},
            f"{url}?state={LeadState.NEW}" if url else "",
            waiting,
        )
    ]
