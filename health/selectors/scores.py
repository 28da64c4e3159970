"""One number, one definition: a partner's health score, previous score and change for a month.

Every screen, PDF, export and e-mail that shows these figures reads them here:

* **score** — the month's ``HealthSnapshot.composite``, shown to one decimal (half up);
* **previous** — the score the snapshot was compared with (``previous_composite``: the previous
  month's composite when the snapshot was computed), to one decimal;
* **change** — ``score − previous`` of the two figures *as shown*, so "44.3, down 9.1 from
  53.4" always adds up.

An at-risk flag records why it was raised; the figures shown beside it are the snapshot's
(:func:`attach_to_flags`), so the at-risk list, the movers and the partner page agree even after
a snapshot is recomputed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q

from health.models import HealthSnapshot

TENTH = Decimal("0.1")


def one_decimal(value) -> Decimal | None:
    """A score as shown: one decimal, half up (like the templates' ``floatformat:1``)."""
    if value is None:
        return None
    return Decimal(str(value)).quantize(TENTH, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class ScoreFigures:
    score: Decimal | None
    previous: Decimal | None

    @property
    def change(self) -> Decimal | None:
        if self.score is None or self.previous is None:
            return None
        return self.score - self.previous


def score_figures(pairs: Iterable[tuple[int, date]]) -> dict[tuple[int, date], ScoreFigures]:
    """``{(partner id, month): ScoreFigures}`` for every pair, in one query (a pair without a
    snapshot gets empty figures)."""
    pairs = set(pairs)
    if not pairs:
        return {}
    q = Q()
    for pid, month in pairs:
        q |= Q(partner_id=pid, month=month)
    rows = HealthSnapshot.objects.filter(q).values_list(
        "partner_id", "month", "composite", "previous_composite"
    )
    found = {(pid, m): (c, p) for pid, m, c, p in rows}
    out = {}
    for pair in pairs:
        score, previous = found.get(pair, (None, None))
        out[pair] = ScoreFigures(one_decimal(score), one_decimal(previous))
    return out


def figures_for(partner_id: int, month: date) -> ScoreFigures:
    return score_figures([(partner_id, month)])[(partner_id, month)]


def attach_to_snapshots(snapshots: list[HealthSnapshot]) -> list[HealthSnapshot]:
    """Set ``score``, ``previous`` and ``delta`` (the change) on each snapshot from :func:`score_figures`."""
    found = score_figures((s.partner_id, s.month) for s in snapshots)
    for snap in snapshots:
        f = found[(snap.partner_id, snap.month)]
        snap.score, snap.previous, snap.delta = f.score, f.previous, f.change
    return snapshots


def attach_to_flags(flags: list) -> list:
    """Show an at-risk flag with its month's snapshot figures (kept in ``composite`` /
    ``previous_composite`` for the templates, which read those names); a flag whose snapshot is
    gone keeps the figures it was raised with."""
    found = score_figures((f.partner_id, f.month) for f in flags)
    for flag in flags:
        f = found[(flag.partner_id, flag.month)]
        if f.score is not None:
            flag.composite = f.score
            flag.previous_composite = f.previous
        else:
            flag.composite = one_decimal(flag.composite)
            flag.previous_composite = one_decimal(flag.previous_composite)
    return flags
