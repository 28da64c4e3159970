"""The partner console's incentives section: allocation and balance per pool (with the
ledger), star rating, fund requests and claims with their deadlines. Everything is scoped to
the active partner; another partner's request is a 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.exceptions import ApplicationError
from incentives import selectors
from incentives.forms import ClaimForm, FundRequestForm
from incentives.models import IncentivePool, RequestState
from incentives.services import attribution, funds, stars
from partners.selectors.access import get_partner_for_request_or_404

app_name = "incentives"


def _apply_errors(form, error):
    if isinstance(error, ValidationError):
        for field, messages_ in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages_)
    else:
        form.add_error(error.field if error.field in form.fields else None, error.message)


def _with_attribution(requests) -> list:
    """Requests with ``attributed`` (pipeline and revenue their activity brought, CNY)."""
    requests = list(requests)
    totals = attribution.totals_by_request(requests)
    leads = attribution.leads_in_window(requests)
    for r in requests:
        r.attributed = totals.get(r.pk)
        r.leads = leads.get(r.pk)
    return requests


@login_required
def console(request):
    partner = get_partner_for_request_or_404(request)
    rating = stars.latest_rating(partner)
    return render(
        request,
        "incentives/console/overview.html",
        {
            "partner": partner,
            "pools": selectors.partner_pools(partner),
            "requests": _with_attribution(selectors.partner_requests(partner)),
            "rating": rating,
            "rating_rows": stars.describe(rating) if rating else [],
            "can_request": selectors.open_pools_for(partner).exists(),
        },
    )


@login_required
def request_new(request):
    partner = get_partner_for_request_or_404(request)
    pools = selectors.open_pools_for(partner)
    form = FundRequestForm(request.POST or None, pools=pools)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                fund_request = funds.create_request(partner=partner, user=request.user, **data)
                if "submit" in request.POST:
                    try:
                        funds.submit_request(request=fund_request, user=request.user)
                        messages.success(request, _("Your request was submitted for pre-approval."))
                    except ApplicationError as error:
                        messages.error(request, error.message)
                else:
                    messages.success(request, _("Your request was saved as a draft."))
                return redirect("incentives:request", public_id=fund_request.public_id)
            except (ValidationError, ApplicationError) as error:
                _apply_errors(form, error)
    return render(
        request, "incentives/console/request_form.html", {"partner": partner, "form": form}, status=status
    )


@login_required
def request_edit(request, public_id):
    """The partner changes its draft (any other state: back to the request with the refusal)."""
    partner = get_partner_for_request_or_404(request)
    fund_request = selectors.get_request_for_partner(partner, public_id)
    if fund_request.state != RequestState.DRAFT:
        messages.error(request, _("Only a draft can be changed."))
        return redirect("incentives:request", public_id=public_id)
    pools = selectors.open_pools_for(partner) | IncentivePool.objects.filter(pk=fund_request.pool_id)
    initial = {name: getattr(fund_request, name) for name in funds.EDITABLE_FIELDS}
    form = FundRequestForm(request.POST or None, pools=pools.distinct(), initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                fund_request = funds.update_request(
                    request=fund_request, user=request.user, **form.cleaned_data
                )
                if "submit" in request.POST:
                    try:
                        funds.submit_request(request=fund_request, user=request.user)
                        messages.success(request, _("Your request was submitted for pre-approval."))
                    except ApplicationError as error:
                        messages.error(request, error.message)
                else:
                    messages.success(request, _("Your draft was saved."))
                return redirect("incentives:request", public_id=public_id)
            except (ValidationError, ApplicationError) as error:
                _apply_errors(form, error)
    context = {"partner": partner, "form": form, "req": fund_request}
    return render(request, "incentives/console/request_form.html", context, status=status)


@login_required
def request_detail(request, public_id, claim_form=None):
    partner = get_partner_for_request_or_404(request)
    fund_request = selectors.get_request_for_partner(partner, public_id)
    if claim_form is None and fund_request.state == RequestState.PRE_APPROVED:
        claim_form = ClaimForm(initial={"amount": fund_request.approved_amount})
    return render(
        request,
        "incentives/console/request_detail.html",
        {
            "partner": partner,
            "req": fund_request,
            "events": fund_request.events.select_related("actor"),
            "documents": fund_request.documents.all(),
            "claim_form": claim_form,
            "funded": fund_request.state in attribution.FUNDED_STATES,
            "leads": attribution.leads_in_window([fund_request]).get(fund_request.pk),
            "attributed": attribution.totals_by_request([fund_request]).get(
                fund_request.pk, {"pipeline": 0, "revenue": 0, "count": 0}
            ),
        },
        status=400 if claim_form is not None and claim_form.is_bound else 200,
    )


@require_POST
@login_required
def request_submit(request, public_id):
    partner = get_partner_for_request_or_404(request)
    fund_request = selectors.get_request_for_partner(partner, public_id)
    try:
        funds.submit_request(request=fund_request, user=request.user)
        messages.success(request, _("Your request was submitted for pre-approval."))
    except ApplicationError as error:
        messages.error(request, error.message)
    return redirect("incentives:request", public_id=public_id)


@require_POST
@login_required
def claim_submit(request, public_id):
    partner = get_partner_for_request_or_404(request)
    fund_request = selectors.get_request_for_partner(partner, public_id)
    form = ClaimForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            funds.submit_claim(
                request=fund_request,
                user=request.user,
                amount=data["amount"],
                summary=data["summary"],
                invoices=[
                    {
                        "file": data["invoice_file"],
                        "code": data["invoice_code"],
                        "number": data["invoice_number"],
                    }
                ],
                photos=data["photos"] or [],
                attendee_lists=data["attendee_lists"] or [],
            )
            messages.success(request, _("Your claim was submitted for review."))
            return redirect("incentives:request", public_id=public_id)
        except (ValidationError, ApplicationError) as error:
            _apply_errors(form, error)
    return request_detail(request, public_id, claim_form=form)


CLAIMED_STATES = (
    RequestState.CLAIM_SUBMITTED,
    RequestState.CLAIM_APPROVED,
    RequestState.CLAIM_REJECTED,
    RequestState.PAID,
)


@login_required
def claim_statement_pdf(request, public_id):
    """A claim's statement as PDF (amounts, proof, ledger entries, history), in the active language."""
    from themes.pdf import render_pdf

    partner = get_partner_for_request_or_404(request)
    fund_request = selectors.get_request_for_partner(partner, public_id)
    if fund_request.state not in CLAIMED_STATES:
        raise Http404
    pdf = render_pdf(
        "incentives/claim_statement_pdf.html",
        {
            "req": fund_request,
            "documents": fund_request.documents.all(),
            "entries": fund_request.entries.order_by("created_at", "pk"),
            "events": fund_request.events.all(),
        },
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="claim-{fund_request.public_id}.pdf"'
    return response


urlpatterns = [
    path("console/", console, name="console"),
    path("console/requests/new/", request_new, name="request-new"),
    path("console/requests/<uuid:public_id>/", request_detail, name="request"),
    path("console/requests/<uuid:public_id>/edit/", request_edit, name="request-edit"),
    path("console/requests/<uuid:public_id>/submit/", request_submit, name="request-submit"),
    path("console/requests/<uuid:public_id>/claim/", claim_submit, name="claim-submit"),
    path("console/requests/<uuid:public_id>/statement.pdf", claim_statement_pdf, name="claim-statement"),
]
