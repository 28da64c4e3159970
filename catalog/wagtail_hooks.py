"""Wagtail admin wiring of the catalogue.

* ``/admin/my-listings/`` — a partner's listings with their review state (menu item shown to
  members of a partner organisation); ``/admin/my-listings/<id>/versions/`` — versions.
* ``/admin/catalog/stale-listings/`` and ``…/listings/<id>/delist/`` — staff (Reports menu, and a
  "Delist" button on live listings), for holders of ``catalog.delist_listingpage``.
* After a submission the pre-checks returned, the editor shows the problems at once instead of
  "submitted for moderation".
"""

from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.menu import MenuItem
from wagtail.admin.widgets import Button
from wagtail.log_actions import LogFormatter
from wagtail.models import WorkflowState

from catalog.admin_views.freshness import DELIST_PERMISSION, DelistListingView, StaleListingsView
from catalog.admin_views.my_listings import ListingVersionsView, MyListingsView
from catalog.models import ListingPage, PreCheckTask
from catalog.services.freshness import DELIST_LOG_ACTION
from catalog.services.prechecks import problems_html
from partners.selectors.access import partner_for_request

SUBMIT_ACTIONS = ("action-submit", "action-restart-workflow")


@hooks.register("register_admin_urls")
def register_admin_urls():
    return [
        path("my-listings/", MyListingsView.as_view(), name="catalog_my_listings"),
        path(
            "my-listings/<int:page_id>/versions/",
            ListingVersionsView.as_view(),
            name="catalog_listing_versions",
        ),
        path("catalog/stale-listings/", StaleListingsView.as_view(), name="catalog_stale_listings"),
        path(
            "catalog/listings/<int:page_id>/delist/",
            DelistListingView.as_view(),
            name="catalog_delist_listing",
        ),
    ]


class PartnerMenuItem(MenuItem):
    def is_shown(self, request):
        return partner_for_request(request) is not None


class DelistPermissionMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm(DELIST_PERMISSION)


@hooks.register("insert_editor_js")
def stream_field_labels():
    """Names the StreamField blocks' inputs (the listing description's paragraphs and headings)."""
    return format_html('<script src="{}"></script>', static("catalog/js/stream_labels.js"))


@hooks.register("register_admin_menu_item")
def register_my_listings_menu_item():
    return PartnerMenuItem(
        _("My listings"), reverse("catalog_my_listings"), icon_name="doc-full-inverse", order=150
    )


@hooks.register("register_reports_menu_item")
def register_stale_listings_menu_item():
    return DelistPermissionMenuItem(
        _("Stale listings"), reverse("catalog_stale_listings"), icon_name="warning", order=700
    )


def _delist_button(page, user, priority):
    if isinstance(page.specific_deferred, ListingPage) and page.live and user.has_perm(DELIST_PERMISSION):
        yield Button(
            _("Delist"),
            reverse("catalog_delist_listing", args=[page.pk]),
            icon_name="warning",
            priority=priority,
        )


@hooks.register("register_page_listing_more_buttons")
def page_listing_delist_button(page, user, next_url=None):
    yield from _delist_button(page, user, priority=45)


@hooks.register("register_page_header_buttons")
def page_header_delist_button(page, user, view_name, next_url=None):
    yield from _delist_button(page, user, priority=62)


@hooks.register("register_log_actions")
def register_delist_log_action(actions):
    @actions.register_action(DELIST_LOG_ACTION)
    class DelistLog(LogFormatter):
        label = _("Delist")

        def format_message(self, log_entry):
            return _("Delisted: %(reason)s") % {"reason": (log_entry.data or {}).get("reason", "")}


@hooks.register("after_create_page")
@hooks.register("after_edit_page")
def show_precheck_problems(request, page):
    """A submission the pre-checks returned: replace "submitted for moderation" with the problems
    and stay in the editor."""
    if request.method != "POST" or not any(action in request.POST for action in SUBMIT_ACTIONS):
        return None
    if not isinstance(page, ListingPage):
        return None
    state = (  # this submission's state: the latest, not an older attempt's
        page.workflow_states.select_related("current_task_state__task").order_by("-created_at", "-pk").first()
    )
    if state is None or state.status != WorkflowState.STATUS_NEEDS_CHANGES:
        return None
    task_state = state.current_task_state
    if task_state is None or task_state.task.specific_class is not PreCheckTask:
        return None
    list(get_messages(request))  # drops the queued "submitted for moderation" message
    messages.error(request, problems_html(task_state.comment))
    return redirect("wagtailadmin_pages:edit", page.pk)


CHECKLIST_INTRO = _(
    "Before you submit this listing for review, it needs the following (the automatic pre-checks "
    "return it otherwise):"
)


@hooks.register("before_edit_page")
def show_requirements_checklist(request, page):
    """Before the first submission: what the pre-checks will ask for, on the current draft."""
    if request.method != "GET" or not isinstance(page, ListingPage) or page.workflow_states.exists():
        return None
    from catalog.services.prechecks import run_prechecks

    problems = run_prechecks(page.get_latest_revision_as_object())
    if problems:
        messages.warning(
            request,
            format_html(
                '{}<ul class="listing-checklist">{}</ul>',
                CHECKLIST_INTRO,
                format_html_join("", "<li>{}</li>", ((p.message,) for p in problems)),
            ),
        )
    return None


# Search analytics report (Reports menu) — registered by the search package.
from catalog.search.wagtail_hooks_search import register as register_search_report  # noqa: E402

register_search_report()


# --- taking a listing offline goes through the delisting service (with its reason) ---------------
def _is_listing(page) -> bool:
    return issubclass(page.specific_class or type(page), ListingPage)


@hooks.register("before_unpublish_page")
def unpublish_listings_only_by_delisting(request, page):
    """Wagtail's unpublish would skip the reason and the partner's notice: send staff who may
    delist to the delisting form; refuse everyone else."""
    if not _is_listing(page):
        return None
    if request.user.has_perm(DELIST_PERMISSION):
        return redirect("catalog_delist_listing", page.pk)
    raise PermissionDenied


@hooks.register("before_bulk_action")
def no_bulk_unpublishing_of_listings(request, action_type, objects, action_class_instance):
    if action_type == "unpublish" and any(
        _is_listing(page) for page in objects if hasattr(page, "specific_class")
    ):
        raise PermissionDenied
