"""The partner console's API section: API keys (owners and admins create, list and revoke;
the token is shown once) and the bilingual docs page. Another partner's key is a 404."""

from datetime import datetime, time

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from api import services
from api.forms import ApiKeyForm
from api.models import API_VERSIONS, ApiKey, Scope
from core.exceptions import ApplicationError
from partners.selectors.programme import partner_for_member


def _partner(request, *, manage: bool = False):
    membership = getattr(request, "membership", None)
    partner = partner_for_member(membership=membership) if membership else None
    if partner is None:
        raise Http404
    if manage and not membership.can_manage:
        raise PermissionDenied
    return membership, partner


@login_required
@require_http_methods(["GET", "POST"])
def keys(request):
    membership, partner = _partner(request, manage=True)
    token = None
    form = ApiKeyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        expires_at = None
        if data["expires_on"]:
            expires_at = timezone.make_aware(datetime.combine(data["expires_on"], time.max))
        try:
            key, token = services.create_key(
                partner=partner,
                user=request.user,
                name=data["name"],
                scopes=data["scopes"],
                expires_at=expires_at,
                allowed_ips=data["allowed_ips"].splitlines(),
            )
        except ApplicationError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, _("API key created. Copy it now: it will not be shown again."))
            form = ApiKeyForm()
    status = 400 if request.method == "POST" and token is None else 200
    return render(
        request,
        "api/keys.html",
        {
            "partner": partner,
            "membership": membership,
            "form": form,
            "token": token,
            "keys": ApiKey.objects.filter(partner=partner).select_related("created_by"),
            "scope_labels": dict(Scope.choices),
        },
        status=status,
    )


@login_required
@require_POST
def revoke(request, public_id):
    _membership, partner = _partner(request, manage=True)
    key = get_object_or_404(ApiKey, public_id=public_id, partner=partner)
    services.revoke_key(key=key)
    messages.success(request, _("The key %(name)s was revoked.") % {"name": key.name})
    return redirect("api_console:keys")


@require_GET
def docs(request):
    return render(
        request,
        "api/docs.html",
        {"scopes": Scope.choices, "versions": API_VERSIONS, "site_url": request.build_absolute_uri("/")[:-1]},
    )
