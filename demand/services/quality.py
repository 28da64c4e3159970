"""Guards against proposal floods (a complaint about every bidding marketplace):

- **Daily cap by tier.** A partner may send at most ``daily_cap(partner)`` new proposals per
  calendar day in ``DEMAND_TIME_ZONE`` (revisions do not count). ``DEMAND_DAILY_PROPOSAL_CAPS``
  maps tier rank → cap (default 0: 5, 1: 10, 2: 20, 3 and above: 40); a partner without a tier
  gets the entry tier's cap. Checked under a lock on the partner row, so parallel submissions
  cannot overshoot it.
- **Near-duplicate text.** A proposal's approach and assumptions are compared with rapidfuzz
  (``fuzz.ratio`` on lower-cased, whitespace-collapsed text, 0–100) to proposals sent on *other*
  requirements in the last ``WINDOW_DAYS`` days (the newest ``CANDIDATES``). At
  ``DUPLICATE_THRESHOLD`` % or more the proposal is flagged with the closest one and the score:
  staff see both side by side with that explanation; the customer's compare page is not changed
  (a flag is a reason to look, not a verdict). Texts shorter than ``MIN_LENGTH`` characters are
  never flagged (“See attached” is not a copy-paste flood).
"""

import re
from datetime import datetime, time, timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from rapidfuzz import fuzz, process

from core.exceptions import ApplicationError
from demand.models import Proposal
from demand.services.calendar import _zone as tz

DEFAULT_CAPS = {0: 5, 1: 10, 2: 20, 3: 40}
DUPLICATE_THRESHOLD = 90
MIN_LENGTH = 80
WINDOW_DAYS = 30
CANDIDATES = 500
CAP_REACHED = gettext_noop(
    "Your tier may send %(cap)s new proposals a day and you have sent them all today. Revise an "
    "existing proposal or propose again tomorrow."
)
_SPACE = re.compile(r"\s+")


def daily_cap(partner) -> int:
    caps = {int(k): int(v) for k, v in getattr(settings, "DEMAND_DAILY_PROPOSAL_CAPS", DEFAULT_CAPS).items()}
    rank = partner.tier.rank if partner.tier_id else 0
    eligible = [r for r in caps if r <= rank]
    return caps[max(eligible)] if eligible else min(caps.values())


def sent_today(partner, *, now=None) -> int:
    now = now or timezone.now()
    local = timezone.localtime(now, tz())
    start = datetime.combine(local.date(), time.min, tzinfo=tz())
    return Proposal.objects.filter(
        partner=partner, created_at__gte=start, created_at__lt=start + timedelta(days=1)
    ).count()


def check_daily_cap(partner, *, now=None) -> None:
    """Call with the partner row locked (``select_for_update``)."""
    cap = daily_cap(partner)
    if sent_today(partner, now=now) >= cap:
        raise ApplicationError(_(CAP_REACHED) % {"cap": cap}, code="daily_cap")


def normalise(text: str) -> str:
    return _SPACE.sub(" ", (text or "").lower()).strip()


def text_of(proposal: Proposal) -> str:
    return normalise(f"{proposal.summary}\n{proposal.assumptions}")


def nearest_duplicate(proposal: Proposal, *, now=None) -> tuple[Proposal | None, int | None]:
    """The most similar recent proposal on another requirement at or above the threshold."""
    text = text_of(proposal)
    if len(text) < MIN_LENGTH:
        return None, None
    now = now or timezone.now()
    rows = (
        Proposal.objects.filter(created_at__gte=now - timedelta(days=WINDOW_DAYS))
        .exclude(requirement_id=proposal.requirement_id)
        .order_by("-created_at")
        .values_list("pk", "summary", "assumptions")[:CANDIDATES]
    )
    choices = {pk: normalise(f"{summary}\n{assumptions}") for pk, summary, assumptions in rows}
    match = process.extractOne(text, choices, scorer=fuzz.ratio, score_cutoff=DUPLICATE_THRESHOLD)
    if match is None:
        return None, None
    _text, score, pk = match
    return Proposal.objects.get(pk=pk), int(round(score))


def flag_duplicate(proposal: Proposal) -> Proposal:
    other, score = nearest_duplicate(proposal)
    proposal.duplicate_of, proposal.duplicate_score = other, score
    Proposal.objects.filter(pk=proposal.pk).update(duplicate_of=other, duplicate_score=score)
    return proposal


def flagged():
    """Flagged proposals for staff, newest first, with both sides loaded."""
    return (
        Proposal.objects.filter(duplicate_of__isnull=False)
        .select_related(
            "partner__organisation",
            "requirement",
            "duplicate_of__partner__organisation",
            "duplicate_of__requirement",
        )
        .order_by("-updated_at")
    )
