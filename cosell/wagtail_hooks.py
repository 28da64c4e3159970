"""Wagtail admin: the co-sell queue, conflict decisions side by side, direct accounts and
protection rules (programme managers hold ``cosell.*``); log actions for the audit history."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.panels import FieldPanel, FieldRowPanel
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.snippets.views.snippets import SnippetViewSet

from cosell.admin_views import CosellQueueViewSet
from cosell.models import KnownAccount, ProtectionRule

LOG_ACTIONS = {
    "cosell.transition": _("Deal registration status changed"),
    "cosell.conflict": _("Deal registration conflict decided"),
    "cosell.extension": _("Deal registration protection extension"),
    "cosell.overlap_agree": _("Agreed to share account overlap names"),
    "cosell.overlap_revoke": _("Stopped sharing account overlap names"),
}


@hooks.register("register_log_actions")
def register_cosell_log_actions(actions):
    for action, label in LOG_ACTIONS.items():
        actions.register_action(action, label, label)


class KnownAccountViewSet(SnippetViewSet):
    model = KnownAccount
    icon = "user"
    menu_label = _("Direct accounts")
    list_display = ["name", "name_en", "kind", "uscc", "domain"]
    list_filter = ["kind"]
    search_fields = ["name", "name_en", "uscc", "domain"]
    copy_view_enabled = False
    panels = [
        FieldPanel("kind"),
        FieldRowPanel([FieldPanel("name"), FieldPanel("name_en")]),
        FieldRowPanel([FieldPanel("uscc"), FieldPanel("domain")]),
        FieldPanel("note"),
    ]


class ProtectionRuleViewSet(SnippetViewSet):
    model = ProtectionRule
    icon = "lock"
    menu_label = _("Protection rules")
    list_display = ["__str__", "protection_days", "extension_days", "auto_approve", "referral_rate"]
    copy_view_enabled = False
    panels = [
        FieldRowPanel([FieldPanel("partner_kind"), FieldPanel("tier")]),
        FieldRowPanel(
            [FieldPanel("protection_days"), FieldPanel("extension_days"), FieldPanel("auto_approve")]
        ),
    ]


class CosellGroup(ViewSetGroup):
    menu_label = _("Co-sell")
    menu_icon = "group"
    menu_order = 230
    items = (CosellQueueViewSet, KnownAccountViewSet, ProtectionRuleViewSet)


@hooks.register("register_admin_viewset")
def register_cosell_viewsets():
    return CosellGroup()
