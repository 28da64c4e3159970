"""One way in: Wagtail's login, logout and password-reset screens hand over to allauth's, so every
login gets allauth's rate limits, email verification and two-factor step (config/urls.py mounts
these before Wagtail's admin URLs; ``WAGTAILADMIN_LOGIN_URL`` points Wagtail's redirects at allauth)."""

from urllib.parse import urlencode

from allauth.account.views import logout as allauth_logout
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods


def _with_next(request, url: str) -> HttpResponseRedirect:
    next_url = request.GET.get("next", "")
    if next_url and url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        url = f"{url}?{urlencode({'next': next_url})}"
    return HttpResponseRedirect(url)


def admin_login(request):
    """``/admin/login/``: never checks a password itself; allauth's login does."""
    return _with_next(request, reverse("account_login"))


def admin_password_reset(request, rest=""):
    return HttpResponseRedirect(reverse("account_reset_password"))


@require_http_methods(["GET", "POST"])
def admin_logout(request):
    """``/admin/logout/``: POST ends the server session (allauth's logout); GET changes nothing and
    shows allauth's logout confirmation (Wagtail's GET deleted the cookie but kept the session)."""
    if request.method == "POST":
        return allauth_logout(request)
    return HttpResponseRedirect(reverse("account_logout"))
