"""The partner directory and each partner's public profile, as Wagtail pages.

Each approved partner gets a ``PartnerPage`` under the one ``PartnersIndexPage`` (``/partners/``),
a Wagtail ``Group`` with add + change permissions on that page's subtree (members draft and
submit; staff publish) and a ``Collection`` for its images. ``PartnerWorkspace`` records the
three so membership changes can be mirrored into the group.
"""

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.paginator import Paginator
from django.db import models
from django.http import Http404
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.models import Collection, Page
from wagtail.search import index

from core.i18n import TranslatedField
from core.publishing import FastPublish
from partners.models.profile import Partner

DIRECTORY_PAGE_SIZE = 24


class PartnersIndexPage(Page):
    """``/partners/``: the partner directory (filters, sorts, pagination)."""

    title_en = models.CharField(_("title (English)"), max_length=255, blank=True)
    intro = models.TextField(_("introduction (Chinese)"), blank=True)
    intro_en = models.TextField(_("introduction (English)"), blank=True)

    t_title = TranslatedField("title", "title_en")
    t_intro = TranslatedField("intro", "intro_en")

    content_panels = [
        *Page.content_panels,
        FieldPanel("title_en"),
        FieldPanel("intro"),
        FieldPanel("intro_en"),
    ]
    search_fields = [*Page.search_fields, index.SearchField("title_en")]
    subpage_types = ["partners.PartnerPage"]
    max_count = 1
    template = "partners/partners_index_page.html"
    #: Anonymous visitors without cookies share the whole page (core.anonymous_pages).
    shared_anonymous_page = True

    class Meta:
        verbose_name = _("partner directory")

    #: ``directory_filterset(data) -> PartnerDirectoryFilter``: partners.selectors.directory's,
    #: handed in by ``PartnersConfig.ready()`` (selectors import the models, so a model never
    #: imports them).
    directory_filterset = None

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # Lazy: the template's cached fragment (core.fragments) reads them only on a miss.
        filterset = SimpleLazyObject(lambda: self.directory_filterset(request.GET))
        page_obj = SimpleLazyObject(
            lambda: Paginator(filterset.qs, DIRECTORY_PAGE_SIZE).get_page(request.GET.get("page"))
        )
        query = request.GET.copy()
        query.pop("page", None)
        context.update(
            filterset=filterset,
            page_obj=page_obj,
            partners=SimpleLazyObject(lambda: page_obj.object_list),
            querystring=query.urlencode(),
            canonical_url=request.build_absolute_uri(request.path),
        )
        return context


class PartnerPage(FastPublish, Page):
    """A partner's public profile. Its text comes from the ``Partner`` profile; titles are bilingual.

    Pages are provisioned by ``partners.services.onboarding`` (approval, seed), never created by
    hand, so each one has its partner, group and collection.
    """

    partner = models.OneToOneField(
        Partner,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="page",
        verbose_name=_("partner"),
    )
    title_en = models.CharField(_("title (English)"), max_length=255, blank=True)

    t_title = TranslatedField("title", "title_en")

    content_panels = [*Page.content_panels, FieldPanel("title_en")]
    search_fields = [*Page.search_fields, index.SearchField("title_en")]
    parent_page_types = ["partners.PartnersIndexPage"]
    subpage_types = ["catalog.ListingPage"]
    is_creatable = False
    template = "partners/partner_page.html"

    class Meta:
        verbose_name = _("partner page")

    #: ``partner_profile(partner_id) -> Partner | None``: partners.selectors.directory's, handed
    #: in by ``PartnersConfig.ready()`` (selectors import the models, so a model never imports them).
    partner_profile = None

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        partner = self.partner_profile(self.partner_id) if self.partner_id else None
        if partner is None:
            raise Http404
        context.update(
            partner=partner,
            canonical_url=request.build_absolute_uri(self.get_url(request)),
            profile_sections=settings.PARTNER_PROFILE_SECTIONS,
        )
        return context


class PartnerWorkspace(models.Model):
    """The Wagtail group and collection that go with a partner's page."""

    partner = models.OneToOneField(Partner, on_delete=models.CASCADE, related_name="workspace")
    group = models.OneToOneField(Group, on_delete=models.PROTECT, related_name="partner_workspace")
    collection = models.OneToOneField(Collection, on_delete=models.PROTECT, related_name="partner_workspace")

    class Meta:
        verbose_name = _("partner workspace")
        verbose_name_plural = _("partner workspaces")

    def __str__(self):
        return str(self.partner)
