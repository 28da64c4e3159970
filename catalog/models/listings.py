"""Listings: Wagtail pages in the owning partner's subtree, with their plans, screenshots,
versions and usage records.

A listing is drafted by partner members (their group holds add + change on the partner's page
subtree) and published only by the "Listing review" workflow (``catalog.models.review``).
Figures other apps own are written here as plain columns, never through a revision:
marketplace keeps ``rating_*``, billing keeps ``active_subscriptions`` (queryset ``update()``).
``with_content_json`` keeps them (and the lifecycle columns) when a revision is restored or
published, so publishing an older draft never rolls them back.

One module because the listing page and its inline children (plans, screenshots, versions, usages)
form one Wagtail cluster, saved and revisioned together.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django import forms
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from taggit.models import TaggedItemBase
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    InlinePanel,
    MultiFieldPanel,
    ObjectList,
    TabbedInterface,
    TitleFieldPanel,
)
from wagtail.fields import StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index

from catalog.blocks import DescriptionBlock
from catalog.models.categories import Category
from core.i18n import TranslatedField
from core.money import Currency, Money, quantize
from core.publishing import FastPublish
from partners.models import Industry, Partner, PartnerPage, Region


class ListingType(models.TextChoices):
    SAAS = "saas", _("SaaS app")
    INTEGRATION = "integration", _("Integration / plug-in")
    JOINT_SOLUTION = "joint_solution", _("Joint solution")
    SERVICE_PACKAGE = "service_package", _("Service package")


class Deployment(models.TextChoices):
    CLOUD = "cloud", _("Cloud")
    ON_PREMISES = "on_premises", _("On-premises")
    HYBRID = "hybrid", _("Hybrid")


class PricingModel(models.TextChoices):
    FREE = "free", _("Free")
    FREE_TRIAL = "free_trial", _("Free trial")
    FLAT_MONTHLY = "flat_monthly", _("Monthly subscription")
    FLAT_ANNUAL = "flat_annual", _("Annual subscription")
    PER_SEAT = "per_seat", _("Per seat")
    USAGE = "usage", _("Usage-based")
    ONE_TIME = "one_time", _("One-time fee")
    CONTACT_SALES = "contact_sales", _("Contact sales")


PAID_MODELS = frozenset(
    {
        PricingModel.FLAT_MONTHLY,
        PricingModel.FLAT_ANNUAL,
        PricingModel.PER_SEAT,
        PricingModel.USAGE,
        PricingModel.ONE_TIME,
    }
)
PRICELESS_MODELS = frozenset({PricingModel.FREE, PricingModel.CONTACT_SALES})

# Languages a listing's product supports (native names: no translation needed).
LISTING_LANGUAGES = (
    ("zh-hans", "简体中文"),
    ("zh-hant", "繁體中文"),
    ("en", "English"),
    ("ja", "日本語"),
    ("ko", "한국어"),
)

HISTOGRAM_KEYS = ("1", "2", "3", "4", "5")
# Columns written only with a queryset update() (by catalog services, marketplace and billing),
# never through the editor or a revision.
COLUMN_FIELDS = (
    "last_updated_at",
    "stale_warned_at",
    "delisted_at",
    "delist_reason",
    "rating_average",
    "rating_count",
    "rating_histogram",
    "active_subscriptions",
)


def default_languages() -> list[str]:
    return ["zh-hans"]


def empty_histogram() -> dict[str, int]:
    return dict.fromkeys(HISTOGRAM_KEYS, 0)


# --- plan validation: module constants so tests and the pre-checks share them -------------
PLAN_NEEDS_PRICE = _("A %(model)s plan needs a price in CNY or USD.")
PLAN_NO_PRICE = _("A %(model)s plan has no price: leave the prices empty.")
PLAN_PRICE_POSITIVE = _("Enter a price above zero, or leave it empty.")
PLAN_TRIAL_NEEDS_DAYS = _("A free-trial plan needs the number of trial days.")
PLAN_TRIAL_DAYS_RANGE = _("A trial lasts between 1 and 365 days.")
PLAN_ONLY_TRIAL_HAS_DAYS = _("Only a free-trial plan has trial days.")
PLAN_USAGE_NEEDS_UNIT = _("A usage-based plan needs a unit, e.g. “1,000 API calls”.")
PLAN_NEEDS_NAME = _("Give the plan a name.")


class ListingTag(TaggedItemBase):
    content_object = ParentalKey("catalog.ListingPage", on_delete=models.CASCADE, related_name="tagged_items")


class ListingPageForm(WagtailAdminPageForm):
    """Languages as checkboxes; a partner cannot name itself as its own co-partner."""

    languages = forms.MultipleChoiceField(
        label=_("languages"),
        choices=LISTING_LANGUAGES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Languages the product's interface and support are available in."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "co_partners" in self.fields:
            parent = getattr(self.parent_page, "specific", None)
            own = self.instance.partner_id or getattr(parent, "partner_id", None)
            queryset = Partner.objects.select_related("organisation").order_by("organisation__name")
            self.fields["co_partners"].queryset = queryset.exclude(pk=own) if own else queryset


def listing_slug_base(*, title_en: str = "", title: str = "") -> str:
    """``"Store Connect"`` → ``store-connect``; ``"云帆门店通"`` → ``yun-fan-men-dian-tong``."""
    from django.utils.text import slugify
    from pypinyin import lazy_pinyin

    base = slugify(title_en or "", allow_unicode=False)
    if not base and title:
        base = slugify(" ".join(lazy_pinyin(title)), allow_unicode=False)
    return base[:60].strip("-")


class ListingPage(FastPublish, Page):
    nav_section = "search"  # the header's "Browse apps", although the URL is under the partner's page

    partner = models.ForeignKey(
        Partner,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="listings",
        verbose_name=_("partner"),
        help_text=_("Set from the partner page the listing belongs to."),
    )
    co_partners = ParentalManyToManyField(
        Partner,
        blank=True,
        related_name="joint_listings",
        verbose_name=_("co-partners"),
        help_text=_("For a joint solution: the other partners delivering it."),
    )
    listing_type = models.CharField(
        _("listing type"), max_length=20, choices=ListingType.choices, default=ListingType.SAAS, db_index=True
    )
    title_en = models.CharField(_("name (English)"), max_length=255, blank=True)
    tagline = models.CharField(_("tagline"), max_length=160, blank=True)
    tagline_en = models.CharField(_("tagline (English)"), max_length=160, blank=True)
    description = StreamField(DescriptionBlock(), blank=True, verbose_name=_("description"))
    description_en = StreamField(DescriptionBlock(), blank=True, verbose_name=_("description (English)"))
    logo = models.ForeignKey(
        "wagtailimages.Image",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("logo"),
    )
    video_url = models.URLField(_("video URL"), blank=True)
    categories = ParentalManyToManyField(
        Category, blank=True, related_name="listings", verbose_name=_("categories")
    )
    industries = ParentalManyToManyField(
        Industry, blank=True, related_name="listings", verbose_name=_("industries")
    )
    regions = ParentalManyToManyField(Region, blank=True, related_name="listings", verbose_name=_("regions"))
    languages = models.JSONField(_("languages"), default=default_languages, blank=True)
    deployment = models.CharField(
        _("deployment"), max_length=20, choices=Deployment.choices, default=Deployment.CLOUD
    )
    compatibility = models.CharField(
        _("compatible platform versions"),
        max_length=200,
        blank=True,
        help_text=_("Platform product versions the listing works with, e.g. “Symbio ERP 2024 and later”."),
    )
    support_email = models.EmailField(_("support email"), blank=True)
    support_url = models.URLField(_("support page"), blank=True)
    support_hours = models.CharField(_("support hours"), max_length=120, blank=True)
    support_hours_en = models.CharField(_("support hours (English)"), max_length=120, blank=True)
    documentation_url = models.URLField(_("documentation"), blank=True)
    privacy_url = models.URLField(_("privacy policy"), blank=True)
    terms_url = models.URLField(_("terms of service"), blank=True)
    tags = ClusterTaggableManager(through=ListingTag, blank=True, verbose_name=_("tags"))

    # Lifecycle (written by services, never by the editor).
    last_updated_at = models.DateTimeField(_("last updated"), null=True, blank=True, db_index=True)
    stale_warned_at = models.DateTimeField(_("stale warning sent"), null=True, blank=True)
    delisted_at = models.DateTimeField(_("delisted"), null=True, blank=True, db_index=True)
    delist_reason = models.TextField(_("delisting reason"), blank=True)
    # Aggregates written by higher apps with a queryset update().
    rating_average = models.DecimalField(
        _("average rating"), max_digits=3, decimal_places=2, null=True, blank=True
    )
    rating_count = models.PositiveIntegerField(_("ratings"), default=0)
    rating_histogram = models.JSONField(_("rating histogram"), default=empty_histogram, blank=True)
    active_subscriptions = models.PositiveIntegerField(_("active subscriptions"), default=0)

    t_title = TranslatedField("title", "title_en")
    t_tagline = TranslatedField("tagline", "tagline_en")
    t_description = TranslatedField("description", "description_en")
    t_support_hours = TranslatedField("support_hours", "support_hours_en")

    # Columns that belong to the page as a whole, not to a revision of it.
    PRESERVED_FIELDS = ("partner_id", *COLUMN_FIELDS)
    # A copy starts fresh, and takes its partner from its new parent page.
    exclude_fields_in_copy = ["partner", *COLUMN_FIELDS]

    content_panels = [
        MultiFieldPanel(
            [
                TitleFieldPanel("title", heading=_("Name (Chinese)")),
                FieldPanel("title_en"),
                FieldRowPanel([FieldPanel("tagline"), FieldPanel("tagline_en")]),
                FieldPanel("listing_type"),
                FieldPanel("logo"),
            ],
            heading=_("Listing"),
        ),
        FieldPanel("description"),
        FieldPanel("description_en"),
        InlinePanel("screenshots", heading=_("Screenshots"), label=_("Screenshot")),
        FieldPanel("video_url"),
        InlinePanel("plans", heading=_("Plans and pricing"), label=_("Plan")),
    ]
    detail_panels = [
        FieldPanel("categories", widget=forms.CheckboxSelectMultiple),
        FieldRowPanel(
            [
                FieldPanel("industries", widget=forms.CheckboxSelectMultiple),
                FieldPanel("regions", widget=forms.CheckboxSelectMultiple),
            ]
        ),
        FieldPanel("languages"),
        FieldRowPanel([FieldPanel("deployment"), FieldPanel("compatibility")]),
        FieldPanel("co_partners"),
        FieldPanel("tags"),
    ]
    support_panels = [
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("support_email"), FieldPanel("support_url")]),
                FieldRowPanel([FieldPanel("support_hours"), FieldPanel("support_hours_en")]),
            ],
            heading=_("Support"),
        ),
        MultiFieldPanel(
            [FieldPanel("documentation_url"), FieldPanel("privacy_url"), FieldPanel("terms_url")],
            heading=_("Documentation and legal"),
        ),
    ]
    edit_handler = TabbedInterface(
        [
            ObjectList(content_panels, heading=_("Content")),
            ObjectList(detail_panels, heading=_("Details")),
            ObjectList(support_panels, heading=_("Support & legal")),
            ObjectList(Page.promote_panels, heading=pgettext_lazy("page settings tab", "Promote")),
            ObjectList(Page.settings_panels, heading=_("Settings")),
        ]
    )
    base_form_class = ListingPageForm

    search_fields = [
        *Page.search_fields,
        index.SearchField("title_en"),
        index.SearchField("tagline"),
        index.SearchField("tagline_en"),
        index.SearchField("description"),
        index.SearchField("description_en"),
        index.FilterField("listing_type"),
        index.FilterField("deployment"),
        index.FilterField("partner"),
        index.FilterField("delisted_at"),
    ]
    parent_page_types = ["partners.PartnerPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("listing")
        verbose_name_plural = _("listings")
        permissions = [("delist_listingpage", "Can delist listings")]

    def _set_core_field_defaults(self):
        """A listing's address is readable Latin: from the English name, else the pinyin of the
        Chinese one — not Chinese characters (which the admin's slug field fills in). A published
        listing keeps its address."""
        parent_is_known = bool(self.path or getattr(self, "_cached_parent_obj", None))
        if parent_is_known and (not self.slug or (not self.slug.isascii() and not self.first_published_at)):
            base = listing_slug_base(title_en=self.title_en, title=self.title)
            if base:
                self.slug = self._get_autogenerated_slug(base)
        super()._set_core_field_defaults()

    def save(self, *args, **kwargs):
        if self.partner_id is None and self.path and self.depth and self.depth > 1:
            self.partner_id = (
                PartnerPage.objects.filter(path=self.path[: -self.steplen])
                .values_list("partner_id", flat=True)
                .first()
            )
        if self.pk and not kwargs.get("update_fields"):
            # Only ever written with update(): a page saved from an older copy keeps the current values.
            current = ListingPage.objects.filter(pk=self.pk).values(*COLUMN_FIELDS).first()
            for name, value in (current or {}).items():
                setattr(self, name, value)
        return super().save(*args, **kwargs)

    def with_content_json(self, content):
        obj = super().with_content_json(content)
        for name in self.PRESERVED_FIELDS:
            setattr(obj, name, getattr(self, name))
        return obj

    #: ``listing_detail(page) -> dict``, what the public page shows: catalog.selectors.listings'
    #: ``listing_detail``, handed in by ``CatalogConfig.ready()`` (selectors import the models, so
    #: a model never imports them).
    listing_detail = None
    #: Anonymous visitors without cookies share the whole page (core.anonymous_pages).
    shared_anonymous_page = True

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # Lazy: the template's cached fragments (core.fragments) read it only on a miss.
        context["listing"] = SimpleLazyObject(lambda: self.listing_detail(self))
        context["canonical_url"] = request.build_absolute_uri(self.get_url(request) or request.path)
        return context

    @property
    def is_delisted(self) -> bool:
        return self.delisted_at is not None

    @property
    def language_labels(self) -> list[str]:
        labels = dict(LISTING_LANGUAGES)
        return [labels.get(code, code) for code in self.languages or []]


class ListingPlan(Orderable):
    listing = ParentalKey(ListingPage, on_delete=models.CASCADE, related_name="plans")
    name = models.CharField(_("name"), max_length=80)
    name_en = models.CharField(_("name (English)"), max_length=80, blank=True)
    pricing_model = models.CharField(
        _("pricing model"), max_length=20, choices=PricingModel.choices, default=PricingModel.FLAT_MONTHLY
    )
    trial_days = models.PositiveSmallIntegerField(_("trial days"), null=True, blank=True)
    price_cny = models.DecimalField(_("price (CNY)"), max_digits=12, decimal_places=2, null=True, blank=True)
    price_usd = models.DecimalField(_("price (USD)"), max_digits=12, decimal_places=2, null=True, blank=True)
    unit = models.CharField(
        _("unit"), max_length=60, blank=True, help_text=_("Per-seat and usage-based plans: what one unit is.")
    )
    unit_en = models.CharField(_("unit (English)"), max_length=60, blank=True)
    features = models.TextField(_("features"), blank=True, help_text=_("One feature per line."))
    features_en = models.TextField(_("features (English)"), blank=True, help_text=_("One feature per line."))

    t_name = TranslatedField("name", "name_en")
    t_unit = TranslatedField("unit", "unit_en")
    t_features = TranslatedField("features", "features_en")

    panels = [
        FieldRowPanel([FieldPanel("name"), FieldPanel("name_en")]),
        FieldRowPanel([FieldPanel("pricing_model"), FieldPanel("trial_days")]),
        FieldRowPanel([FieldPanel("price_cny"), FieldPanel("price_usd")]),
        FieldRowPanel([FieldPanel("unit"), FieldPanel("unit_en")]),
        FieldRowPanel([FieldPanel("features"), FieldPanel("features_en")]),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("plan")
        verbose_name_plural = _("plans")

    def __str__(self):
        return self.t_name

    def clean(self):
        from django.core.exceptions import ValidationError

        super().clean()
        errors = plan_errors(self)
        if errors:
            raise ValidationError(errors)

    @property
    def feature_list(self) -> list[str]:
        lines = (line.strip().lstrip("-•*·").strip() for line in (self.t_features or "").splitlines())
        return [line for line in lines if line]

    def price(self, currency: str) -> Money | None:
        amount = self.price_cny if currency == Currency.CNY else self.price_usd
        return None if amount is None else Money(quantize(Decimal(amount), currency), currency)

    @property
    def prices(self) -> list[Money]:
        return [m for m in (self.price(Currency.CNY), self.price(Currency.USD)) if m is not None]

    @property
    def is_paid(self) -> bool:
        return self.pricing_model in PAID_MODELS


def plan_errors(plan) -> dict[str, list[str]]:
    """What is wrong with a plan, by field (empty when it is fine). Messages name the pricing model."""
    errors: dict[str, list[str]] = {}

    def add(field, message):
        errors.setdefault(field, []).append(message)

    model = plan.pricing_model
    label = str(PricingModel(model).label).lower() if model in PricingModel.values else model
    has_price = plan.price_cny is not None or plan.price_usd is not None
    if not (plan.name or "").strip():
        add("name", str(PLAN_NEEDS_NAME))
    for field in ("price_cny", "price_usd"):
        value = getattr(plan, field)
        if value is not None and Decimal(value) <= 0 and model not in PRICELESS_MODELS:
            add(field, str(PLAN_PRICE_POSITIVE))
    if model in PRICELESS_MODELS and has_price:
        add("price_cny" if plan.price_cny is not None else "price_usd", str(PLAN_NO_PRICE % {"model": label}))
    if model in PAID_MODELS and not has_price:
        add("price_cny", str(PLAN_NEEDS_PRICE % {"model": label}))
    if model == PricingModel.FREE_TRIAL:
        if plan.trial_days is None:
            add("trial_days", str(PLAN_TRIAL_NEEDS_DAYS))
        elif not 1 <= plan.trial_days <= 365:
            add("trial_days", str(PLAN_TRIAL_DAYS_RANGE))
    elif plan.trial_days is not None:
        add("trial_days", str(PLAN_ONLY_TRIAL_HAS_DAYS))
    if model == PricingModel.USAGE and not (plan.unit or "").strip():
        add("unit", str(PLAN_USAGE_NEEDS_UNIT))
    return errors


class ListingScreenshot(Orderable):
    listing = ParentalKey(ListingPage, on_delete=models.CASCADE, related_name="screenshots")
    image = models.ForeignKey(
        "wagtailimages.Image", on_delete=models.CASCADE, related_name="+", verbose_name=_("image")
    )
    caption = models.CharField(_("caption"), max_length=160, blank=True)
    caption_en = models.CharField(_("caption (English)"), max_length=160, blank=True)

    t_caption = TranslatedField("caption", "caption_en")

    panels = [FieldPanel("image"), FieldRowPanel([FieldPanel("caption"), FieldPanel("caption_en")])]

    class Meta(Orderable.Meta):
        verbose_name = _("screenshot")
        verbose_name_plural = _("screenshots")


class ListingVersion(models.Model):
    """A release of a listing and its notes. Published at once (no review); a new one moves the
    listing's "last updated" (``catalog.services.versions.add_version``)."""

    listing = models.ForeignKey(ListingPage, on_delete=models.CASCADE, related_name="versions")
    version = models.CharField(_("version"), max_length=40)
    released_on = models.DateField(_("released on"), default=timezone.localdate)
    notes = models.TextField(_("release notes"), blank=True)
    notes_en = models.TextField(_("release notes (English)"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    t_notes = TranslatedField("notes", "notes_en")

    class Meta:
        ordering = ["-released_on", "-pk"]
        verbose_name = _("version")
        verbose_name_plural = _("versions")
        constraints = [
            models.UniqueConstraint(
                fields=["listing", "version"], name="catalog_one_version_number_per_listing"
            )
        ]

    def __str__(self):
        return self.version


class UsageKind(models.TextChoices):
    TRIAL = "trial", _("Trial")
    SUBSCRIPTION = "subscription", _("Subscription")


class ListingUsage(models.Model):
    """An organisation has (or had) a trial or subscription of a listing. Billing writes these;
    the marketplace reads them (who may review, "verified — used for N months")."""

    listing = models.ForeignKey(ListingPage, on_delete=models.CASCADE, related_name="usages")
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="listing_usages"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=UsageKind.choices)
    started_on = models.DateField(_("started on"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-started_on", "-pk"]
        verbose_name = _("listing usage")
        verbose_name_plural = _("listing usages")
        indexes = [models.Index(fields=["listing", "organisation"], name="catalog_usage_listing_org")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="catalog_usage_ends_after_start",
            )
        ]

    def __str__(self):
        return f"{self.organisation} · {self.listing} ({self.get_kind_display()})"

    @property
    def is_active(self) -> bool:
        return self.ended_on is None or self.ended_on >= timezone.localdate()

    def months(self, today: date | None = None) -> int:
        """Whole months from start to end (or ``today``)."""
        end = self.ended_on or today or timezone.localdate()
        months = (end.year - self.started_on.year) * 12 + end.month - self.started_on.month
        if end.day < self.started_on.day:
            months -= 1
        return max(months, 0)
