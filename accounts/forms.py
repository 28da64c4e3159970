from django import forms
from django.utils.translation import gettext_lazy as _


class SignupForm(forms.Form):
    """Extra sign-up fields; allauth calls ``signup`` after creating the user."""

    display_name = forms.CharField(label=_("Your name"), max_length=120, required=False)
    organisation_name = forms.CharField(
        label=_("Company or organisation"),
        max_length=200,
        required=False,
        help_text=_("We create a customer organisation for you. Leave empty to use your name."),
    )

    def signup(self, request, user):
        from accounts import services

        user.display_name = self.cleaned_data.get("display_name", "")
        user.save(update_fields=["display_name"])
        services.on_signup(
            request=request, user=user, organisation_name=self.cleaned_data.get("organisation_name")
        )
