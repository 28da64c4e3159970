"""Partner forms: register or edit a deal, close it lost, ask for an extension, import a CSV."""

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from catalog.models import ListingPage
from cosell.models import DealRegistration, LostReason
from cosell.services.registrations import ALL_FIELDS, EDITABLE, MAX_CLOSE_DAYS

MAX_UPLOAD_BYTES = 2 * 1024 * 1024


class ListingChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.t_title if hasattr(obj, "t_title") else obj.title


class RegistrationForm(forms.ModelForm):
    listings = ListingChoiceField(
        label=_("Listings"),
        queryset=ListingPage.objects.live().order_by("title"),
        help_text=_("Between 1 and 10 listings this deal involves."),
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )

    class Meta:
        model = DealRegistration
        fields = list(ALL_FIELDS)
        widgets = {
            "expected_close": forms.DateInput(attrs={"type": "date"}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "customer_uscc": _("18 characters, as on the business licence (optional)."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["expected_close"].help_text = gettext("Within %(days)s days from today.") % {
            "days": MAX_CLOSE_DAYS
        }
        instance = self.instance
        if instance.pk:
            allowed = EDITABLE.get(instance.status, ())
            for name, field in self.fields.items():
                if name not in allowed:
                    field.disabled = True
                    field.required = False

    def enabled_data(self) -> dict:
        """Cleaned values of the fields the current state lets the partner change."""
        return {k: v for k, v in self.cleaned_data.items() if k in ALL_FIELDS and not self.fields[k].disabled}


class LostForm(forms.Form):
    reason = forms.ChoiceField(label=_("Why was it lost?"), choices=LostReason.choices)
    note = forms.CharField(label=_("Note"), required=False, max_length=500)


class ExtensionForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you need more time?"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )


class InviteForm(forms.Form):
    partner = forms.SlugField(
        label=_("Partner's directory address"),
        help_text=_("The last part of the partner's profile address, e.g. galaxy-cloud."),
        max_length=80,
    )
    message = forms.CharField(
        label=_("Message"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ImportForm(forms.Form):
    file = forms.FileField(label=_("CSV file (UTF-8, at most 1,000 rows)"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".csv"):
            raise forms.ValidationError(_("Upload a .csv file."))
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than 2 MB."))
        return upload
