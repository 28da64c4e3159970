from django import forms
from django.utils.translation import gettext_lazy as _

from core.money import Currency
from demand.models import LeadState, LeadTopic, PreferredContact, PricingModel, RequirementMode
from partners.models import Certification, Industry, Partner, PartnerKind, Region


class LeadForm(forms.Form):
    topic = forms.ChoiceField(
        label=_("What do you need?"), choices=LeadTopic.choices, widget=forms.RadioSelect
    )
    contact_name = forms.CharField(label=_("Your name"), max_length=120)
    email = forms.EmailField(label=_("E-mail"))
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    company = forms.CharField(label=_("Company"), max_length=200, required=False)
    message = forms.CharField(label=_("Message"), max_length=4000, widget=forms.Textarea(attrs={"rows": 5}))
    preferred_contact = forms.ChoiceField(label=_("Preferred contact"), choices=PreferredContact.choices)
    consent = forms.BooleanField(
        label=_("I agree that the partner and the platform may contact me about this enquiry."), required=True
    )
    # Honeypot: hidden from people (CSS and aria-hidden), filled in by naive bots.
    website = forms.CharField(label=_("Leave this field empty"), required=False)

    def clean(self):
        data = super().clean()
        if data.get("preferred_contact") == PreferredContact.PHONE and not data.get("phone"):
            self.add_error("phone", _("Give a phone number to be called back."))
        return data


class ReplyForm(forms.Form):
    body = forms.CharField(label=_("Reply"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4}))


class LeadStateForm(forms.Form):
    state = forms.ChoiceField(label=_("Move to"), choices=LeadState.choices)
    reason = forms.CharField(label=_("Reason (when lost)"), max_length=255, required=False)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented pattern); cleaned to a list."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


def _attachments_field():
    return MultipleFileField(
        label=_("Attachments"),
        required=False,
        help_text=_(
            "Up to 5 files: PDF, Word, Excel, CSV, JPEG or PNG, 10 MB each. Only staff and the "
            "partners invited to propose can open them."
        ),
    )


class AttachmentForm(forms.Form):
    attachments = _attachments_field()


class PartnerChoiceMixin:
    def label_from_instance(self, obj):
        return str(obj.organisation)


class PartnerChoiceField(PartnerChoiceMixin, forms.ModelChoiceField):
    pass


class PartnerMultipleChoiceField(PartnerChoiceMixin, forms.ModelMultipleChoiceField):
    pass


def choosable_partners():
    """Partners a customer may direct or invite: active ones (the hard filters of the
    requirement still apply when it opens; a directed partner that fails them is routed around)."""
    return (
        Partner.objects.filter(status=Partner.Status.ACTIVE)
        .select_related("organisation")
        .order_by("organisation__name")
    )


class RequirementForm(forms.Form):
    title = forms.CharField(label=_("Title (Chinese)"), max_length=200, required=False)
    title_en = forms.CharField(label=_("Title (English)"), max_length=200, required=False)
    description = forms.CharField(
        label=_("Description (Chinese)"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    description_en = forms.CharField(
        label=_("Description (English)"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    industry = forms.ModelChoiceField(label=_("Industry"), queryset=Industry.objects.all(), required=False)
    region = forms.ModelChoiceField(label=_("Region"), queryset=Region.objects.all(), required=False)
    budget_min = forms.DecimalField(
        label=_("Budget from"), min_value=0, max_digits=14, decimal_places=2, required=False
    )
    budget_max = forms.DecimalField(
        label=_("Budget up to"), min_value=0, max_digits=14, decimal_places=2, required=False
    )
    currency = forms.ChoiceField(label=_("Currency"), choices=Currency.choices)
    disclose_budget = forms.BooleanField(label=_("Show the budget to partners"), required=False)
    proposal_due = forms.DateTimeField(
        label=_("Proposals due"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    award_by = forms.DateField(label=_("Award by"), widget=forms.DateInput(attrs={"type": "date"}))
    required_certifications = forms.ModelMultipleChoiceField(
        label=_("Required certifications"),
        queryset=Certification.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    required_kinds = forms.MultipleChoiceField(
        label=_("Partner kinds"),
        choices=PartnerKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    min_tier_rank = forms.IntegerField(
        label=_("Minimum tier rank"), min_value=0, max_value=10, required=False
    )
    screening_questions = forms.CharField(
        label=_("Screening questions (one per line)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    mode = forms.ChoiceField(label=_("How partners are found"), choices=RequirementMode.choices)
    claim_limit = forms.IntegerField(
        label=_("Claim limit (open claim)"), min_value=1, max_value=50, initial=5
    )
    directed_partner = PartnerChoiceField(
        label=_("Partner (directed)"),
        queryset=Partner.objects.none(),
        required=False,
        help_text=_(
            "Directed: only this partner is asked. Without an answer in 3 business days the platform "
            "routes the requirement to other qualified partners."
        ),
    )
    invited_partners = PartnerMultipleChoiceField(
        label=_("Partners to invite (private invitation)"),
        queryset=Partner.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("Private invitation: up to 10 partners; only they see the requirement."),
    )
    attachments = _attachments_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["directed_partner"].queryset = choosable_partners()
        self.fields["invited_partners"].queryset = choosable_partners()

    def clean(self):
        data = super().clean()
        mode = data.get("mode")
        if mode == RequirementMode.DIRECTED and not data.get("directed_partner"):
            self.add_error("directed_partner", _("Choose the partner to direct this requirement to."))
        if mode == RequirementMode.PRIVATE_INVITE and not data.get("invited_partners"):
            self.add_error("invited_partners", _("Choose the partners to invite."))
        if mode != RequirementMode.DIRECTED:
            data["directed_partner"] = None
        if mode != RequirementMode.PRIVATE_INVITE:
            data["invited_partners"] = []
        return data

    def clean_screening_questions(self):
        text = self.cleaned_data.get("screening_questions") or ""
        return [line.strip() for line in text.splitlines() if line.strip()][:10]


class ProposalForm(forms.Form):
    pricing_model = forms.ChoiceField(label=_("Pricing model"), choices=PricingModel.choices)
    total = forms.DecimalField(label=_("Total"), min_value=0, max_digits=14, decimal_places=2)
    max_cost = forms.DecimalField(
        label=_("Maximum cost"), min_value=0, max_digits=14, decimal_places=2, required=False
    )
    timeline_days = forms.IntegerField(label=_("Timeline (days)"), min_value=1, max_value=3650)
    summary = forms.CharField(label=_("Approach"), max_length=8000, widget=forms.Textarea(attrs={"rows": 6}))
    assumptions = forms.CharField(
        label=_("Assumptions"), max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    milestones = forms.CharField(
        label=_("Milestones (one per line: title | amount | acceptance criteria)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, questions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = list(questions)
        for i, question in enumerate(self.questions):
            self.fields[f"answer_{i}"] = forms.CharField(
                label=question, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
            )

    def clean_milestones(self):
        rows = []
        for n, line in enumerate((self.cleaned_data.get("milestones") or "").splitlines(), start=1):
            if not line.strip():
                continue
            parts = [p.strip() for p in line.split("|")]
            if len(parts) < 2 or not parts[0]:
                raise forms.ValidationError(
                    _("Line %(n)s: write “title | amount | acceptance criteria”.") % {"n": n}
                )
            rows.append(
                {
                    "title": parts[0],
                    "amount": parts[1],
                    "acceptance_criteria": parts[2] if len(parts) > 2 else "",
                }
            )
        return rows

    def answers(self) -> list[str]:
        return [self.cleaned_data.get(f"answer_{i}", "") for i in range(len(self.questions))]


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=255)


class AwardForm(forms.Form):
    reason = forms.CharField(label=_("Message to the partners not chosen"), max_length=255, required=False)
