"""Partner-facing money pages (mounted at ``/billing/partner/``; linked from the partner console).

Everything is scoped to the **active organisation's** partner, like the console: a user whose
active organisation is not a partner gets 404, and another partner's delivery or statement is
404 because lookups are made within the active partner. Changing the fulfilment URL, seeing or
rotating the secret and re-sending a delivery need the owner or admin role (403 for members).
"""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from billing import exports as ledger_exports
from billing.models import LedgerEntry, LedgerKind, PayoutStatement
from billing.services import fulfilment as fulfilment_service
from billing.services import ledger as ledger_service
from billing.services import payouts as payout_service
from core.admin_views import paginate
from core.exceptions import ApplicationError
from core.money import Currency, Money
from partners.models import Delivery
from partners.selectors.programme import partner_for_member

app_name = "billing_partner"

PER_PAGE = 25


def _partner(request, *, manage: bool = False):
    membership = getattr(request, "membership", None)
    partner = partner_for_member(membership=membership) if membership else None
    if partner is None:
        raise Http404
    if manage and not membership.can_manage:
        raise PermissionDenied
    return membership, partner


class EndpointForm(forms.Form):
    url = forms.URLField(
        label=gettext_lazy("Fulfilment URL"),
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text=gettext_lazy("Leave empty to stop notifications. We POST signed JSON here."),
    )
    active = forms.BooleanField(label=gettext_lazy("Send notifications"), required=False, initial=True)

    def clean_url(self):
        url = self.cleaned_data["url"]
        if url and (problem := fulfilment_service.url_problem(url)):
            raise forms.ValidationError(problem)
        return url


@login_required
@require_GET
def overview(request):
    membership, partner = _partner(request)
    balances = [
        Money(ledger_service.balance(partner, cur), cur)
        for cur in Currency.values
        if LedgerEntry.objects.filter(partner=partner, currency=cur).exists()
    ]
    return render(
        request,
        "billing/partner/overview.html",
        {
            "partner": partner,
            "membership": membership,
            "balances": balances,
            "chart": ledger_service.monthly_chart(partner),
            "entries": LedgerEntry.objects.filter(partner=partner).select_related("invoice")[:10],
            "statements": PayoutStatement.objects.filter(partner=partner)[:6],
            "deliveries": fulfilment_service.deliveries(partner)[:5],
            "endpoint": fulfilment_service.endpoint_for(partner) if membership.can_manage else None,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def fulfilment_settings(request):
    membership, partner = _partner(request)
    endpoint = fulfilment_service.endpoint_for(partner)
    form = EndpointForm(initial={"url": endpoint.url, "active": endpoint.active})
    status = 200
    if request.method == "POST":
        if not membership.can_manage:
            raise PermissionDenied
        form = EndpointForm(request.POST)
        if form.is_valid():
            try:
                fulfilment_service.update_endpoint(
                    partner, url=form.cleaned_data["url"], active=form.cleaned_data["active"]
                )
            except ApplicationError as error:
                form.add_error("url", error.message)
            else:
                messages.success(request, _("Fulfilment settings saved."))
                return redirect("billing_partner:fulfilment")
        status = 400
    return render(
        request,
        "billing/partner/fulfilment.html",
        {
            "partner": partner,
            "endpoint": endpoint,
            "form": form,
            "can_manage": membership.can_manage,
            "revealed_secret": None,
        },
        status=status,
    )


@login_required
@require_POST
def reveal_secret(request):
    """The full secret, shown once per request (POST, so it never lands in logs or history)."""
    _membership, partner = _partner(request, manage=True)
    endpoint = fulfilment_service.endpoint_for(partner)
    return render(
        request,
        "billing/partner/fulfilment.html",
        {
            "partner": partner,
            "endpoint": endpoint,
            "form": EndpointForm(initial={"url": endpoint.url, "active": endpoint.active}),
            "can_manage": True,
            "revealed_secret": endpoint.secret,
            "revealed_webhook_secret": endpoint.webhook_endpoint.secret if endpoint.webhook_endpoint else "",
        },
    )


@login_required
@require_POST
def rotate_secret(request):
    _membership, partner = _partner(request, manage=True)
    fulfilment_service.rotate_secret(partner)
    messages.success(request, _("A new signing secret is in use. Update your receiver."))
    return redirect("billing_partner:fulfilment")


@login_required
@require_GET
def deliveries(request):
    """The webhook delivery log of the entitlement events (the fulfilment notifications)."""
    membership, partner = _partner(request)
    qs = fulfilment_service.deliveries(partner)
    status = request.GET.get("status") or ""
    if status in Delivery.Status.values:
        qs = qs.filter(status=status)
    return render(
        request,
        "billing/partner/deliveries.html",
        {
            "partner": partner,
            "page_obj": paginate(request, qs, per_page=PER_PAGE),
            "status": status,
            "statuses": Delivery.Status.choices,
            "can_manage": membership.can_manage,
        },
    )


def _delivery(partner, public_id) -> Delivery:
    return get_object_or_404(fulfilment_service.deliveries(partner), public_id=public_id)


@login_required
@require_GET
def delivery_detail(request, public_id):
    membership, partner = _partner(request)
    delivery = _delivery(partner, public_id)
    return render(
        request,
        "billing/partner/delivery_detail.html",
        {"partner": partner, "delivery": delivery, "can_manage": membership.can_manage},
    )


@login_required
@require_POST
def delivery_resend(request, public_id):
    _membership, partner = _partner(request)
    delivery = _delivery(partner, public_id)
    _partner(request, manage=True)
    try:
        fulfilment_service.resend(delivery)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Notification queued for re-sending."))
    return redirect("billing_partner:delivery", public_id=delivery.public_id)


@login_required
@require_GET
def ledger(request):
    _membership, partner = _partner(request)
    qs, month = _own_ledger(request, partner)
    kind = request.GET.get("kind") or ""
    currency = request.GET.get("currency") or ""
    month_text = f"{month:%Y-%m}" if month else ""
    return render(
        request,
        "billing/partner/ledger.html",
        {
            "partner": partner,
            "page_obj": paginate(request, qs, per_page=50),
            "kind": kind,
            "currency": currency,
            "kinds": LedgerKind.choices,
            "currencies": Currency.choices,
            "month": month_text,
            "query_string": urlencode({"kind": kind, "currency": currency, "month": month_text}),
        },
    )


def _own_ledger(request, partner):
    """The active partner's entries, filtered by kind, currency and month (``YYYY-MM``)."""
    qs = LedgerEntry.objects.filter(partner=partner).select_related("invoice")
    kind = request.GET.get("kind") or ""
    currency = request.GET.get("currency") or ""
    month = ledger_exports.parse_month(request.GET.get("month"))
    if kind in LedgerKind.values:
        qs = qs.filter(kind=kind)
    if currency in Currency.values:
        qs = qs.filter(currency=currency)
    return ledger_exports.filter_month(qs, month), month


@login_required
@require_GET
def ledger_export(request):
    """The partner's own ledger entries as CSV or XLSX; only ever the active partner's."""
    _membership, partner = _partner(request)
    qs, month = _own_ledger(request, partner)
    name = (
        f"ledger-{partner.organisation.slug}-{month:%Y-%m}"
        if month
        else f"ledger-{partner.organisation.slug}"
    )
    return ledger_exports.ledger_export(
        qs, fmt=request.GET.get("format", "csv"), filename=name, with_partner=False
    )


@login_required
@require_GET
def statements(request):
    _membership, partner = _partner(request)
    return render(
        request,
        "billing/partner/statements.html",
        {
            "partner": partner,
            "page_obj": paginate(request, PayoutStatement.objects.filter(partner=partner), per_page=PER_PAGE),
        },
    )


@login_required
@require_GET
def statement_pdf(request, public_id):
    _membership, partner = _partner(request)
    statement = get_object_or_404(
        PayoutStatement.objects.select_related("partner__organisation"), public_id=public_id, partner=partner
    )
    return statement_pdf_response(statement, request.GET.get("lang") or get_language())


def statement_pdf_response(statement, language: str) -> FileResponse:
    """The stored PDF in ``language`` (rendered and stored first if missing)."""
    lang = "en" if (language or "").startswith("en") else "zh-hans"
    payout_service.ensure_pdf(statement, lang)
    statement.refresh_from_db(fields=["pdf", "pdf_en"])
    file = statement.pdf_en if lang == "en" else statement.pdf
    return FileResponse(
        file.open("rb"),
        as_attachment=True,
        filename=f"{statement.number}-{lang}.pdf",
        content_type="application/pdf",
    )


urlpatterns = [
    path("", overview, name="overview"),
    path("fulfilment/", fulfilment_settings, name="fulfilment"),
    path("fulfilment/secret/", reveal_secret, name="fulfilment-secret"),
    path("fulfilment/rotate/", rotate_secret, name="fulfilment-rotate"),
    path("deliveries/", deliveries, name="deliveries"),
    path("deliveries/<uuid:public_id>/", delivery_detail, name="delivery"),
    path("deliveries/<uuid:public_id>/resend/", delivery_resend, name="delivery-resend"),
    path("ledger/", ledger, name="ledger"),
    path("ledger/export/", ledger_export, name="ledger-export"),
    path("statements/", statements, name="statements"),
    path("statements/<uuid:public_id>/pdf/", statement_pdf, name="statement-pdf"),
]
