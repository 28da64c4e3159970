"""Forms of the catalogue's admin screens (the page editor's form is ``ListingPageForm``)."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class VersionForm(forms.Form):
    version = forms.CharField(label=_("Version"), max_length=40)
    released_on = forms.DateField(
        label=_("Released on"), initial=timezone.localdate, widget=forms.DateInput(attrs={"type": "date"})
    )
    notes = forms.CharField(
        label=_("Release notes (Chinese)"), widget=forms.Textarea(attrs={"rows": 5}), required=False
    )
    notes_en = forms.CharField(
        label=_("Release notes (English)"), widget=forms.Textarea(attrs={"rows": 5}), required=False
    )


class DelistForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The partner's owners receive this by email."),
    )


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Show a service's ``ValidationError`` on ``form``: field errors by their fields, the rest on top."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            for message in messages:
                form.add_error(field if field in form.fields else None, message)
    else:
        for message in error.messages:
            form.add_error(None, message)
