"""Wagtail admin screens of billing core: private offers, tax rates, webhook events.

Registered from ``billing/wagtail_hooks.py`` (one import line). Finance holds ``billing.*``
permissions (accounts/roles.py), so it sees these; other staff groups do not.
"""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.snippets.views.snippets import SnippetViewSet

from billing.models import PrivateOffer, TaxRate, WebhookEvent


class PrivateOfferForm(WagtailAdminModelForm):
    def clean(self):
        cleaned = super().clean()
        plan, listing = cleaned.get("listing_plan"), cleaned.get("listing")
        if plan is not None and listing is not None and plan.listing_id != listing.pk:
            self.add_error("listing_plan", _("Choose a plan of the same listing."))
        expires = cleaned.get("expires_at")
        if expires is not None and expires <= timezone.now() and not self.instance.pk:
            self.add_error("expires_at", _("The expiry must be in the future."))
        amount = cleaned.get("unit_amount")
        if amount is not None and amount <= 0:
            self.add_error("unit_amount", _("Enter a price above zero."))
        org = cleaned.get("organisation")
        own = listing is not None and listing.partner_id and listing.partner.organisation_id
        if org is not None and own == org.pk:
            self.add_error("organisation", _("A partner cannot make an offer to itself."))
        return cleaned


class PrivateOfferViewSet(SnippetViewSet):
    model = PrivateOffer
    icon = "tag"
    menu_label = _("Private offers")
    list_display = ["title", "organisation", "listing", "unit_amount", "currency", "status", "expires_at"]
    list_filter = ["status", "currency"]
    search_fields = ["title", "title_en"]
    copy_view_enabled = False
    panels = [
        MultiFieldPanel(
            [
                FieldPanel("listing"),
                FieldPanel("listing_plan"),
                FieldPanel("organisation"),
            ],
            heading=_("Who and what"),
        ),
        FieldRowPanel([FieldPanel("title"), FieldPanel("title_en")]),
        FieldRowPanel(
            [
                FieldPanel("currency"),
                FieldPanel("unit_amount"),
                FieldPanel("interval"),
                FieldPanel("quantity"),
            ]
        ),
        FieldPanel("expires_at"),
        FieldRowPanel([FieldPanel("terms"), FieldPanel("terms_en")]),
        FieldPanel("status"),
    ]

    def get_form_class(self, for_update=False):
        form_class = super().get_form_class(for_update=for_update)
        return type("PrivateOfferAdminForm", (PrivateOfferForm, form_class), {})


class TaxRateViewSet(SnippetViewSet):
    model = TaxRate
    icon = "decimal"
    menu_label = _("Tax rates")
    list_display = ["name", "name_en", "currency", "percentage", "inclusive", "active"]
    list_filter = ["currency", "active"]
    copy_view_enabled = False
    panels = [
        FieldRowPanel([FieldPanel("name"), FieldPanel("name_en")]),
        FieldRowPanel([FieldPanel("currency"), FieldPanel("percentage"), FieldPanel("inclusive")]),
        FieldPanel("active"),
    ]


class WebhookEventViewSet(SnippetViewSet):
    model = WebhookEvent
    icon = "history"
    menu_label = _("Stripe events")
    list_display = ["stripe_event_id", "type", "status", "attempts", "received_at", "processed_at"]
    list_filter = ["status", "type"]
    search_fields = ["stripe_event_id", "type"]
    copy_view_enabled = False
    panels = [
        FieldPanel("stripe_event_id", read_only=True),
        FieldPanel("type", read_only=True),
        FieldPanel("status", read_only=True),
        FieldPanel("error", read_only=True),
    ]


class BillingCoreGroup(ViewSetGroup):
    menu_label = _("Sales")
    menu_icon = "tag"
    menu_order = 221
    items = (PrivateOfferViewSet, TaxRateViewSet, WebhookEventViewSet)


@hooks.register("register_admin_viewset")
def register_billing_core_viewsets():
    return BillingCoreGroup()
