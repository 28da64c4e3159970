"""Wagtail admin views of the health model: recomputation runs (with progress), the at-risk
report, and the "Programme decisions" report (the audit log filtered to staff decisions)."""

from datetime import date

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from wagtail.admin.viewsets.base import ViewSet
from wagtail.models import ModelLogEntry

from core.admin_views import paginate, permission_menu_item, require_perm
from health.models import AtRiskFlag, HealthDimension, HealthRun, HealthSnapshot
from health.selectors import scores
from health.services import at_risk, runs

RUN_HEALTH = "health.run_health"
VIEW_FLAGS = "health.view_atriskflag"
CHANGE_FLAGS = "health.change_atriskflag"
VIEW_DECISIONS = "partners.view_tierchange"
DECISION_ACTIONS = (
    "partners.tier_approved",
    "partners.tier_overridden",
    "partners.application_approve",
    "partners.application_reject",
    "partners.application_more_info",
    "partners.health_settings_changed",
    "partners.health_metric_changed",
    "partners.at_risk_acknowledged",
    "marketplace.review_hidden",
    "marketplace.review_unhidden",
)


def _month(value: str | None) -> date | None:
    try:
        year, month = (value or "").split("-")[:2]
        return date(int(year), int(month), 1)
    except (TypeError, ValueError):
        return None


# --- runs ------------------------------------------------------------------------------------------
@require_perm(RUN_HEALTH)
def health_runs(request):
    if request.method == "POST":
        first, last = _month(request.POST.get("first")), _month(request.POST.get("last"))
        if (request.POST.get("first") and not first) or (request.POST.get("last") and not last):
            messages.error(request, _("Give months as YYYY-MM."))
            return redirect("health_runs:index")
        if first and last and first > last:
            messages.error(request, _("The first month comes after the last one."))
            return redirect("health_runs:index")
        run = runs.start_run(user=request.user, first=first, last=last)
        return redirect("health_runs:run", pk=run.pk)
    return render(
        request,
        "health/admin/model/runs.html",
        {"page_obj": paginate(request, HealthRun.objects.select_related("started_by"))},
    )


@require_perm(RUN_HEALTH)
def health_run(request, pk):
    run = get_object_or_404(HealthRun, pk=pk)
    template = "_progress.html" if request.headers.get("HX-Request") else "run.html"
    return render(request, f"health/admin/model/{template}", {"run": run})


# --- at-risk report --------------------------------------------------------------------------------
@require_perm(VIEW_FLAGS)
def at_risk_report(request):
    flags = AtRiskFlag.objects.select_related("partner__organisation", "partner__tier", "acknowledged_by")
    months = list(AtRiskFlag.objects.order_by("-month").values_list("month", flat=True).distinct()[:24])
    month = _month(request.GET.get("month")) or (months[0] if months else None)
    if month:
        flags = flags.filter(month=month)
    cause = request.GET.get("cause", "")
    if cause in AtRiskFlag.Cause.values:
        flags = flags.filter(cause=cause)
    state = request.GET.get("state", "open")
    if state == "open":
        flags = flags.filter(acknowledged_at__isnull=True)
    labels = dict(HealthDimension.choices)
    page_obj = paginate(request, flags.order_by("composite", "pk"))
    scores.attach_to_flags(list(page_obj.object_list))
    for flag in page_obj.object_list:
        flag.dimension_label = labels.get((flag.cause_detail or {}).get("dimension"), "")
    return render(
        request,
        "health/admin/model/at_risk.html",
        {
            "page_obj": page_obj,
            "months": months,
            "month": month,
            "cause": cause,
            "state": state,
            "causes": AtRiskFlag.Cause.choices,
            "can_acknowledge": request.user.has_perm(CHANGE_FLAGS),
        },
    )


@require_POST
@require_perm(CHANGE_FLAGS)
def acknowledge(request, pk):
    flag = get_object_or_404(AtRiskFlag, pk=pk)
    at_risk.acknowledge_flag(flag=flag, user=request.user, note=request.POST.get("note", "")[:500])
    messages.success(request, _("Flag acknowledged."))
    return redirect(request.POST.get("next") or "health_model:at_risk")


# --- programme decisions (audit log) ------------------------------------------------------------------
@require_perm(VIEW_DECISIONS)
def decisions(request):
    action = request.GET.get("action", "")
    actions = [action] if action in DECISION_ACTIONS else list(DECISION_ACTIONS)
    entries = ModelLogEntry.objects.filter(action__in=actions).select_related("user", "content_type")
    return render(
        request,
        "health/admin/model/decisions.html",
        {
            "page_obj": paginate(request, entries.order_by("-timestamp", "-pk")),
            "action": action,
            "actions": [(code, action_label(code)) for code in DECISION_ACTIONS],
        },
    )


def action_label(code: str) -> str:
    """A log action's display name (registered with Wagtail's log action registry), never the code."""
    from wagtail.log_actions import registry

    registry.scan_for_actions()
    formatter = registry.formatters.get(code)
    if formatter is not None and formatter.label:
        return str(formatter.label)
    return code.rsplit(".", 1)[-1].replace("_", " ").capitalize()


def latest_flags_summary() -> dict:
    latest = HealthSnapshot.objects.order_by("-month").values_list("month", flat=True).first()
    if latest is None:
        return {"month": None, "open": 0}
    return {
        "month": latest,
        "open": AtRiskFlag.objects.filter(month=latest, acknowledged_at__isnull=True).count(),
    }


class HealthModelViewSet(ViewSet):
    name = "health_model"
    icon = "pick"
    menu_label = gettext_lazy("At-risk partners")

    @property
    def menu_item_class(self):
        return permission_menu_item("AtRiskMenuItem", VIEW_FLAGS)

    def get_urlpatterns(self):
        return [
            path("", at_risk_report, name="at_risk"),
            path("flags/<int:pk>/acknowledge/", acknowledge, name="acknowledge"),
        ]


class HealthRunsViewSet(ViewSet):
    name = "health_runs"
    icon = "rotate"
    menu_label = gettext_lazy("Recompute health")

    @property
    def menu_item_class(self):
        return permission_menu_item("HealthRunsMenuItem", RUN_HEALTH)

    def get_urlpatterns(self):
        return [path("", health_runs, name="index"), path("<int:pk>/", health_run, name="run")]


class DecisionsViewSet(ViewSet):
    name = "programme_decisions"
    icon = "history"
    menu_label = gettext_lazy("Programme decisions")

    @property
    def menu_item_class(self):
        return permission_menu_item("DecisionsMenuItem", VIEW_DECISIONS)

    def get_urlpatterns(self):
        return [path("", decisions, name="index")]
