"""Wagtail admin: the "Incentives" menu (pools, request and claim queues, dashboard) and the
log actions of its audited decisions."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks

LOG_ACTIONS = {
    "incentives.pool_previewed": _("Preview incentive allocation"),
    "incentives.pool_published": _("Publish incentive pool"),
    "incentives.pool_expired": _("Expire incentive pool"),
    "incentives.request_transition": _("Fund request state change"),
    "incentives.flag_resolved": _("Resolve fraud flag"),
    "incentives.sanction": _("Sanction partner"),
    "incentives.sanction_lifted": _("Lift sanction"),
}


@hooks.register("register_log_actions")
def register_incentive_actions(actions):
    for action, label in LOG_ACTIONS.items():
        actions.register_action(action, label, label)
