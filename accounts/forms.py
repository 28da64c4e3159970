from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from accounts.models import Role


class SignupForm(forms.Form):
    """Extra sign-up fields (``ACCOUNT_SIGNUP_FORM_CLASS``); allauth's form derives from this
    one and calls ``signup`` after creating the user.

    With an invitation opened in this session the email is prefilled with the invited
    address, must be that address, and no organisation name is asked for."""

    display_name = forms.CharField(label=_("Your name"), max_length=120, required=False)
    organisation_name = forms.CharField(
        label=_("Company or organisation"),
        max_length=200,
        required=False,
        help_text=_("We create a customer organisation for you. Leave empty to use your name."),
    )
    field_order = ["display_name", "email", "password1", "password2", "organisation_name"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = _current_request()
        self.invitation = _adapter().pending_invitation(request)
        self.partner_next = partner_application_next(request)
        if self.invitation is not None:
            self.initial.setdefault("email", self.invitation.email)
            del self.fields["organisation_name"]
        elif self.partner_next:
            # Signing up to apply as a partner: the company goes in the application, and the
            # partner organisation comes with its approval — nothing to promise here.
            del self.fields["organisation_name"]

    def clean(self):
        from accounts import services

        cleaned_data = super().clean()
        email = cleaned_data.get("email")
        if self.invitation is not None and email and email.lower() != self.invitation.email.lower():
            self.add_error(
                "email",
                forms.ValidationError(
                    services.INVITATION_SIGNUP_EMAIL_MISMATCH,
                    code="email_mismatch",
                    params={"email": self.invitation.email, "organisation": self.invitation.organisation},
                ),
            )
        return cleaned_data

    def signup(self, request, user):
        from accounts import services

        user.display_name = self.cleaned_data.get("display_name", "")
        user.save(update_fields=["display_name"])
        membership = services.complete_signup(
            user=user,
            organisation_name=self.cleaned_data.get("organisation_name", ""),
            invitation_token=self.invitation.token if self.invitation else None,
        )
        _adapter().signed_up(request, user=user, membership=membership, invitation=self.invitation)
        if self.partner_next:
            from accounts.adapters import AFTER_SIGNUP_KEY

            request.session[AFTER_SIGNUP_KEY] = self.partner_next


PARTNER_APPLICATION_URL_NAME = "partners:apply"


def partner_application_next(request) -> str:
    """The ``next`` of a sign-up started from the partner application, else ""."""
    if request is None:
        return ""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if not target.startswith("/") or target.startswith("//"):
        return ""
    from django.urls import Resolver404, resolve

    try:
        match = resolve(urlsplit(target).path)
    except Resolver404:
        return ""
    return target if match.view_name == PARTNER_APPLICATION_URL_NAME else ""


def _adapter():
    from allauth.account.adapter import get_adapter

    return get_adapter()


def _current_request():
    from allauth.core import context

    return context.request


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("Email address"))
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.MEMBER)
    language = forms.ChoiceField(
        label=_("Language of the invitation email"),
        choices=settings.LANGUAGES,
    )

    def __init__(self, *args, roles=None, **kwargs):
        super().__init__(*args, **kwargs)
        if roles is not None:
            self.fields["role"].choices = [(r.value, r.label) for r in roles]
        self.fields["language"].initial = translation.get_language() or settings.LANGUAGE_CODE


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


def grantable_roles(membership) -> list[Role]:
    """Roles the holder of ``membership`` may hand out: owners any, admins admin and member."""
    if membership.role == Role.OWNER:
        return [Role.OWNER, Role.ADMIN, Role.MEMBER]
    if membership.role == Role.ADMIN:
        return [Role.ADMIN, Role.MEMBER]
    return []
