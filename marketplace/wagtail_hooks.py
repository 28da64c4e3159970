"""Wagtail admin: the review moderation queue (``/admin/review-moderation/``).

Staff who moderate (``marketplace.permissions.can_moderate_reviews``: Reviewers, Programme
managers, Ecosystem admins, superusers) see reported reviews first, read the reports, hide a
review with a reason, restore a hidden one, or dismiss the reports. Everyone else gets a 404.
"""

from functools import wraps

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.viewsets.base import ViewSet

from marketplace.forms.reviews import HideForm
from marketplace.models import Review
from marketplace.permissions import can_moderate_reviews
from marketplace.selectors import reviews as selectors
from marketplace.services import reviews as services

STATUS_FILTERS = [
    ("reported", gettext_lazy("Reported")),
    (Review.Status.HIDDEN, gettext_lazy("Hidden")),
    (Review.Status.PUBLISHED, gettext_lazy("Published")),
    ("all", gettext_lazy("All reviews")),
]


def moderators_only(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not can_moderate_reviews(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


@moderators_only
def review_queue(request):
    status = request.GET.get("status", "reported")
    if status not in dict(STATUS_FILTERS):
        status = "reported"
    query = (request.GET.get("q") or "").strip()[:100]
    queryset = selectors.moderation_queue(status=status, query=query)
    page_obj = Paginator(queryset, 50).get_page(request.GET.get("p"))
    return render(
        request,
        "wagtailadmin/marketplace/review_queue.html",
        {"page_obj": page_obj, "status": status, "status_filters": STATUS_FILTERS, "query": query},
    )


@moderators_only
def review_detail(request, public_id, hide_form=None):
    review = selectors.get_review_for_moderator(request.user, public_id)
    return render(
        request,
        "wagtailadmin/marketplace/review_detail.html",
        {
            "review": review,
            "reports": review.reports.select_related("reporter").order_by("-created_at"),
            "hide_form": hide_form or HideForm(),
            "usage": selectors.usage_spans(
                listing_id=review.listing_id, organisation_ids=[review.organisation_id]
            ).get(review.organisation_id),
        },
        status=400 if hide_form is not None else 200,
    )


@require_POST
@moderators_only
def review_hide(request, public_id):
    review = selectors.get_review_for_moderator(request.user, public_id)
    form = HideForm(request.POST)
    if not form.is_valid():
        return review_detail(request, public_id, hide_form=form)
    try:
        services.hide_review(review=review, user=request.user, reason=form.cleaned_data["reason"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("review_moderation:detail", public_id=public_id)
    messages.success(request, _("The review is hidden and no longer counts in the listing's rating."))
    return redirect("review_moderation:index")


@require_POST
@moderators_only
def review_unhide(request, public_id):
    review = selectors.get_review_for_moderator(request.user, public_id)
    try:
        services.unhide_review(review=review, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The review is visible again and counts in the rating."))
    return redirect("review_moderation:detail", public_id=public_id)


@require_POST
@moderators_only
def review_dismiss(request, public_id):
    review = selectors.get_review_for_moderator(request.user, public_id)
    count = services.dismiss_reports(review=review, user=request.user)
    messages.success(request, _("%(count)d report(s) dismissed; the review stays.") % {"count": count})
    return redirect("review_moderation:index")


class ModeratorMenuItem(MenuItem):
    def is_shown(self, request):
        return can_moderate_reviews(request.user)


class ReviewModerationViewSet(ViewSet):
    name = "review_moderation"
    url_prefix = "review-moderation"
    icon = "comment"
    menu_label = gettext_lazy("Reviews")
    menu_item_class = ModeratorMenuItem
    add_to_admin_menu = True
    menu_order = 310

    def get_urlpatterns(self):
        return [
            path("", review_queue, name="index"),
            path("<uuid:public_id>/", review_detail, name="detail"),
            path("<uuid:public_id>/hide/", review_hide, name="hide"),
            path("<uuid:public_id>/unhide/", review_unhide, name="unhide"),
            path("<uuid:public_id>/dismiss/", review_dismiss, name="dismiss"),
        ]


@hooks.register("register_admin_viewset")
def register_review_moderation():
    return ReviewModerationViewSet()
