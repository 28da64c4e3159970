"""The database search engine's index and the search analytics (``catalog.search``).

The index is two tables, one row per live listing in each: ``SearchDocument`` (narrow: what
every search reads for every match) and ``SearchDocumentText`` (wide: what the page of hits
shows, and the segmented text).

On PostgreSQL ``SearchDocument`` carries two text-search vectors:
``search_vector`` (every token, weighted A–D, plus one lexeme per facet value, GIN-indexed, so
text and facet filters are one index scan) and ``head_vector`` (names, tagline and keywords
only: cheap to rank). A trigram index on the names serves typos and autocomplete. Both GIN
indexes are created by migration ``catalog.0004_search_index`` on PostgreSQL only.

Multi-valued facets are space-separated words (``categories = " finance finance-ledger "``):
SQLite filters them with ``LIKE``, PostgreSQL counts them by unnesting; single-valued ones are
plain columns.

The index is derived data: ``catalog.search.indexing`` writes it when listings are published,
unpublished, edited or re-rated, and ``manage.py reindex`` rebuilds it. Its link to the listing
has no database constraint so a rebuild (or the benchmark's synthetic documents) can write it
freely; deleting a listing still deletes its document (Django's cascade, and the signals).
"""

from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils.translation import gettext_lazy as _


class SearchDocument(models.Model):
    """What every search reads for every matching listing: facets, ranking signals and sort
    keys, names for exact matches, typos and autocomplete, and the PostgreSQL vectors. Kept
    narrow (display text and tokens live in ``SearchDocumentText``) so counting facets over
    tens of thousands of matches reads few pages."""

    listing = models.OneToOneField(
        "catalog.ListingPage",
        primary_key=True,
        on_delete=models.CASCADE,
        db_constraint=False,
        related_name="search_document",
    )
    partner = models.ForeignKey(
        "partners.Partner",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )

    # Facets. Multi-valued ones as " a b c " (categories include their ancestors; rating
    # buckets are the "N★ & up" thresholds the average reaches).
    categories = models.TextField(blank=True)
    industries = models.TextField(blank=True)
    regions = models.TextField(blank=True)
    pricing_models = models.TextField(blank=True)
    rating_buckets = models.CharField(max_length=20, blank=True)
    listing_type = models.CharField(max_length=20)
    deployment = models.CharField(max_length=20, blank=True)
    tier_slug = models.CharField(max_length=40, blank=True)
    tier_rank = models.PositiveSmallIntegerField(default=0)
    partner_kind = models.CharField(max_length=20, blank=True)
    has_free_trial = models.BooleanField(default=False)

    # Ranking signals and sort keys.
    rating_average = models.FloatField(null=True, blank=True)
    rating_count = models.PositiveIntegerField(default=0)
    bayesian_rating = models.FloatField(default=0)
    active_subscriptions = models.PositiveIntegerField(default=0)
    published_at = models.DateTimeField(null=True, blank=True)
    last_updated_at = models.DateTimeField(null=True, blank=True)
    min_price_cny = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    min_price_usd = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    quality = models.FloatField(default=0)
    stuffing_penalty = models.FloatField(default=0)
    boost = models.FloatField(default=1)  # (1 + quality weight × quality) × (1 − penalty)

    # Names: exact-name bonus, typo matching and autocomplete (lower-cased).
    name_norm = models.CharField(max_length=255, blank=True)
    name_en_norm = models.CharField(max_length=255, blank=True)
    suggest_text = models.TextField(blank=True)
    search_vector = SearchVectorField(null=True, blank=True)  # PostgreSQL only: matching
    head_vector = SearchVectorField(null=True, blank=True)  # PostgreSQL only: ranking

    indexed_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("search document")
        verbose_name_plural = _("search documents")
        indexes = [models.Index(fields=["-boost", "listing"], name="catalog_sdoc_boost")]

    def __str__(self):
        return self.name_norm


class SearchDocumentText(models.Model):
    """What a result card shows (both languages) and the segmented text the vectors (and, on
    SQLite, the ``LIKE`` matching) are built from. Read for one page of hits at a time."""

    document = models.OneToOneField(
        SearchDocument, primary_key=True, on_delete=models.CASCADE, related_name="text"
    )
    title = models.CharField(max_length=255)
    title_en = models.CharField(max_length=255, blank=True)
    tagline = models.CharField(max_length=255, blank=True)
    tagline_en = models.CharField(max_length=255, blank=True)
    partner_name = models.CharField(max_length=255, blank=True)
    partner_name_en = models.CharField(max_length=255, blank=True)
    url = models.CharField(max_length=500, blank=True)  # the listing's URL in Chinese (no prefix)
    url_en = models.CharField(max_length=500, blank=True)  # … and under /en/
    tier_name = models.CharField(max_length=60, blank=True)
    tier_name_en = models.CharField(max_length=60, blank=True)
    tier_colour = models.CharField(max_length=7, blank=True)
    body = models.TextField(blank=True)  # description as plain text (highlights)
    body_en = models.TextField(blank=True)

    # Segmented tokens per field (" a b c "), de-duplicated.
    tokens_name = models.TextField(blank=True)
    tokens_tagline = models.TextField(blank=True)
    tokens_meta = models.TextField(blank=True)  # tags, categories, industries, partner
    tokens_body = models.TextField(blank=True)
    tokens = models.TextField(blank=True)  # all of the above
    tokens_facets = models.TextField(blank=True)  # one opaque lexeme per facet value (PostgreSQL)

    class Meta:
        verbose_name = _("search document text")
        verbose_name_plural = _("search document texts")

    def __str__(self):
        return self.title


class SearchQueryLog(models.Model):
    """One search made on the public search page (page 1 of a query + filters combination)."""

    query = models.CharField(_("query"), max_length=200, blank=True)
    normalised = models.CharField(_("normalised query"), max_length=200, blank=True, db_index=True)
    language = models.CharField(_("language"), max_length=10)
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    sort = models.CharField(_("sort"), max_length=20, blank=True)
    result_count = models.PositiveIntegerField(_("results"))
    engine = models.CharField(_("engine"), max_length=20, blank=True)
    session_hash = models.CharField(_("session"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("searched at"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("search")
        verbose_name_plural = _("searches")

    def __str__(self):
        return self.query or "∅"


class SearchClick(models.Model):
    """A result someone opened from the search page (position is 1-based across pages)."""

    query_log = models.ForeignKey(
        SearchQueryLog, null=True, blank=True, on_delete=models.SET_NULL, related_name="clicks"
    )
    listing = models.ForeignKey("catalog.ListingPage", on_delete=models.CASCADE, related_name="search_clicks")
    normalised = models.CharField(_("normalised query"), max_length=200, blank=True, db_index=True)
    position = models.PositiveIntegerField(_("position"))
    session_hash = models.CharField(_("session"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("clicked at"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("search click")
        verbose_name_plural = _("search clicks")

    def __str__(self):
        return f"{self.normalised} → {self.listing_id} (#{self.position})"
