"""The partner console's to-do list, computed from the same selectors the pages use.

``partners`` owns the list but not every fact on it: failed fulfilment deliveries live in
billing, leads in demand, listings in catalog — apps *above* partners in the layers. So each
of them registers a provider here (in its ``AppConfig.ready``) and the console asks every
provider; partners never imports them. A provider takes ``partner`` and ``membership`` and
returns a list of :class:`Todo`; it must read what the linked page shows (the same selector),
so the list can never say "nothing to do" beside a problem on the page.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

logger = logging.getLogger(__name__)


class Severity:
    DANGER = "danger"
    WARNING = "warning"
    INFO = "info"


ORDER = {Severity.DANGER: 0, Severity.WARNING: 1, Severity.INFO: 2}


@dataclass(frozen=True)
class Todo:
    key: str  # stable, for tests and anchors: "certifications.expired", "billing.fulfilment_failed"…
    severity: str
    text: str
    url: str = ""
    count: int = 1


Provider = Callable[..., list[Todo]]
_providers: dict[str, Provider] = {}


def register(key: str, provider: Provider) -> None:
    """Register (or replace, on reload) a provider under ``key``."""
    _providers[key] = provider


def safe_reverse(name: str, *args, **kwargs) -> str:
    try:
        return reverse(name, args=args or None, kwargs=kwargs or None)
    except NoReverseMatch:
        return ""


def todos_for(*, partner, membership=None) -> list[Todo]:
    """Every provider's to-dos for ``partner``, most urgent first."""
    items: list[Todo] = []
    for key, provider in _providers.items():
        try:
            items += provider(partner=partner, membership=membership)
        except Exception:  # one broken source must not take the console down
            logger.exception("partner console to-do provider %s failed", key)
    return sorted(items, key=lambda t: ORDER.get(t.severity, 9))


# --- the programme's own to-dos ----------------------------------------------------------------
def programme_todos(*, partner, membership=None) -> list[Todo]:
    from partners.selectors import programme as selectors

    today = timezone.localdate()
    console = safe_reverse("partners:console")
    out: list[Todo] = []
    expired = selectors.expired_certifications(partner=partner, today=today).count()
    if expired:
        out.append(
            Todo(
                "certifications.expired",
                Severity.DANGER,
                ngettext(
                    "%(n)d certification has expired: renew it or remove the person.",
                    "%(n)d certifications have expired: renew them or remove the people.",
                    expired,
                )
                % {"n": expired},
                f"{console}#certifications-title",
                expired,
            )
        )
    expiring = selectors.expiring_certifications(partner=partner, today=today).count()
    if expiring:
        out.append(
            Todo(
                "certifications.expiring",
                Severity.WARNING,
                ngettext(
                    "%(n)d certification expires soon.",
                    "%(n)d certifications expire soon.",
                    expiring,
                )
                % {"n": expiring},
                f"{console}#certifications-title",
                expiring,
            )
        )
    demotion = selectors.waiting_demotion(partner=partner)
    if demotion:
        out.append(
            Todo(
                "tier.demotion",
                Severity.DANGER,
                _("Your tier is due to change on %(date)s: meet its criteria again before then.")
                % {"date": demotion.effective_on.strftime("%Y-%m-%d")},
                f"{console}#next-tier-title",
            )
        )
    else:
        at_risk = selectors.current_tier_at_risk(partner=partner)
        if at_risk:
            out.append(
                Todo(
                    "tier.at_risk",
                    Severity.WARNING,
                    ngettext(
                        "%(n)d requirement of your current tier is not met: %(names)s.",
                        "%(n)d requirements of your current tier are not met: %(names)s.",
                        len(at_risk),
                    )
                    % {
                        "n": len(at_risk),
                        "names": ", ".join(str(r.criterion.metric.t_name) for r in at_risk),
                    },
                    f"{console}#tier-requirements-title",
                    len(at_risk),
                )
            )
    return out


register("partners.programme", programme_todos)
