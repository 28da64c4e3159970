"""Wagtail admin views of the tier programme: recommendation queue, decisions, evaluation runs
and tier history. Each view checks a ``partners.*`` permission (Programme managers hold them
all; reviewers none) and raises ``PermissionDenied``, which Wagtail turns into a redirect to
the dashboard with a message."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from wagtail.admin.viewsets.base import ViewSet

from core.admin_views import paginate, permission_menu_item, require_perm
from partners.forms.programme import OverrideForm
from partners.models import EvaluationRun, PartnerKind, TierRecommendation
from partners.selectors import programme as selectors
from partners.services import programme as services

VIEW_RECOMMENDATIONS = "partners.view_tierrecommendation"
DECIDE_RECOMMENDATIONS = "partners.change_tierrecommendation"
RUN_EVALUATION = "partners.run_evaluation"
VIEW_HISTORY = "partners.view_tierchange"


# --- recommendations ------------------------------------------------------------------------------
STATUS_FILTERS = [
    ("pending", gettext_lazy("Pending")),
    ("approved", gettext_lazy("Approved")),
    ("overridden", gettext_lazy("Overridden")),
    ("superseded", gettext_lazy("Superseded")),
    ("all", gettext_lazy("All decisions")),
]


@require_perm(VIEW_RECOMMENDATIONS)
def recommendation_index(request):
    status = request.GET.get("status", "pending")
    if status not in dict(STATUS_FILTERS):
        status = "pending"
    kind = request.GET.get("kind") or None
    if kind not in PartnerKind.values:
        kind = None
    qs = selectors.recommendations(status=None if status == "all" else status, kind=kind)
    return render(
        request,
        "wagtailadmin/partners/programme/recommendation_index.html",
        {
            "page_obj": paginate(request, qs),
            "status": status,
            "kind": kind,
            "status_filters": STATUS_FILTERS,
            "kinds": PartnerKind.choices,
            "counts": selectors.pending_counts(),
            "can_run": request.user.has_perm(RUN_EVALUATION),
            "latest_run": EvaluationRun.objects.first(),
        },
    )


def _recommendation(pk) -> TierRecommendation:
    return get_object_or_404(
        TierRecommendation.objects.select_related(
            "partner__organisation",
            "partner__tier",
            "current_tier",
            "recommended_tier",
            "override_tier",
            "decided_by",
        ),
        pk=pk,
    )


@require_perm(VIEW_RECOMMENDATIONS)
def recommendation_detail(request, pk, override_form=None):
    rec = _recommendation(pk)
    pending = rec.status == TierRecommendation.Status.PENDING
    can_decide = pending and request.user.has_perm(DECIDE_RECOMMENDATIONS)
    return render(
        request,
        "wagtailadmin/partners/programme/recommendation_detail.html",
        {
            "rec": rec,
            "partner": rec.partner,
            "evidence": selectors.describe_evidence(rec.evidence, kind=rec.partner.kind),
            "can_decide": can_decide,
            "override_form": override_form or (OverrideForm(partner=rec.partner) if can_decide else None),
            "history": list(selectors.tier_history(partner=rec.partner)[:10]),
        },
        status=400 if override_form is not None else 200,
    )


@require_POST
@require_perm(DECIDE_RECOMMENDATIONS)
def recommendation_approve(request, pk):
    rec = _recommendation(pk)
    try:
        rec = services.approve_recommendation(recommendation=rec, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("programme:detail", pk=pk)
    if rec.action == TierRecommendation.Action.DEMOTE and rec.applied_at is None:
        messages.success(
            request,
            _("Demotion approved: owners are warned; the tier changes on %(date)s unless they recover.")
            % {"date": rec.effective_on.isoformat()},
        )
    else:
        tier = rec.recommended_tier.t_name if rec.recommended_tier else "—"
        message = _("Approved: %(partner)s is now %(tier)s.") % {"partner": rec.partner, "tier": tier}
        messages.success(request, message)
    return redirect("programme:index")


@require_POST
@require_perm(DECIDE_RECOMMENDATIONS)
def recommendation_override(request, pk):
    rec = _recommendation(pk)
    form = OverrideForm(request.POST, partner=rec.partner)
    if not form.is_valid():
        return recommendation_detail(request, pk, override_form=form)
    try:
        services.override_recommendation(
            recommendation=rec,
            user=request.user,
            tier=form.cleaned_data["tier"],
            reason=form.cleaned_data["reason"],
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("programme:detail", pk=pk)
    messages.success(request, _("Recommendation overridden."))
    return redirect("programme:index")


# --- evaluation runs ------------------------------------------------------------------------------
@require_perm(RUN_EVALUATION)
def evaluation_runs(request):
    if request.method == "POST":
        run = services.start_evaluation_run(user=request.user)
        return redirect("programme:run", public_id=run.public_id)
    return render(
        request,
        "wagtailadmin/partners/programme/evaluation_runs.html",
        {"page_obj": paginate(request, EvaluationRun.objects.select_related("started_by"))},
    )


@require_perm(RUN_EVALUATION)
def evaluation_run(request, public_id):
    run = get_object_or_404(EvaluationRun, public_id=public_id)
    template = "_evaluation_progress.html" if request.headers.get("HX-Request") else "evaluation_run.html"
    return render(request, f"wagtailadmin/partners/programme/{template}", {"run": run})


# --- history ----------------------------------------------------------------------------------------
@require_perm(VIEW_HISTORY)
def tier_history(request):
    qs = selectors.tier_history()
    query = (request.GET.get("q") or "").strip()
    if query:
        qs = qs.filter(partner__organisation__name__icontains=query) | qs.filter(
            partner__organisation__name_en__icontains=query
        )
    return render(
        request,
        "wagtailadmin/partners/programme/tier_history.html",
        {"page_obj": paginate(request, qs), "query": query},
    )


# --- viewsets ---------------------------------------------------------------------------------------
class RecommendationViewSet(ViewSet):
    name = "programme"
    icon = "tasks"
    menu_label = gettext_lazy("Tier recommendations")

    @property
    def menu_item_class(self):
        return permission_menu_item("RecommendationMenuItem", VIEW_RECOMMENDATIONS)

    def get_urlpatterns(self):
        return [
            path("", recommendation_index, name="index"),
            path("<int:pk>/", recommendation_detail, name="detail"),
            path("<int:pk>/approve/", recommendation_approve, name="approve"),
            path("<int:pk>/override/", recommendation_override, name="override"),
            path("runs/", evaluation_runs, name="runs"),
            path("runs/<uuid:public_id>/", evaluation_run, name="run"),
        ]


class TierHistoryViewSet(ViewSet):
    name = "programme_history"
    icon = "history"
    menu_label = gettext_lazy("Tier history")

    @property
    def menu_item_class(self):
        return permission_menu_item("TierHistoryMenuItem", VIEW_HISTORY)

    def get_urlpatterns(self):
        return [path("", tier_history, name="index")]
