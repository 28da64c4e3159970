"""Wagtail admin: the co-sell queue, conflict decisions side by side, direct accounts and
protection rules (programme managers hold ``cosell.*``); log actions for the audit history."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks

LOG_ACTIONS = {
    "cosell.transition": _("Deal registration status changed"),
    "cosell.conflict": _("Deal registration conflict decided"),
    "cosell.extension": _("Deal registration protection extension"),
}


@hooks.register("register_log_actions")
def register_cosell_log_actions(actions):
    for action, label in LOG_ACTIONS.items():
        actions.register_action(action, label, label)
