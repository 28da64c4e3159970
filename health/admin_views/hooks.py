"""Wagtail admin wiring of the health model.

"Health model" menu group: At-risk partners (``/admin/health_model/``), Recompute health
(``/admin/health_runs/``, "Recompute now" with progress), Programme decisions
(``/admin/programme_decisions/``, the audit log of staff decisions), and the snippets Health
metrics and Vendor revenue. Health settings (dimension weights, thresholds, report recipients)
are a generic setting under Settings. Every change of a health metric or of the settings is
written to Wagtail's audit log with the fields changed and the reason given in the form; the
dashboard shows a panel with the open at-risk flags of the latest month.
"""

from django.urls import path
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from wagtail import hooks
from wagtail.admin.ui.components import Component
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.contrib.settings import views as settings_views
from wagtail.log_actions import LogFormatter
from wagtail.snippets.views.snippets import SnippetViewSet

from health.admin_views.model_views import (
    VIEW_FLAGS,
    DecisionsViewSet,
    HealthModelViewSet,
    HealthRunsViewSet,
    latest_flags_summary,
)
from health.models import HealthMetric, HealthSettings, VendorRevenue
from health.services import audit


class HealthMetricViewSet(SnippetViewSet):
    model = HealthMetric
    icon = "pick"
    menu_label = gettext_lazy("Health metrics")
    list_display = [
        "display_name",
        "metric",
        "dimension",
        "weight",
        "direction",
        "aggregation",
        "window_months",
        "enabled",
    ]
    list_filter = ["dimension", "enabled"]
    copy_view_enabled = False
    base_url_path = "snippets/partners/healthmetric"  # the URL it had before the move to health


class VendorRevenueViewSet(SnippetViewSet):
    model = VendorRevenue
    icon = "doc-full"
    menu_label = gettext_lazy("Vendor revenue")
    list_display = ["month", "amount", "note", "entered_by", "updated_at"]
    copy_view_enabled = False
    base_url_path = "snippets/partners/vendorrevenue"  # the URL it had before the move to health


class HealthGroup(ViewSetGroup):
    menu_label = gettext_lazy("Health model")
    menu_icon = "pick"
    menu_order = 215
    items = (
        HealthModelViewSet,
        HealthRunsViewSet,
        DecisionsViewSet,
        HealthMetricViewSet,
        VendorRevenueViewSet,
    )


@hooks.register("register_admin_viewset")
def register_health_viewsets():
    return HealthGroup()


@hooks.register("register_admin_urls")
def register_settings_urls():
    """The health settings keep the URL they had under partners (bookmarks, links in docs): this
    app's hooks load before Wagtail's settings app, so these paths match first."""
    setting = {"app_name": "health", "model_name": "healthsettings"}
    return [
        path("settings/partners/healthsettings/", settings_views.redirect_to_relevant_instance, setting),
        path("settings/partners/healthsettings/<int:pk>/", settings_views.EditView.as_view(), setting),
    ]


# --- audit of edits to the model ---------------------------------------------------------------------
_BEFORE = "_health_audit_before"


@hooks.register("before_edit_setting")
def remember_settings(request, instance):
    if isinstance(instance, HealthSettings):
        setattr(request, _BEFORE, audit.settings_values(HealthSettings.objects.get(pk=instance.pk)))


@hooks.register("after_edit_setting")
def log_settings(request, instance):
    if isinstance(instance, HealthSettings):
        audit.log_change(
            instance=instance,
            action=audit.LOG_SETTINGS_CHANGED,
            user=request.user,
            before=getattr(request, _BEFORE, {}),
            after=audit.settings_values(instance),
            reason=request.POST.get("change_reason", ""),
        )


@hooks.register("before_edit_snippet")
def remember_metric(request, instance):
    if isinstance(instance, HealthMetric):
        setattr(request, _BEFORE, audit.metric_values(HealthMetric.objects.get(pk=instance.pk)))


@hooks.register("after_edit_snippet")
def log_metric(request, instance):
    if isinstance(instance, HealthMetric):
        audit.log_change(
            instance=instance,
            action=audit.LOG_METRIC_CHANGED,
            user=request.user,
            before=getattr(request, _BEFORE, {}),
            after=audit.metric_values(instance),
            reason=request.POST.get("change_reason", ""),
        )


@hooks.register("after_create_snippet")
def remember_vendor_revenue_author(request, instance):
    if isinstance(instance, VendorRevenue) and instance.entered_by_id is None:
        VendorRevenue.objects.filter(pk=instance.pk).update(entered_by=request.user)


@hooks.register("after_edit_snippet")
def update_vendor_revenue_author(request, instance):
    if isinstance(instance, VendorRevenue):
        VendorRevenue.objects.filter(pk=instance.pk).update(entered_by=request.user)


# --- audit log actions ---------------------------------------------------------------------------------
def _reason_formatter(label, template):
    class Formatter(LogFormatter):
        def format_message(self, log_entry):
            data = log_entry.data or {}
            return template() % {**{k: data.get(k, "") for k in ("reason", "to_tier", "from_tier")}}

    Formatter.label = label
    return Formatter


def _changes_formatter(label):
    class Formatter(LogFormatter):
        def format_message(self, log_entry):
            data = log_entry.data or {}
            changes = ", ".join(
                f"{field}: {change.get('from')} → {change.get('to')}"
                for field, change in (data.get("changes") or {}).items()
            )
            reason = data.get("reason") or ""
            return f"{changes}" + (f" ({reason})" if reason else "")

    Formatter.label = label
    return Formatter


@hooks.register("register_log_actions")
def register_decision_actions(actions):
    register = actions.register_action
    register("partners.tier_approved")(
        _reason_formatter(
            gettext_lazy("Approve tier change"), lambda: _("Approved: %(from_tier)s → %(to_tier)s")
        )
    )
    register("partners.tier_overridden")(
        _reason_formatter(
            gettext_lazy("Override tier recommendation"),
            lambda: _("Overridden: %(from_tier)s → %(to_tier)s, because: %(reason)s"),
        )
    )
    register("partners.application_approve")(
        _reason_formatter(gettext_lazy("Approve partner application"), lambda: _("Approved. %(reason)s"))
    )
    register("partners.application_reject")(
        _reason_formatter(gettext_lazy("Reject partner application"), lambda: _("Rejected: %(reason)s"))
    )
    register("partners.application_more_info")(
        _reason_formatter(
            gettext_lazy("Ask applicant for more information"),
            lambda: _("More information asked: %(reason)s"),
        )
    )
    register("marketplace.review_hidden")(
        _reason_formatter(gettext_lazy("Hide review"), lambda: _("Hidden: %(reason)s"))
    )
    register("marketplace.review_unhidden")(
        _reason_formatter(gettext_lazy("Unhide review"), lambda: _("Shown again"))
    )
    register(audit.LOG_FLAG_ACKNOWLEDGED)(
        _reason_formatter(gettext_lazy("Acknowledge at-risk flag"), lambda: _("Acknowledged. %(reason)s"))
    )
    register(audit.LOG_SETTINGS_CHANGED)(_changes_formatter(gettext_lazy("Change health settings")))
    register(audit.LOG_METRIC_CHANGED)(_changes_formatter(gettext_lazy("Change health metric")))


# --- dashboard panel -------------------------------------------------------------------------------------
class AtRiskPanel(Component):
    name = "health_at_risk"
    order = 90

    def render_html(self, parent_context=None):
        summary = latest_flags_summary()
        if not summary["open"]:
            return ""
        from django.urls import reverse

        return format_html(
            '<section class="panel w-mb-4" aria-labelledby="at-risk-heading"><h2 id="at-risk-heading">{}</h2>'
            '<p>{}</p><p><a class="button button-small" href="{}">{}</a></p></section>',
            _("Partners at risk"),
            ngettext(
                "%(count)s partner flagged at risk for %(month)s is not acknowledged yet.",
                "%(count)s partners flagged at risk for %(month)s are not acknowledged yet.",
                summary["open"],
            )
            % {"count": summary["open"], "month": summary["month"].strftime("%Y-%m")},
            reverse("health_model:at_risk"),
            _("Open the at-risk report"),
        )


@hooks.register("construct_homepage_panels")
def add_at_risk_panel(request, panels):
    if request.user.has_perm(VIEW_FLAGS):
        panels.append(AtRiskPanel())
