"""The public programme page (``/partners/apply/`` for visitors): every kind's tier ladder with
its real criteria, read from the same ladders the tier evaluation uses."""

from dataclasses import dataclass

from partners.models import PartnerKind
from partners.selectors.programme import display_value, ladders


@dataclass
class TierView:
    name: str
    colour: str
    criteria: list[str]


@dataclass
class KindView:
    kind: str
    label: str
    tiers: list[TierView]


def criterion_text(criterion) -> str:
    """``Revenue · Sum of the trailing 12 months ≥ ¥1,000,000 (at least 10 reviews)``."""
    metric = criterion.metric
    required = display_value(criterion.threshold, metric.unit)
    text = f"{metric.t_name} · {criterion.get_window_display()} ≥ {required}"
    if criterion.min_count:
        from django.utils.translation import gettext

        text += " " + gettext("(at least %(n)s reviews)") % {"n": criterion.min_count}
    return text


def programme_ladders() -> list[KindView]:
    """Kinds in the programme's order, each with its tiers (lowest first) and their criteria."""
    by_kind = ladders()
    out = []
    for kind, label in PartnerKind.choices:
        ladder = by_kind.get(kind)
        if ladder is None or not ladder.tiers:
            continue
        tiers = [
            TierView(
                name=str(tier.t_name),
                colour=tier.colour,
                criteria=[criterion_text(c) for c in ladder.criteria.get(tier.pk, [])],
            )
            for tier in ladder.tiers
        ]
        out.append(KindView(kind=kind, label=str(label), tiers=tiers))
    return out
