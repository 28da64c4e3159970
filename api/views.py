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
from api.forms import ApiKeyForm, WebhookEndpointForm
from api.models import API_VERSIONS, ApiKey, Scope
from core.exceptions import ApplicationError
from partners.models import Delivery, WebhookEndpoint
from partners.selectors.programme import partner_for_member
from partners.services import webhooks
from partners.services.events import EVENT_TYPES


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
    token = client = None
    form = ApiKeyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        expires_at = None
        if data["expires_on"]:
            expires_at = timezone.make_aware(datetime.combine(data["expires_on"], time.max))
        fields = {
            "partner": partner,
            "user": request.user,
            "name": data["name"],
            "scopes": data["scopes"],
            "expires_at": expires_at,
            "allowed_ips": data["allowed_ips"].splitlines(),
        }
        try:
            if data.get("oauth_client"):
                _key, client_id, client_secret = services.create_oauth_client(**fields)
                client = {"id": client_id, "secret": client_secret}
            else:
                _key, token = services.create_key(**fields)
        except ApplicationError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, _("Created. Copy the secret now: it will not be shown again."))
            form = ApiKeyForm()
    status = 400 if request.method == "POST" and token is None and client is None else 200
    return _page(request, partner, membership, form=form, token=token, client=client, status=status)


def _page(
    request,
    partner,
    membership,
    *,
    form=None,
    token=None,
    client=None,
    endpoint_form=None,
    secret=None,
    status=200,
):
    endpoints = list(WebhookEndpoint.objects.filter(partner=partner))
    recent = Delivery.objects.filter(endpoint__partner=partner).select_related("event", "endpoint")[:20]
    return render(
        request,
        "api/keys.html",
        {
            "partner": partner,
            "membership": membership,
            "form": form or ApiKeyForm(),
            "token": token,
            "client": client,
            "keys": ApiKey.objects.filter(partner=partner).select_related("created_by", "oauth_application"),
            "scope_labels": dict(Scope.choices),
            "endpoints": endpoints,
            "endpoint_form": endpoint_form or WebhookEndpointForm(event_types=EVENT_TYPES),
            "secret": secret,
            "deliveries": recent,
        },
        status=status,
    )


@login_required
@require_POST
def add_endpoint(request):
    membership, partner = _partner(request, manage=True)
    form = WebhookEndpointForm(request.POST, event_types=EVENT_TYPES)
    if form.is_valid():
        try:
            endpoint = webhooks.create_endpoint(
                partner=partner, url=form.cleaned_data["url"], event_types=form.cleaned_data["event_types"]
            )
        except ApplicationError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, _("Webhook endpoint added. Copy its signing secret now."))
            return _page(request, partner, membership, secret=endpoint.secret)
    return _page(request, partner, membership, endpoint_form=form, status=400)


def _endpoint(request, public_id):
    _membership, partner = _partner(request, manage=True)
    return get_object_or_404(WebhookEndpoint, public_id=public_id, partner=partner)


@login_required
@require_POST
def endpoint_action(request, public_id, action):
    endpoint = _endpoint(request, public_id)
    if action == "test":
        try:
            webhooks.send_test_event(endpoint=endpoint)
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Test event queued."))
    elif action == "enable":
        webhooks.update_endpoint(endpoint=endpoint, enabled=True)
        messages.success(request, _("Endpoint enabled."))
    elif action == "disable":
        webhooks.update_endpoint(endpoint=endpoint, enabled=False)
        messages.success(request, _("Endpoint disabled."))
    elif action == "delete":
        endpoint.delete()
        messages.success(request, _("Endpoint removed."))
    else:
        raise Http404
    return redirect("api_console:keys")


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
        {
            "scopes": Scope.choices,
            "versions": API_VERSIONS,
            "event_types": sorted(EVENT_TYPES.items()),
            "site_url": request.build_absolute_uri("/")[:-1],
        },
    )


@login_required
@require_POST
def resend_delivery(request, public_id):
    _membership, partner = _partner(request, manage=True)
    delivery = get_object_or_404(
        Delivery.objects.select_related("endpoint"), public_id=public_id, endpoint__partner=partner
    )
    try:
        webhooks.resend(delivery=delivery)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Delivery queued again."))
    return redirect("api_console:keys")
