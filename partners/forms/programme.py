"""Forms of the tier programme: CSV upload (console), staff decisions and the catalogue (admin)."""

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from partners.models import PartnerKind, Tier
from partners.services import certifications as certification_services
from partners.services import programme as programme_services


class CertificationImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "Columns: name, email, certification (slug or name), issued_on, and optionally "
            "expires_on; dates as YYYY-MM-DD; UTF-8; at most 2 MB."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        certification_services.read_upload(upload)  # raises ValidationError with a clear message
        upload.seek(0)
        return upload


class OverrideForm(forms.Form):
    tier = forms.ModelChoiceField(queryset=Tier.objects.none(), label=_("Tier to set"))
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": programme_services.OVERRIDE_REASON_REQUIRED},
    )

    def __init__(self, *args, partner, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tier"].queryset = Tier.objects.filter(kind=partner.kind).order_by("rank")
        self.fields["tier"].initial = partner.tier_id

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(programme_services.OVERRIDE_REASON_REQUIRED)
        return reason


class CertificationAdminForm(WagtailAdminModelForm):
    partner_kinds = forms.MultipleChoiceField(
        label=_("Partner kinds"),
        choices=PartnerKind.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Leave all unticked for a certification every kind of partner can hold."),
    )
