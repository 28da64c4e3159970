"""Partner console in the Wagtail admin: ``/admin/my-listings/``.

A partner member sees the listings of the active organisation's partner (``accounts`` keeps the
active organisation in the session), each with its review state, reviewers' comments or the
pre-check problems, its place in the reviewers' queue, and the median review time of the last
30 days. Users with no partner membership get 404. Versions and release notes are added here
(``…/<page id>/versions/``); editing goes through Wagtail's own page editor and permissions.
"""

from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from catalog.forms import VersionForm, add_service_errors
from catalog.models import ListingPage
from catalog.selectors.listings import partner_listings
from catalog.selectors.review import median_review_time, queue_length, review_statuses
from catalog.services.versions import add_version
from partners.models import Partner
from partners.selectors.access import get_partner_for_request_or_404

VERSION_ADDED = _("Version %(version)s of %(title)s is published.")


def _partner_or_404(request) -> Partner:
    return get_partner_for_request_or_404(request)


def _home_crumb():
    return {"url": reverse("wagtailadmin_home"), "label": _("Home")}


class MyListingsView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "catalog/admin/my_listings.html"
    page_title = _("My listings")
    header_icon = "doc-full-inverse"

    def dispatch(self, request, *args, **kwargs):
        self.partner = _partner_or_404(request)
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [_home_crumb(), {"url": "", "label": self.page_title}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        listings = list(partner_listings(self.partner))
        statuses = review_statuses(listings)
        partner_page = getattr(self.partner, "page", None)
        can_add = (
            bool(partner_page) and partner_page.permissions_for_user(self.request.user).can_add_subpage()
        )
        context.update(
            partner=self.partner,
            rows=[(listing, statuses[listing.pk]) for listing in listings],
            median_review_time=median_review_time(),
            queue_length=queue_length(),
            add_url=reverse("wagtailadmin_pages:add", args=("catalog", "listingpage", partner_page.pk))
            if can_add
            else None,
        )
        return context


class ListingVersionsView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "catalog/admin/listing_versions.html"
    header_icon = "history"

    def dispatch(self, request, *args, **kwargs):
        partner = _partner_or_404(request)
        self.listing = get_object_or_404(ListingPage, pk=kwargs["page_id"], partner=partner)
        if not self.listing.permissions_for_user(request.user).can_edit():
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return _("Versions of %(title)s") % {"title": self.listing.get_admin_display_title()}

    def get_breadcrumbs_items(self):
        return [
            _home_crumb(),
            {"url": reverse("catalog_my_listings"), "label": _("My listings")},
            {"url": "", "label": self.listing.get_admin_display_title()},
        ]

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(listing=self.listing, form=form or VersionForm(), versions=self.listing.versions.all())
        return context

    def post(self, request, *args, **kwargs):
        form = VersionForm(request.POST)
        if form.is_valid():
            try:
                release = add_version(listing=self.listing, user=request.user, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    VERSION_ADDED
                    % {"version": release.version, "title": self.listing.get_admin_display_title()},
                )
                return redirect("catalog_listing_versions", page_id=self.listing.pk)
        return self.render_to_response(self.get_context_data(form=form))
