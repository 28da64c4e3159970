"""Forms of the onboarding flow: the application (applicant) and the decision (reviewer)."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from partners.models import ApplicationDecision, Industry, PartnerApplication, Region
from partners.services import onboarding


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        if isinstance(data, (list, tuple)):
            return [super(MultipleFileField, self).clean(item, initial) for item in data if item]
        return [super().clean(data, initial)] if data else []


class ApplicationForm(forms.ModelForm):
    """Apply, or (``resubmission=True``) edit after reviewers asked for more information."""

    regions = forms.ModelMultipleChoiceField(
        label=_("Regions you serve"),
        queryset=Region.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    industries = forms.ModelMultipleChoiceField(
        label=_("Industries you serve"),
        queryset=Industry.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    website = forms.URLField(
        label=_("Website"),
        required=False,
        assume_scheme="https",
        widget=forms.URLInput(attrs={"placeholder": "https://", "autocomplete": "url"}),
    )
    documents = MultipleFileField(
        label=_("Files"),
        required=False,
        help_text=_("PDF, PNG, JPG or DOCX, at most 10 MB each: for example your business licence."),
        widget=MultipleFileInput(attrs={"accept": onboarding.ACCEPTED_EXTENSIONS}),
    )

    class Meta:
        model = PartnerApplication
        fields = [
            "company_name",
            "company_name_en",
            "kind",
            "regions",
            "industries",
            "contact_name",
            "contact_email",
            "contact_phone",
            "website",
            "description",
            "description_en",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 5}),
            "description_en": forms.Textarea(attrs={"rows": 5}),
            "contact_email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "contact_phone": forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
            "contact_name": forms.TextInput(attrs={"autocomplete": "name"}),
        }
        help_texts = {
            "company_name_en": _("Optional; shown to visitors browsing in English."),
            "description": _("What you offer, who your customers are, and why you want to join."),
        }

    def __init__(self, *args, resubmission: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.resubmission = resubmission
        if resubmission:
            self.fields["documents"].help_text = _(
                "Your earlier documents are kept. Add any the reviewers asked for (PDF, PNG, JPG or "
                "DOCX, at most 10 MB each)."
            )

    def clean_documents(self):
        uploads = self.cleaned_data.get("documents") or []
        attached = self.instance.documents.count() if self.instance.pk else 0
        try:
            onboarding.validate_supporting_documents(
                uploads, required=not self.resubmission, already_attached=attached
            )
        except ValidationError as error:
            raise ValidationError(error.error_list) from None
        return uploads

    def service_kwargs(self) -> dict:
        """The cleaned data as ``submit_application`` / ``resubmit_application`` keywords."""
        data = dict(self.cleaned_data)
        return {
            **{name: data[name] for name in onboarding.APPLICATION_FIELDS},
            "regions": list(data.get("regions") or []),
            "industries": list(data.get("industries") or []),
            "documents": data.get("documents") or [],
        }


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=ApplicationDecision.Kind.choices, widget=forms.RadioSelect
    )
    message = forms.CharField(
        label=_("Message to the applicant"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Emailed to the applicant in their language. Required unless you approve."),
    )

    def __init__(self, *args, application=None, **kwargs):
        super().__init__(*args, **kwargs)
        if application is not None and application.status == PartnerApplication.Status.MORE_INFO:
            # Waiting for the applicant: only rejection is possible until they resubmit.
            self.fields["decision"].choices = [
                (ApplicationDecision.Kind.REJECT, ApplicationDecision.Kind.REJECT.label)
            ]

    def clean(self):
        cleaned = super().clean()
        approving = cleaned.get("decision") == ApplicationDecision.Kind.APPROVE
        if not approving and not (cleaned.get("message") or "").strip():
            self.add_error("message", onboarding.MESSAGE_REQUIRED)
        return cleaned
