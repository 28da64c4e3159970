"""Wagtail admin for demand: the requirement moderation queue (approve → open and route; reject
with a reason), each requirement's history, and the overdue-leads view.

``/admin/demand/requirements/`` · ``…/<public_id>/`` · ``/admin/demand/leads/overdue/``.
Staff holding ``demand.moderate_requirement`` (programme managers, ecosystem admins, superusers);
anyone else gets 403 from the views and never sees the menu.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.urls import include, path, reverse, reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from core.exceptions import ApplicationError
from demand import selectors
from demand.forms import RejectForm
from demand.models import Requirement
from demand.services import requirements as requirement_services

PERMISSION = "demand.moderate_requirement"


def can_moderate(user) -> bool:
    return user.is_active and user.has_perm(PERMISSION)


class StaffMixin:
    def dispatch(self, request, *args, **kwargs):
        if not can_moderate(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


def trend_charts(trend: dict) -> list[dict]:
    """Chart specs (``{% chart %}``, server-side SVG) for the dashboard's monthly figures."""
    labels = trend["labels"]
    return [
        {
            "type": "line",
            "labels": labels,
            "series": [(_("Median hours"), trend["median_hours_to_first_proposal"])],
            "title": _("Median hours to the first proposal (target < 24)"),
            "goal": 24,
            "goal_label": _("Target"),
            "y_min": 0,
            "height": 200,
        },
        {
            "type": "line",
            "labels": labels,
            "series": [(_("Share"), trend["share_with_three_proposals"])],
            "title": _("Opened requirements with ≥ 3 proposals (target ≥ 60 %)"),
            "goal": 60,
            "goal_label": _("Target"),
            "y_min": 0,
            "y_max": 100,
            "unit": "%",
            "height": 200,
        },
        {
            "type": "line",
            "labels": labels,
            "series": [(_("Award rate"), trend["award_rate"])],
            "title": _("Award rate by month opened"),
            "y_min": 0,
            "y_max": 100,
            "unit": "%",
            "height": 200,
        },
        {
            "type": "bar",
            "labels": labels,
            "series": [(_("Median days"), trend["median_days_to_award"])],
            "title": _("Median days from opening to award"),
            "height": 200,
            "show_values": True,
        },
        {
            "type": "bar",
            "labels": labels,
            "series": [(_("Overdue leads"), trend["overdue_leads"])],
            "title": _("Leads answered late or not at all, by month received"),
            "height": 200,
            "show_values": True,
        },
    ]


class QueueView(StaffMixin, WagtailAdminTemplateMixin, TemplateView):
    template_name = "demand/admin/queue.html"
    page_title = gettext_lazy("Requirements to review")
    header_icon = "form"
    breadcrumbs_items = [
        {"url": reverse_lazy("wagtailadmin_home"), "label": gettext_lazy("Home")},
        {"url": "", "label": gettext_lazy("Requirements to review")},
    ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        queue = list(selectors.moderation_queue()[:200])
        now = timezone.now()
        for requirement in queue:
            requirement.waiting_hours = int((now - (requirement.submitted_at or now)).total_seconds() // 3600)
        context.update(
            charts=trend_charts(selectors.dashboard_trend(now=now)),
            figures=selectors.dashboard_figures(now=now),
            requirements=queue,
            recent=Requirement.objects.exclude(state="draft").select_related("customer_organisation")[:30],
        )
        return context


class ReviewView(StaffMixin, WagtailAdminTemplateMixin, TemplateView):
    template_name = "demand/admin/review.html"
    header_icon = "form"

    def dispatch(self, request, *args, **kwargs):
        self.requirement = (
            Requirement.objects.select_related("customer_organisation", "industry", "region")
            .filter(public_id=kwargs["public_id"])
            .first()
        )
        if self.requirement is None:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return str(self.requirement)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            requirement=self.requirement,
            transitions=self.requirement.transitions.select_related("by"),
            invitations=self.requirement.invitations.select_related("partner__organisation"),
            attachments=list(self.requirement.attachments.all()),
            form=kwargs.get("form") or RejectForm(),
        )
        return context

    def post(self, request, *args, **kwargs):
        action = request.POST.get("action")
        form = RejectForm(request.POST if action == "reject" else None)
        try:
            if action == "approve":
                _requirement, invited = requirement_services.approve(
                    requirement=self.requirement, by=request.user
                )
                messages.success(request, _("Approved and opened: %(n)s partners notified.") % {"n": invited})
                return redirect("demand_admin:queue")
            if action == "reject" and form.is_valid():
                requirement_services.reject(
                    requirement=self.requirement, by=request.user, reason=form.cleaned_data["reason"]
                )
                messages.success(request, _("The requirement was rejected."))
                return redirect("demand_admin:queue")
        except ApplicationError as error:
            messages.error(request, error.message)
        return self.render_to_response(self.get_context_data(form=form))


class DuplicatesView(StaffMixin, WagtailAdminTemplateMixin, TemplateView):
    """Proposals whose text nearly repeats a proposal on another requirement, side by side."""

    template_name = "demand/admin/duplicates.html"
    page_title = gettext_lazy("Near-duplicate proposals")
    header_icon = "warning"

    def get_context_data(self, **kwargs):
        from demand.services import quality

        context = super().get_context_data(**kwargs)
        context.update(
            proposals=list(quality.flagged()[:200]),
            threshold=quality.DUPLICATE_THRESHOLD,
            window=quality.WINDOW_DAYS,
        )
        return context


def attachment_download(request, public_id, attachment_id):
    """A requirement's file for moderating staff (403 for anyone else)."""
    from demand.models import RequirementAttachment
    from demand.views.requirements import attachment_response

    if not can_moderate(request.user):
        raise PermissionDenied
    found = RequirementAttachment.objects.filter(
        requirement__public_id=public_id, public_id=attachment_id
    ).first()
    if found is None:
        raise Http404
    return attachment_response(found)


class OverdueLeadsView(StaffMixin, WagtailAdminTemplateMixin, TemplateView):
    template_name = "demand/admin/overdue_leads.html"
    page_title = gettext_lazy("Overdue leads")
    header_icon = "time"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["leads"] = list(selectors.overdue_leads()[:500])
        return context


urlpatterns = [
    path("requirements/", QueueView.as_view(), name="queue"),
    path("requirements/<uuid:public_id>/", ReviewView.as_view(), name="review"),
    path(
        "requirements/<uuid:public_id>/files/<uuid:attachment_id>/",
        attachment_download,
        name="attachment",
    ),
    path("leads/overdue/", OverdueLeadsView.as_view(), name="overdue-leads"),
    path("proposals/duplicates/", DuplicatesView.as_view(), name="duplicates"),
]


@hooks.register("register_admin_urls")
def register_demand_urls():
    return [path("demand/", include((urlpatterns, "demand_admin"), namespace="demand_admin"))]


class StaffMenuItem(MenuItem):
    def is_shown(self, request):
        return can_moderate(request.user)


class DemandSubmenu(SubmenuMenuItem):
    def is_shown(self, request):
        return can_moderate(request.user)


@hooks.register("register_admin_menu_item")
def register_demand_menu():
    menu = Menu(
        items=[
            StaffMenuItem(
                gettext_lazy("Requirements to review"),
                reverse("demand_admin:queue"),
                name="demand-queue",
                icon_name="form",
                order=1,
            ),
            StaffMenuItem(
                gettext_lazy("Overdue leads"),
                reverse("demand_admin:overdue-leads"),
                name="demand-overdue",
                icon_name="time",
                order=2,
            ),
            StaffMenuItem(
                gettext_lazy("Near-duplicate proposals"),
                reverse("demand_admin:duplicates"),
                name="demand-duplicates",
                icon_name="warning",
                order=3,
            ),
        ]
    )
    return DemandSubmenu(gettext_lazy("Demand"), menu, name="demand", icon_name="form", order=260)
