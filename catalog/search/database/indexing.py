"""Indexing in the database engine: ``SearchDocument`` + ``SearchDocumentText`` rows written in
bulk from ``ListingData``, the PostgreSQL vectors built from their tokens, removal, rebuild and
the periodic ranking refresh."""

from __future__ import annotations

from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.db import transaction
from django.db.models import Func, OuterRef, Subquery
from django.utils import timezone

from catalog.models import SearchDocument, SearchDocumentText
from catalog.search import ranking
from catalog.search import text as text_mod
from catalog.search.base import bump_index_version
from catalog.search.database import changes
from catalog.search.database.backend import configure_database, is_postgres
from catalog.search.database.facets import facet_lexeme


def index(documents, *, indexed_at=None) -> int:
    documents = list(documents)
    if not documents:
        return 0
    indexed_at = indexed_at or timezone.now()
    pairs = [document_rows(d, indexed_at) for d in documents]
    ids = [d.listing_id for d in documents]
    with transaction.atomic():
        SearchDocument.objects.bulk_create(
            [doc for doc, _text in pairs],
            update_conflicts=True,
            unique_fields=["listing"],
            update_fields=_update_fields(SearchDocument, ("listing", "search_vector", "head_vector")),
        )
        SearchDocumentText.objects.bulk_create(
            [text for _doc, text in pairs],
            update_conflicts=True,
            unique_fields=["document"],
            update_fields=_update_fields(SearchDocumentText, ("document",)),
        )
        if is_postgres():
            build_vectors(SearchDocument.objects.filter(pk__in=ids))
    changes.record(ids)  # the version bump, and these ids noted under it (``changes``)
    return len(pairs)


def remove(listing_ids) -> int:
    ids = list(listing_ids)
    if not ids:
        return 0
    deleted, _ = SearchDocument.objects.filter(pk__in=ids).delete()
    changes.record(ids)
    return deleted


def rebuild(batches, *, total: int, progress=None) -> int:
    configure_database()
    started = timezone.now()
    done = 0
    for batch in batches:
        done += index(batch, indexed_at=timezone.now())
        if progress:
            progress(done, total)
    stale = SearchDocument.objects.filter(indexed_at__lt=started).values_list("pk", flat=True)
    remove(list(stale))
    return done


def refresh_ranking(*, now=None) -> int:
    """Recompute quality and boost (freshness moves with time) for every document."""
    cfg = ranking.config()
    now = now or timezone.now()
    changed = 0
    last = 0
    while True:
        batch = list(
            SearchDocument.objects.filter(pk__gt=last)
            .order_by("pk")
            .only(
                "pk",
                "bayesian_rating",
                "active_subscriptions",
                "tier_rank",
                "last_updated_at",
                "stuffing_penalty",
                "quality",
                "boost",
            )[:2000]
        )
        if not batch:
            break
        last = batch[-1].pk
        for doc in batch:
            signals = ranking.signals(
                bayesian=doc.bayesian_rating,
                subscriptions=doc.active_subscriptions,
                tier_rank=doc.tier_rank,
                updated_at=doc.last_updated_at,
                now=now,
                cfg=cfg,
            )
            doc.quality = signals.quality(cfg)
            doc.boost = ranking.boost(doc.quality, doc.stuffing_penalty, cfg)
        SearchDocument.objects.bulk_update(batch, ["quality", "boost"], batch_size=1000)
        changed += len(batch)
    bump_index_version()
    return changed


def count() -> int:
    return SearchDocument.objects.count()


def _update_fields(model, skip) -> list[str]:
    return [f.name for f in model._meta.concrete_fields if f.name not in skip]


def build_vectors(queryset) -> int:
    """PostgreSQL: (re)build ``search_vector`` and ``head_vector`` from the documents' tokens."""
    texts = SearchDocumentText.objects.filter(pk=OuterRef("pk"))
    return queryset.update(
        search_vector=Subquery(texts.annotate(v=vector_expression()).values("v")[:1]),
        head_vector=Subquery(texts.annotate(v=head_vector_expression()).values("v")[:1]),
    )


def vector_expression():
    """Every token and every facet lexeme: what a query and its filters match. Stripped of
    positions and weights (ranking reads ``head_vector``), so the rows stay small."""
    return Func(
        SearchVector("tokens", "tokens_facets", config="simple"),
        function="strip",
        output_field=SearchVectorField(),
    )


def head_vector_expression():
    """Names, tagline and keywords only: what relevance is ranked on."""
    return (
        SearchVector("tokens_name", weight="A", config="simple")
        + SearchVector("tokens_tagline", weight="B", config="simple")
        + SearchVector("tokens_meta", weight="C", config="simple")
    )


def facet_rows(d) -> list[tuple[str, str]]:
    rows = [("category", v) for v in d.categories]
    rows += [("industry", v) for v in d.industries]
    rows += [("region", v) for v in d.regions]
    rows += [("pricing", v) for v in d.pricing_models]
    rows += [("rating", v) for v in d.rating_buckets]
    if d.listing_type:
        rows.append(("type", d.listing_type))
    if d.deployment:
        rows.append(("deployment", d.deployment))
    if d.tier_slug:
        rows.append(("tier", d.tier_slug))
    if d.partner_kind:
        rows.append(("kind", d.partner_kind))
    if d.has_free_trial:
        rows.append(("trial", "1"))
    return list(dict.fromkeys((f, v[:80]) for f, v in rows if v and " " not in v and "=" not in f))


def _words(values) -> str:
    return f" {' '.join(values)} " if values else ""


def document_rows(d, indexed_at) -> tuple[SearchDocument, SearchDocumentText]:
    document = SearchDocument(
        listing_id=d.listing_id,
        partner_id=d.partner_id,
        categories=_words(d.categories),
        industries=_words(d.industries),
        regions=_words(d.regions),
        pricing_models=_words(d.pricing_models),
        rating_buckets=_words(d.rating_buckets),
        listing_type=d.listing_type,
        deployment=d.deployment,
        tier_slug=d.tier_slug,
        tier_rank=d.tier_rank,
        partner_kind=d.partner_kind,
        has_free_trial=d.has_free_trial,
        rating_average=d.rating_average,
        rating_count=d.rating_count,
        bayesian_rating=d.bayesian_rating,
        active_subscriptions=d.active_subscriptions,
        published_at=d.published_at,
        last_updated_at=d.last_updated_at,
        min_price_cny=d.min_price_cny,
        min_price_usd=d.min_price_usd,
        quality=d.quality,
        stuffing_penalty=d.stuffing_penalty,
        boost=d.boost,
        name_norm=text_mod.normalise(d.title)[:255],
        name_en_norm=text_mod.normalise(d.title_en)[:255],
        suggest_text=d.suggest_text(),
        indexed_at=indexed_at,
    )
    text = SearchDocumentText(
        document_id=d.listing_id,
        title=d.title[:255],
        title_en=d.title_en[:255],
        tagline=d.tagline[:255],
        tagline_en=d.tagline_en[:255],
        partner_name=d.partner_name[:255],
        partner_name_en=d.partner_name_en[:255],
        url=d.url[:500],
        url_en=d.url_en[:500],
        tier_name=d.tier_name[:60],
        tier_name_en=d.tier_name_en[:60],
        tier_colour=d.tier_colour[:7],
        body=d.body[:8000],
        body_en=d.body_en[:8000],
        tokens_facets=" ".join(facet_lexeme(f, v) for f, v in facet_rows(d)),
        **d.token_fields(),
    )
    return document, text
