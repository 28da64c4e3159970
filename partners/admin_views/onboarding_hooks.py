"""Wagtail admin: the application review queue (owned by the onboarding work).

``/admin/partners/applications/`` (queue) · ``…/<public_id>/`` (review and decide) ·
``…/<public_id>/documents/<id>/`` (download a supporting document). Reviewers, programme
managers and superusers only: anyone else in the admin is sent back to the dashboard from
the queue, and gets 404 for an application or a document.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import FileResponse
from django.shortcuts import redirect
from django.urls import include, path, reverse, reverse_lazy
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from partners.forms.onboarding import DecisionForm
from partners.models import ApplicationDecision, ApplicationStatus, PartnerApplication
from partners.services import onboarding

QUEUE_PAGE_SIZE = 50
STATUS_TABS = [
    ("open", _("To review"), [ApplicationStatus.SUBMITTED]),
    ("more_info", _("Waiting for applicant"), [ApplicationStatus.MORE_INFO]),
    ("approved", _("Approved"), [ApplicationStatus.APPROVED]),
    ("rejected", _("Rejected"), [ApplicationStatus.REJECTED]),
    ("all", _("All"), [s for s, _label in ApplicationStatus.choices]),
]
DECIDED = {
    ApplicationDecision.Kind.APPROVE: _(
        "%(company)s is approved: its partner page, group and collection exist."
    ),
    ApplicationDecision.Kind.MORE_INFO: _("%(company)s was asked for more information."),
    ApplicationDecision.Kind.REJECT: _("%(company)s was rejected."),
}


class ReviewerRequiredMixin:
    def dispatch(self, request, *args, **kwargs):
        if not onboarding.user_can_review_applications(request.user):
            raise PermissionDenied  # Wagtail: back to the dashboard with a message
        return super().dispatch(request, *args, **kwargs)


class ApplicationQueueView(ReviewerRequiredMixin, WagtailAdminTemplateMixin, TemplateView):
    template_name = "partners/admin/application_queue.html"
    page_title = _("Partner applications")
    header_icon = "form"
    breadcrumbs_items = [
        {"url": reverse_lazy("wagtailadmin_home"), "label": _("Home")},
        {"url": "", "label": _("Partner applications")},
    ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        tabs = {key: statuses for key, _label, statuses in STATUS_TABS}
        current = self.request.GET.get("status") if self.request.GET.get("status") in tabs else "open"
        counts = dict(
            PartnerApplication.objects.values_list("status")
            .annotate(n=Count("pk"))
            .values_list("status", "n")
        )
        queryset = (
            onboarding.applications_for_review()
            .filter(status__in=tabs[current])
            .annotate(flag_count=Count("duplicate_flags", distinct=True))
            .order_by("submitted_at", "pk")
        )
        page = Paginator(queryset, QUEUE_PAGE_SIZE).get_page(self.request.GET.get("p"))
        context.update(
            page_obj=page,
            applications=page.object_list,
            current_status=current,
            tabs=[
                {"key": key, "label": label, "count": sum(counts.get(s, 0) for s in statuses)}
                for key, label, statuses in STATUS_TABS
            ],
        )
        return context


class ApplicationReviewView(WagtailAdminTemplateMixin, TemplateView):
    """Everything a reviewer needs to decide, and the decision form."""

    template_name = "partners/admin/application_review.html"
    header_icon = "form"

    def dispatch(self, request, *args, **kwargs):
        self.application = onboarding.get_application_for_review(request.user, kwargs["public_id"])
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return str(self.application)

    def get_breadcrumbs_items(self):
        return [
            {"url": reverse("wagtailadmin_home"), "label": _("Home")},
            {"url": reverse("partner_applications:index"), "label": _("Partner applications")},
            {"url": "", "label": str(self.application)},
        ]

    def get_form(self):
        data = self.request.POST if self.request.method == "POST" else None
        return DecisionForm(data, application=self.application)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        application = self.application
        context.update(
            application=application,
            form=kwargs.get("form") or (self.get_form() if application.is_open else None),
            documents=application.documents.all(),
            decisions=application.decisions.select_related("decided_by"),
            flags=application.duplicate_flags.select_related(
                "matched_application", "matched_organisation__partner__page"
            ),
            regions=application.regions.all(),
            industries=application.industries.all(),
        )
        return context

    def post(self, request, *args, **kwargs):
        form = self.get_form()
        if not self.application.is_open or not form.is_valid():
            messages.error(request, _("The decision could not be recorded. Check the form."))
            return self.render_to_response(self.get_context_data(form=form))
        decision = form.cleaned_data["decision"]
        message = form.cleaned_data["message"]
        action = {
            ApplicationDecision.Kind.APPROVE: onboarding.approve_application,
            ApplicationDecision.Kind.MORE_INFO: onboarding.request_more_information,
            ApplicationDecision.Kind.REJECT: onboarding.reject_application,
        }[decision]
        try:
            action(application=self.application, reviewer=request.user, message=message)
        except ValidationError as error:
            for text in error.messages:
                messages.error(request, text)
            return self.render_to_response(self.get_context_data(form=form))
        messages.success(request, DECIDED[decision] % {"company": self.application})
        return redirect("partner_applications:index")


def download_document(request, public_id, document_id):
    """Staff only (404 for anyone else); files are served as attachments, never inline."""
    document = onboarding.get_document_for_review(request.user, public_id, document_id)
    response = FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=document.original_name,
        content_type=document.content_type,
    )
    response["Cache-Control"] = "private, no-store"
    return response


class ApplicationsMenuItem(MenuItem):
    def is_shown(self, request):
        return onboarding.user_can_review_applications(request.user)


admin_urlpatterns = [
    path("", ApplicationQueueView.as_view(), name="index"),
    path("<uuid:public_id>/", ApplicationReviewView.as_view(), name="review"),
    path("<uuid:public_id>/documents/<int:document_id>/", download_document, name="document"),
]


@hooks.register("register_admin_urls")
def register_application_urls():
    return [
        path(
            "partners/applications/",
            include((admin_urlpatterns, "partner_applications"), namespace="partner_applications"),
        )
    ]


@hooks.register("register_admin_menu_item")
def register_applications_menu_item():
    return ApplicationsMenuItem(
        _("Partner applications"),
        reverse("partner_applications:index"),
        name="partner-applications",
        icon_name="form",
        order=250,
    )
