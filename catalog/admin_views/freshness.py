"""Staff screens: stale listings (``/admin/catalog/stale-listings/``) and delisting a listing
with a reason (``/admin/catalog/listings/<page id>/delist/``). Both need
``catalog.delist_listingpage`` (reviewers and ecosystem admins hold ``catalog.*``)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from catalog.forms import DelistForm, add_service_errors
from catalog.models import CatalogSettings, ListingPage
from catalog.services import freshness

DELIST_PERMISSION = "catalog.delist_listingpage"
DELISTED = _("%(title)s is delisted; its owners were told why.")
PAGE_SIZE = 50


class DelistPermissionMixin:
    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(DELIST_PERMISSION):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class StaleListingsView(DelistPermissionMixin, WagtailAdminTemplateMixin, TemplateView):
    template_name = "catalog/admin/stale_listings.html"
    page_title = _("Stale listings")
    header_icon = "warning"

    def get_breadcrumbs_items(self):
        return [
            {"url": reverse("wagtailadmin_home"), "label": _("Home")},
            {"url": "", "label": self.page_title},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page = Paginator(freshness.flagged_listings(), PAGE_SIZE).get_page(self.request.GET.get("p"))
        context.update(
            page_obj=page,
            listings=page.object_list,
            months=CatalogSettings.load(self.request).stale_after_months,
            not_yet_flagged=freshness.stale_listings().filter(stale_warned_at__isnull=True).count(),
        )
        return context


class DelistListingView(DelistPermissionMixin, WagtailAdminTemplateMixin, TemplateView):
    template_name = "catalog/admin/delist.html"
    header_icon = "warning"

    def dispatch(self, request, *args, **kwargs):
        self.listing = get_object_or_404(ListingPage, pk=kwargs["page_id"])
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return _("Delist %(title)s") % {"title": self.listing.get_admin_display_title()}

    def get_breadcrumbs_items(self):
        return [
            {"url": reverse("wagtailadmin_home"), "label": _("Home")},
            {"url": reverse("catalog_stale_listings"), "label": _("Stale listings")},
            {"url": "", "label": self.get_page_title()},
        ]

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(listing=self.listing, form=form or DelistForm())
        return context

    def post(self, request, *args, **kwargs):
        form = DelistForm(request.POST)
        if form.is_valid():
            try:
                freshness.delist_listing(
                    listing=self.listing, user=request.user, reason=form.cleaned_data["reason"]
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, DELISTED % {"title": self.listing.get_admin_display_title()})
                return redirect("catalog_stale_listings")
        return self.render_to_response(self.get_context_data(form=form))
