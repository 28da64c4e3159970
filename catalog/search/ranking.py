"""Quality signals and the keyword-stuffing penalty (weights in ``settings.SEARCH_RANKING``).

    bayesian  = (C × m + n × average) / (C + n)
    quality   = w_rating × (bayesian − 1) / 4
              + w_subs   × min(1, log1p(subscriptions) / log1p(saturation))
              + w_tier   × min(1, tier rank / max rank)
              + w_fresh  × 0.5 ^ (days since last update / half-life)
    penalty   = min(max_penalty, tag_penalty × tags beyond max_tags
                                 + repetition_penalty if one word exceeds max_word_share)
    boost     = (1 + quality_weight × quality) × (1 − penalty)
    score     = relevance × boost             (relevance sort with a query)
              = boost                         (relevance sort without one)

Both engines use these figures: the database engine stores ``boost`` on the document (a daily
task refreshes freshness), the Elasticsearch engine stores the signals and applies the same
arithmetic in a ``function_score`` (freshness as a live ``exp`` decay).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.utils import timezone

DEFAULTS = {
    "bayes_prior_count": 10,
    "bayes_prior_mean": 3.5,
    "quality_weight": 1.0,
    "signal_weights": {"rating": 0.4, "subscriptions": 0.3, "tier": 0.15, "freshness": 0.15},
    "subscriptions_saturation": 1000,
    "tier_max_rank": 4,
    "freshness_half_life_days": 180,
    "field_weights": {"name": 1.0, "tagline": 0.4, "meta": 0.2, "body": 0.1},
    "exact_name_bonus": 1.0,
    "fuzzy_weight": 0.3,
    "fuzzy_min_similarity": 0.45,
    "max_tags": 10,
    "tag_penalty": 0.05,
    "max_word_share": 0.10,
    "repetition_min_words": 30,
    "repetition_penalty": 0.5,
    "max_penalty": 0.8,
}


def config() -> dict:
    merged = {**DEFAULTS, **getattr(settings, "SEARCH_RANKING", {})}
    merged["signal_weights"] = {**DEFAULTS["signal_weights"], **merged.get("signal_weights", {})}
    merged["field_weights"] = {**DEFAULTS["field_weights"], **merged.get("field_weights", {})}
    return merged


def bayesian_rating(average, count, cfg=None) -> float:
    cfg = cfg or config()
    c, m = float(cfg["bayes_prior_count"]), float(cfg["bayes_prior_mean"])
    n = int(count or 0)
    if average is None or n <= 0:
        return m
    return (c * m + n * float(average)) / (c + n)


@dataclass(frozen=True)
class Signals:
    rating: float
    subscriptions: float
    tier: float
    freshness: float

    def quality(self, cfg) -> float:
        w = cfg["signal_weights"]
        return (
            w["rating"] * self.rating
            + w["subscriptions"] * self.subscriptions
            + w["tier"] * self.tier
            + w["freshness"] * self.freshness
        )


def _clamp(x: float) -> float:
    return max(0.0, min(1.0, x))


def signals(
    *, bayesian, subscriptions, tier_rank, updated_at: datetime | None, now=None, cfg=None
) -> Signals:
    cfg = cfg or config()
    now = now or timezone.now()
    saturation = max(1, int(cfg["subscriptions_saturation"]))
    if updated_at is None:
        fresh = 0.0
    else:
        days = max(0.0, (now - updated_at).total_seconds() / 86400)
        fresh = 0.5 ** (days / max(1.0, float(cfg["freshness_half_life_days"])))
    return Signals(
        rating=_clamp((float(bayesian) - 1) / 4),
        subscriptions=_clamp(math.log1p(max(0, subscriptions or 0)) / math.log1p(saturation)),
        tier=_clamp((tier_rank or 0) / max(1, int(cfg["tier_max_rank"]))),
        freshness=_clamp(fresh),
    )


def stuffing_penalty(*, tag_count: int, texts, cfg=None) -> float:
    """Tags beyond the limit, and one word repeated past its share of a description."""
    from catalog.services.prechecks import most_repeated

    cfg = cfg or config()
    penalty = float(cfg["tag_penalty"]) * max(0, tag_count - int(cfg["max_tags"]))
    for text in texts:
        if not text:
            continue
        _word, share_percent, total = most_repeated(text)
        if total >= int(cfg["repetition_min_words"]) and share_percent / 100 > float(cfg["max_word_share"]):
            penalty += float(cfg["repetition_penalty"])
            break
    return min(float(cfg["max_penalty"]), penalty)


def boost(quality: float, penalty: float, cfg=None) -> float:
    cfg = cfg or config()
    return (1 + float(cfg["quality_weight"]) * quality) * (1 - penalty)
