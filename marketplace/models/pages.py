"""Wagtail pages of the customer side: the home page and editor-composed landing pages."""

from django.db import models
from django.db.models import Count, Q
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import StreamField
from wagtail.models import Page
from wagtail.search import index

from accounts.models import Organisation
from catalog.models import Category
from core.i18n import TranslatedField
from marketplace.blocks import HomeStreamBlock, LandingStreamBlock
from partners.models import Partner


def home_page_data() -> dict:
    """What the home page's blocks read (category grid, partner spotlight, hero KPIs): top-level
    categories, active partners by tier, and the counts, in a fixed number of queries. Here
    rather than in ``marketplace.selectors`` because only these pages build it."""
    counts = Organisation.objects.aggregate(
        partners=Count("pk", filter=Q(kind=Organisation.Kind.PARTNER)),
        customers=Count("pk", filter=Q(kind=Organisation.Kind.CUSTOMER)),
    )
    return {
        "categories": list(Category.objects.filter(parent__isnull=True).order_by("position", "slug")[:24]),
        "partners": list(
            Partner.objects.filter(status=Partner.Status.ACTIVE)
            .select_related("organisation", "tier")
            .order_by("-tier__rank", "organisation__name")[:12]
        ),
        "partner_count": counts["partners"],
        "customer_count": counts["customers"],
        "category_count": Category.objects.count(),
    }


class HomePage(Page):
    """The site root. Chinese blocks in ``body``, English in ``body_en`` (falls back to Chinese)."""

    title_en = models.CharField(_("title (English)"), max_length=255, blank=True)
    body = StreamField(HomeStreamBlock(), blank=True, verbose_name=_("body (Chinese)"))
    body_en = StreamField(HomeStreamBlock(), blank=True, verbose_name=_("body (English)"))

    t_title = TranslatedField("title", "title_en")
    t_body = TranslatedField("body", "body_en")

    content_panels = [*Page.content_panels, FieldPanel("title_en"), FieldPanel("body"), FieldPanel("body_en")]
    parent_page_types = ["wagtailcore.Page"]
    max_count_per_parent = 1
    #: Anonymous visitors without cookies share the whole page (core.anonymous_pages).
    shared_anonymous_page = True

    class Meta:
        verbose_name = _("home page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # Lazy: read by the blocks inside the cached body fragment only, on a miss (core.fragments).
        context["home"] = SimpleLazyObject(home_page_data)
        return context


class LandingPage(Page):
    """A campaign or solution page editors compose from blocks (hero, listing collections…)."""

    title_en = models.CharField(_("title (English)"), max_length=255, blank=True)
    summary = models.CharField(
        _("summary (Chinese)"), max_length=300, blank=True, help_text=_("Shown to search engines.")
    )
    summary_en = models.CharField(_("summary (English)"), max_length=300, blank=True)
    body = StreamField(LandingStreamBlock(), blank=True, verbose_name=_("body (Chinese)"))
    body_en = StreamField(
        LandingStreamBlock(),
        blank=True,
        verbose_name=_("body (English)"),
        help_text=_("Leave empty to show the Chinese blocks on the English site too."),
    )

    t_title = TranslatedField("title", "title_en")
    t_summary = TranslatedField("summary", "summary_en")
    t_body = TranslatedField("body", "body_en")

    content_panels = [
        *Page.content_panels,
        FieldPanel("title_en"),
        FieldPanel("summary"),
        FieldPanel("summary_en"),
        FieldPanel("body"),
        FieldPanel("body_en"),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("title_en"),
        index.SearchField("summary"),
        index.SearchField("summary_en"),
    ]
    parent_page_types = ["marketplace.HomePage"]
    subpage_types: list[str] = []
    template = "marketplace/landing_page.html"

    class Meta:
        verbose_name = _("landing page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["home"] = home_page_data()  # category grid, spotlight and hero KPIs read it
        return context
