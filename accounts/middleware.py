import re

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts import selectors


class ActiveOrganisationMiddleware:
    """Sets ``request.membership`` / ``request.organisation`` from the session, lazily."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.membership = SimpleLazyObject(lambda: selectors.active_membership(request))
        request.organisation = SimpleLazyObject(
            lambda: request.membership.organisation if request.membership else None
        )
        return self.get_response(request)


MFA_REQUIRED_MESSAGE = gettext_noop(
    "Your role requires two-factor authentication. Set up an authenticator app to continue."
)


class RequireMFAMiddleware:
    """Staff and partner owners/admins without an authenticator are sent to allauth's TOTP
    enrolment before any page under :data:`PROTECTED_PREFIXES` (see :mod:`accounts.mfa`)."""

    PROTECTED_PREFIXES = (
        "/admin/",
        "/partners/console/",
        "/partners/api/",  # API keys and webhook endpoints
        "/billing/partner/",
        "/incentives/console/",
        "/demand/console/",  # leads, the requirements hall, milestone payment requests
    )

    def __init__(self, get_response):
        self.get_response = get_response
        codes = "|".join(re.escape(code) for code, _name in settings.LANGUAGES)
        self.language_prefix = re.compile(rf"^/({codes})(?=/)")

    def __call__(self, request):
        path = self.language_prefix.sub("", request.path_info)
        if path.startswith(self.PROTECTED_PREFIXES) and request.user.is_authenticated:
            from accounts import mfa

            if mfa.must_enrol(request.user):
                messages.warning(request, _(MFA_REQUIRED_MESSAGE))
                return redirect_to_login(request.get_full_path(), login_url=reverse("mfa_activate_totp"))
        return self.get_response(request)
