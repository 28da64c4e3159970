"""Wagtail admin: the "Finance" menu (ledger, partner balances, reconciliation, payout
statements, commission rules, Connect accounts). Views check ``billing.*`` permissions, which
the Finance group holds; other staff groups see none of it.

Other billing admin areas register their hooks from their own modules, imported here.
"""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.panels import FieldPanel, FieldRowPanel
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.snippets.views.snippets import SnippetViewSet

from billing.admin_views.views import BalancesLink, LedgerViewSet, ReconciliationLink, StatementsLink
from billing.models import CommissionRule, ConnectAccount


class CommissionRuleViewSet(SnippetViewSet):
    model = CommissionRule
    icon = "decimal"
    menu_label = _("Commission rules")
    list_display = ["__str__", "partner_kind", "tier", "rate", "note"]
    list_filter = ["partner_kind"]
    copy_view_enabled = False
    panels = [
        FieldRowPanel([FieldPanel("partner_kind"), FieldPanel("tier"), FieldPanel("rate")]),
        FieldPanel("note"),
    ]


class ConnectAccountViewSet(SnippetViewSet):
    model = ConnectAccount
    icon = "user"
    menu_label = _("Connect accounts")
    list_display = ["partner", "stripe_account_id", "payouts_enabled", "details_submitted"]
    list_filter = ["payouts_enabled"]
    copy_view_enabled = False
    panels = [
        FieldPanel("partner"),
        FieldPanel("stripe_account_id"),
        FieldRowPanel([FieldPanel("payouts_enabled"), FieldPanel("details_submitted")]),
    ]


class FinanceGroup(ViewSetGroup):
    menu_label = _("Finance")
    menu_icon = "form"
    menu_order = 220
    items = (
        LedgerViewSet,
        BalancesLink,
        ReconciliationLink,
        StatementsLink,
        CommissionRuleViewSet,
        ConnectAccountViewSet,
    )


@hooks.register("register_admin_viewset")
def register_finance_viewsets():
    return FinanceGroup()


from billing.admin_views import offers  # noqa: E402,F401 - private offers, tax rates, Stripe events
