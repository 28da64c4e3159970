"""Wagtail's user create/edit forms with ``display_name`` (used by ``accounts.apps.WagtailUsersConfig``).

First and last names are optional here: people sign up with a display name only."""

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.users.forms import UserCreationForm, UserEditForm
from wagtail.users.views.users import UserViewSet as WagtailUserViewSet


class _NamesMixin(forms.Form):
    first_name = forms.CharField(required=False, label=_("First name"), max_length=150)
    last_name = forms.CharField(required=False, label=_("Last name"), max_length=150)


class SymbioUserCreationForm(_NamesMixin, UserCreationForm):
    class Meta(UserCreationForm.Meta):
        fields = UserCreationForm.Meta.fields | {"display_name"}


class SymbioUserEditForm(_NamesMixin, UserEditForm):
    class Meta(UserEditForm.Meta):
        fields = UserEditForm.Meta.fields | {"display_name"}


class UserViewSet(WagtailUserViewSet):
    create_template_name = "accounts/wagtail_users/create.html"
    edit_template_name = "accounts/wagtail_users/edit.html"

    def get_form_class(self, for_update=False):
        return SymbioUserEditForm if for_update else SymbioUserCreationForm
