"""Forms of the partner console (fund request, claim) and the staff decisions."""

from django import forms
from django.utils.translation import gettext_lazy as _

from incentives.models import ActivityType, IncentivePool, PaymentMethod
from partners.forms.onboarding import MultipleFileField


class DateInput(forms.DateInput):
    input_type = "date"


class FundRequestForm(forms.Form):
    pool = forms.ModelChoiceField(label=_("Pool"), queryset=IncentivePool.objects.none(), empty_label=None)
    activity_type = forms.ChoiceField(label=_("Activity type"), choices=ActivityType.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    plan = forms.CharField(label=_("Plan"), widget=forms.Textarea(attrs={"rows": 4}))
    expected_results = forms.CharField(label=_("Expected results"), widget=forms.Textarea(attrs={"rows": 3}))
    start_date = forms.DateField(label=_("Activity start"), widget=DateInput)
    end_date = forms.DateField(label=_("Activity end"), widget=DateInput)
    budget = forms.DecimalField(label=_("Budget"), max_digits=14, decimal_places=2, min_value=0)

    def __init__(self, *args, pools, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pool"].queryset = pools


class ClaimForm(forms.Form):
    amount = forms.DecimalField(label=_("Amount claimed"), max_digits=14, decimal_places=2, min_value=0)
    summary = forms.CharField(label=_("Results achieved"), widget=forms.Textarea(attrs={"rows": 4}))
    invoice_file = forms.FileField(label=_("Invoice (PDF or image)"))
    invoice_code = forms.CharField(label=_("Invoice code"), max_length=20)
    invoice_number = forms.CharField(label=_("Invoice number"), max_length=20)
    photos = MultipleFileField(label=_("Photos of the activity (JPEG or PNG)"), required=False)
    attendee_lists = MultipleFileField(label=_("Attendee lists (PDF, CSV, XLSX or image)"), required=False)


class DecisionForm(forms.Form):
    amount = forms.DecimalField(label=_("Approved amount"), max_digits=14, decimal_places=2, required=False)
    method = forms.ChoiceField(
        label=_("Pay by"),
        choices=PaymentMethod.choices,
        initial=PaymentMethod.STATEMENT_CREDIT,
        required=False,
    )
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class PoolForm(forms.ModelForm):
    kinds = forms.MultipleChoiceField(
        label=_("Eligible partner kinds"), choices=(), widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = IncentivePool
        fields = [
            "name",
            "period_start",
            "period_end",
            "amount",
            "currency",
            "kinds",
            "min_tier_rank",
            "exclude_at_risk",
            "tier_weights",
            "region_weights",
            "default_region_weight",
            "default_health",
        ]
        widgets = {"period_start": DateInput, "period_end": DateInput}

    def __init__(self, *args, **kwargs):
        from partners.models import PartnerKind

        super().__init__(*args, **kwargs)
        self.fields["kinds"].choices = PartnerKind.choices


class OutcomeImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("Columns: partner (slug), month (YYYY-MM), successful, failed. At most 1,000 rows."),
    )
