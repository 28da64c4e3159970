"""Wagtail admin: the "Incentives" menu (dashboard, pools, request and claim queue) and the
log actions of its audited decisions. Menu items show to holders of an incentives permission."""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from incentives import admin_views
from incentives.models import DeliveryOutcome

LOG_ACTIONS = {
    "incentives.pool_previewed": _("Preview incentive allocation"),
    "incentives.pool_published": _("Publish incentive pool"),
    "incentives.pool_expired": _("Expire incentive pool"),
    "incentives.request_transition": _("Fund request state change"),
    "incentives.request_edited": _("Fund request draft changed"),
    "incentives.flag_resolved": _("Resolve fraud flag"),
    "incentives.sanction": _("Sanction partner"),
    "incentives.sanction_lifted": _("Lift sanction"),
}


@hooks.register("register_log_actions")
def register_incentive_actions(actions):
    for action, label in LOG_ACTIONS.items():
        actions.register_action(action, label, label)


class DeliveryOutcomeViewSet(SnippetViewSet):
    model = DeliveryOutcome
    icon = "success"
    menu_label = _("Delivery outcomes")
    list_display = ["partner", "project", "customer", "accepted_on", "successful"]
    list_filter = ["successful"]
    copy_view_enabled = False
    add_to_admin_menu = False


register_snippet(DeliveryOutcomeViewSet)


@hooks.register("register_admin_urls")
def register_admin_urls():
    return [
        path(
            "incentives/",
            include((admin_views.urlpatterns, "incentives_admin"), namespace="incentives_admin"),
        )
    ]


class IncentivesMenuItem(MenuItem):
    def is_shown(self, request):
        return admin_views.can_view(request.user)


class OutcomesMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm("incentives.view_deliveryoutcome")


class OutcomesImportMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm("incentives.add_deliveryoutcome")


class IncentivesSubmenu(SubmenuMenuItem):
    def is_shown(self, request):
        return admin_views.can_view(request.user)


@hooks.register("register_admin_menu_item")
def register_incentives_menu():
    menu = Menu(
        items=[
            IncentivesMenuItem(
                _("Dashboard"), reverse("incentives_admin:dashboard"), icon_name="doc-full", order=1
            ),
            IncentivesMenuItem(
                _("Requests and claims"), reverse("incentives_admin:queue"), icon_name="tasks", order=2
            ),
            IncentivesMenuItem(_("Pools"), reverse("incentives_admin:pools"), icon_name="form", order=3),
            OutcomesMenuItem(
                _("Delivery outcomes"),
                reverse("wagtailsnippets_incentives_deliveryoutcome:list"),
                icon_name="success",
                order=4,
            ),
            OutcomesImportMenuItem(
                _("Import delivery outcomes"),
                reverse("incentives_admin:outcomes-import"),
                icon_name="upload",
                order=5,
            ),
        ]
    )
    return IncentivesSubmenu(_("Incentives"), menu, icon_name="pick", order=230)
