"""Forms of the trial and purchase screens (``marketplace.views.purchase``)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from billing.models import BillingContact
from core.money import Currency


class CheckoutForm(forms.Form):
    currency = forms.ChoiceField(label=_("Currency"), choices=Currency.choices)
    quantity = forms.IntegerField(label=_("Seats"), min_value=1, max_value=10000, initial=1)
    payment_method = forms.CharField(widget=forms.HiddenInput, required=False, max_length=80)
    token = forms.CharField(widget=forms.HiddenInput, max_length=80)

    def __init__(self, *args, currencies=None, per_seat=False, **kwargs):
        super().__init__(*args, **kwargs)
        if currencies:
            self.fields["currency"].choices = [(c, label) for c, label in Currency.choices if c in currencies]
        if not per_seat:
            self.fields["quantity"].widget = forms.HiddenInput()

    def clean_payment_method(self):
        value = (self.cleaned_data.get("payment_method") or "").strip()
        if not value:
            raise forms.ValidationError(_("Enter your card details."))
        return value


class ChangePlanForm(forms.Form):
    plan = forms.TypedChoiceField(label=_("Plan"), coerce=int)
    quantity = forms.IntegerField(label=_("Seats"), min_value=1, max_value=10000)
    token = forms.CharField(widget=forms.HiddenInput, max_length=80)

    def __init__(self, *args, plans=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plan"].choices = [(p.pk, p.t_name) for p in plans]


class SeatForm(forms.Form):
    user = forms.TypedChoiceField(label=_("Member"), coerce=int)

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].choices = [(m.user_id, str(m.user)) for m in members]


class ContactForm(forms.ModelForm):
    class Meta:
        model = BillingContact
        fields = [
            "name",
            "email",
            "phone",
            "company_name",
            "tax_id",
            "address",
            "is_primary",
            "receives_invoices",
        ]
        widgets = {"address": forms.Textarea(attrs={"rows": 3})}


class UsageForm(forms.Form):
    quantity = forms.IntegerField(label=_("Units used"), min_value=1, max_value=10**9)
    day = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=_("Note"), max_length=200, required=False)
    token = forms.CharField(widget=forms.HiddenInput, max_length=80)


class PartnerOfferForm(forms.ModelForm):
    """A partner's private offer: one of its own listings, for one customer organisation (by slug)."""

    customer = forms.SlugField(
        label=_("Customer organisation"),
        help_text=_("The organisation's short name (slug), as the customer gave it to you."),
    )

    class Meta:
        from billing.models import PrivateOffer

        model = PrivateOffer
        fields = [
            "listing",
            "listing_plan",
            "title",
            "title_en",
            "currency",
            "unit_amount",
            "interval",
            "quantity",
            "expires_at",
            "terms",
            "terms_en",
        ]
        widgets = {
            "expires_at": forms.DateTimeInput(attrs={"type": "datetime-local"}),
            "terms": forms.Textarea(attrs={"rows": 3}),
            "terms_en": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, partner, **kwargs):
        super().__init__(*args, **kwargs)
        from catalog.models import ListingPage, ListingPlan

        self.partner = partner
        self.fields["listing"].queryset = ListingPage.objects.filter(partner=partner).order_by("title")
        self.fields["listing_plan"].queryset = ListingPlan.objects.filter(listing__partner=partner)
        self.fields["listing_plan"].required = False

    def clean_customer(self):
        from accounts.models import Organisation

        org = Organisation.objects.filter(
            slug=self.cleaned_data["customer"], kind=Organisation.Kind.CUSTOMER
        ).first()
        if org is None:
            raise forms.ValidationError(_("No customer organisation has this short name."))
        return org

    def clean(self):
        from django.utils import timezone

        cleaned = super().clean()
        plan, listing = cleaned.get("listing_plan"), cleaned.get("listing")
        if plan is not None and listing is not None and plan.listing_id != listing.pk:
            self.add_error("listing_plan", _("Choose a plan of the same listing."))
        if cleaned.get("expires_at") and cleaned["expires_at"] <= timezone.now():
            self.add_error("expires_at", _("The expiry must be in the future."))
        if cleaned.get("unit_amount") is not None and cleaned["unit_amount"] <= 0:
            self.add_error("unit_amount", _("Enter a price above zero."))
        return cleaned
