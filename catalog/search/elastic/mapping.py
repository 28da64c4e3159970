"""The index: its settings, its mapping (``ListingDocument``) and how a listing becomes a document.

Matching uses the *database engine's own segmentation*: ``tokens_name``, ``tokens_tagline``,
``tokens_meta`` and ``tokens_body`` hold ``ListingData.token_fields()`` — jieba's words of each
Chinese run plus every two-character window, lower-cased English words and their folds (and
whatever ``catalog.search.text`` adds later) — analysed by the built-in ``whitespace``
analyser, so a query segmented by the same code matches exactly what the database engine
matches, across fields and languages. The display fields (``title`` … ``body_en``) use the
built-in ``standard`` analyser, which makes every Chinese character a token: that is how a
single-character query is matched (the database engine's substring match). Every analyser is
built in: nothing to install on the cluster.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache

from django.conf import settings

from catalog.search import text as text_mod
from catalog.search.base import MAX_PAGE, MAX_PER_PAGE

EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
TOKEN_FIELDS = ("tokens_name", "tokens_tagline", "tokens_meta", "tokens_body")
DISPLAY_TEXT_FIELDS = ("title", "title_en", "tagline", "tagline_en", "body", "body_en")
BODY_LIMIT = 8000  # as the database engine keeps it
# Deep pages are allowed up to the last page a request may ask for (500 × 100), so no
# ``from + size`` is ever clamped behind the visitor's back.
MAX_RESULT_WINDOW = MAX_PAGE * MAX_PER_PAGE


def alias_name() -> str:
    return f"{settings.SEARCH_INDEX_PREFIX}-listings"


def index_settings() -> dict:
    return {
        "number_of_shards": int(getattr(settings, "ELASTICSEARCH_SHARDS", 1)),
        "number_of_replicas": int(getattr(settings, "ELASTICSEARCH_REPLICAS", 0)),
        "max_result_window": MAX_RESULT_WINDOW,
    }


@lru_cache(maxsize=1)
def _dsl():
    """The document class, built on first use (the module imports without a server)."""
    from elasticsearch.dsl import (
        Boolean,
        Date,
        Document,
        Float,
        Integer,
        Keyword,
        ScaledFloat,
        Text,
        Wildcard,
    )

    def display(**kw):
        return Text(analyzer="standard", **kw)

    def tokens():
        return Text(analyzer="whitespace", norms=False)

    class ListingDocument(Document):
        listing_id = Integer()
        partner_id = Integer()
        # Display text, and single-character (substring) matching.
        title = display()
        title_en = display()
        tagline = display()
        tagline_en = display()
        body = display()
        body_en = display()
        # Matching: the database engine's tokens, per field.
        tokens_name = tokens()
        tokens_tagline = tokens()
        tokens_meta = tokens()  # tags, categories, industries, partner names (both languages)
        tokens_body = tokens()
        # Exact-name bonus, starts-with ordering, autocomplete, typo matching.
        name_norm = Keyword()
        name_en_norm = Keyword()
        suggest_text = Wildcard()
        names = Text(analyzer="standard")
        # Result card.
        partner_name = Keyword(index=False)
        partner_name_en = Keyword(index=False)
        url = Keyword(index=False)
        url_en = Keyword(index=False)
        tier_name = Keyword(index=False)
        tier_name_en = Keyword(index=False)
        tier_colour = Keyword(index=False)
        # Facets.
        listing_type = Keyword()
        deployment = Keyword()
        tier_slug = Keyword()
        partner_kind = Keyword()
        categories = Keyword(multi=True)
        industries = Keyword(multi=True)
        regions = Keyword(multi=True)
        pricing_models = Keyword(multi=True)
        rating_buckets = Keyword(multi=True)
        has_free_trial = Boolean()
        # Sorts and ranking signals.
        tier_rank = Integer()
        rating_average = Float()
        rating_count = Integer()
        bayesian_rating = Float()
        active_subscriptions = Integer()
        published_at = Date()
        last_updated_at = Date()
        min_price_cny = ScaledFloat(scaling_factor=100)
        min_price_usd = ScaledFloat(scaling_factor=100)
        rating_signal = Float()
        subscriptions_signal = Float()
        tier_signal = Float()
        stuffing_multiplier = Float()
        boost = Float()

        class Index:
            name = alias_name()

    return ListingDocument


def document_class():
    return _dsl()


def index_body() -> dict:
    """``settings`` and ``mappings`` of a new concrete index (``PUT /<index>``)."""
    from elasticsearch.dsl import Index

    index = Index(alias_name())
    index.document(document_class())
    index.settings(**index_settings())
    body = index.to_dict()
    body.setdefault("settings", {})
    return body


def mapping_properties() -> dict:
    return document_class()._doc_type.mapping.to_dict()["properties"]


def to_source(d) -> dict:
    """A ``ListingData`` as the document's ``_source``."""
    tokens = d.token_fields()
    return {
        "listing_id": d.listing_id,
        "partner_id": d.partner_id,
        "title": d.title,
        "title_en": d.title_en,
        "tagline": d.tagline,
        "tagline_en": d.tagline_en,
        "body": (d.body or "")[:BODY_LIMIT],
        "body_en": (d.body_en or "")[:BODY_LIMIT],
        **{name: tokens[name].strip() for name in TOKEN_FIELDS},
        "name_norm": text_mod.normalise(d.title)[:255],
        "name_en_norm": text_mod.normalise(d.title_en)[:255],
        "suggest_text": d.suggest_text(),
        "names": d.suggest_text(),
        "partner_name": d.partner_name,
        "partner_name_en": d.partner_name_en,
        "url": d.url,
        "url_en": d.url_en,
        "tier_name": d.tier_name,
        "tier_name_en": d.tier_name_en,
        "tier_colour": d.tier_colour,
        "listing_type": d.listing_type,
        "deployment": d.deployment,
        "tier_slug": d.tier_slug,
        "partner_kind": d.partner_kind,
        "categories": list(d.categories),
        "industries": list(d.industries),
        "regions": list(d.regions),
        "pricing_models": list(d.pricing_models),
        "rating_buckets": list(d.rating_buckets),
        "has_free_trial": bool(d.has_free_trial),
        "tier_rank": d.tier_rank,
        "rating_average": d.rating_average,
        "rating_count": d.rating_count,
        "bayesian_rating": d.bayesian_rating,
        "active_subscriptions": d.active_subscriptions,
        "published_at": d.published_at.isoformat() if d.published_at else None,
        "last_updated_at": (d.last_updated_at or d.published_at or EPOCH).isoformat(),
        "min_price_cny": float(d.min_price_cny) if d.min_price_cny is not None else None,
        "min_price_usd": float(d.min_price_usd) if d.min_price_usd is not None else None,
        "rating_signal": d.signals.rating,
        "subscriptions_signal": d.signals.subscriptions,
        "tier_signal": d.signals.tier,
        "stuffing_multiplier": 1 - d.stuffing_penalty,
        "boost": d.boost,
    }
