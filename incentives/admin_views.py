"""Wagtail admin views of the incentives app: pools (define, preview, publish, expire), the
request and claim queue with the fraud flags, finance payment, and the dashboard.

Permissions: ``incentives.manage_pools`` and ``incentives.review_requests`` (programme
managers), ``incentives.pay_claims`` (finance). Services enforce separation of duties.
"""

from functools import wraps

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.exceptions import ApplicationError
from incentives import conf, selectors
from incentives.forms import DecisionForm, OutcomeImportForm, PoolForm
from incentives.models import (
    ClaimDocument,
    FraudFlag,
    FundRequest,
    IncentivePool,
    PaymentMethod,
    RequestState,
)
from incentives.services import allocation, attribution, fraud, funds, ledger, outcomes_import

MANAGE = "incentives.manage_pools"
REVIEW = "incentives.review_requests"
PAY = "incentives.pay_claims"


def can_view(user) -> bool:
    return any(user.has_perm(p) for p in (MANAGE, REVIEW, PAY))


def require(*perms):
    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not any(request.user.has_perm(p) for p in perms):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def _refusal(request, error):
    if isinstance(error, ValidationError):
        messages.error(request, " ".join(error.messages))
    else:
        messages.error(request, error.message)


# --- pools -----------------------------------------------------------------------------------------
@require(MANAGE, REVIEW, PAY)
def pool_index(request):
    pools = [selectors.pool_utilisation(pool) for pool in IncentivePool.objects.all()]
    return render(
        request,
        "wagtailadmin/incentives/pool_index.html",
        {"pools": pools, "can_manage": request.user.has_perm(MANAGE)},
    )


@require(MANAGE)
def pool_create(request):
    form = PoolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        pool = allocation.create_pool(user=request.user, **form.cleaned_data)
        messages.success(request, _("Pool created. Preview its allocation before publishing it."))
        return redirect("incentives_admin:pool", pk=pool.pk)
    return render(
        request,
        "wagtailadmin/incentives/pool_form.html",
        {"form": form},
        status=400 if form.is_bound else 200,
    )


@require(MANAGE, REVIEW, PAY)
def pool_detail(request, pk):
    pool = get_object_or_404(IncentivePool, pk=pk)
    allocations = pool.allocations.select_related("partner__organisation", "partner__tier")
    return render(
        request,
        "wagtailadmin/incentives/pool_detail.html",
        {
            "pool": pool,
            "allocations": allocations,
            "total": sum(a.amount for a in allocations),
            "utilisation": selectors.pool_utilisation(pool),
            "can_manage": request.user.has_perm(MANAGE),
        },
    )


@require_POST
@require(MANAGE)
def pool_action(request, pk, action):
    pool = get_object_or_404(IncentivePool, pk=pk)
    try:
        if action == "preview":
            rows = allocation.preview_allocation(pool=pool, user=request.user)
            messages.success(request, _("Allocation previewed over %(n)s partners.") % {"n": len(rows)})
        elif action == "publish":
            allocation.publish_pool(pool=pool, user=request.user)
            messages.success(request, _("Pool published: allocations posted to the ledger."))
        elif action == "expire":
            n = ledger.expire_pool(pool=pool, user=request.user)
            messages.success(request, _("%(n)s unused allocations expired.") % {"n": n})
    except ApplicationError as error:
        _refusal(request, error)
    return redirect("incentives_admin:pool", pk=pk)


# --- requests and claims ---------------------------------------------------------------------------
@require(MANAGE, REVIEW, PAY)
def queue(request):
    state = request.GET.get("state") or ""
    if state not in RequestState.values:
        state = ""
    page = Paginator(selectors.queue(state or None), 50).get_page(request.GET.get("p"))
    return render(
        request,
        "wagtailadmin/incentives/queue.html",
        {
            "page_obj": page,
            "rows": selectors.with_service_target(page.object_list),
            "target": conf.get("REVIEW_TARGET_DAYS"),
            "waiting_states": selectors.OPEN_STATES,
            "state": state,
            "states": RequestState.choices,
            "counts": selectors.requests_by_state(),
        },
    )


@require(MANAGE, REVIEW, PAY)
def request_detail(request, public_id):
    fund_request = get_object_or_404(
        FundRequest.objects.select_related("partner__organisation", "pool", "requested_by"),
        public_id=public_id,
    )
    flags = [
        {"flag": flag, "text": fraud.explain(flag)}
        for flag in fund_request.flags.select_related("resolved_by", "other_request")
    ]
    user = request.user
    return render(
        request,
        "wagtailadmin/incentives/request_detail.html",
        {
            "req": fund_request,
            "flags": flags,
            "documents": fund_request.documents.all(),
            "events": fund_request.events.select_related("actor"),
            "balance": ledger.balance(partner=fund_request.partner, pool=fund_request.pool),
            "form": DecisionForm(initial={"amount": fund_request.budget}),
            "can_review": user.has_perm(REVIEW),
            "can_pay": user.has_perm(PAY),
            "sanction": funds.active_sanction(fund_request.partner),
        },
    )


ACTIONS = {
    "pre_approve": (
        REVIEW,
        lambda r, u, d: funds.pre_approve(request=r, user=u, amount=d["amount"], note=d["note"]),
    ),
    "reject": (REVIEW, lambda r, u, d: funds.reject_request(request=r, user=u, note=d["note"])),
    "approve_claim": (REVIEW, lambda r, u, d: funds.approve_claim(request=r, user=u, note=d["note"])),
    "reject_claim": (REVIEW, lambda r, u, d: funds.reject_claim(request=r, user=u, note=d["note"])),
    "pay": (
        PAY,
        lambda r, u, d: funds.pay_claim(
            request=r, user=u, method=d["method"] or PaymentMethod.STATEMENT_CREDIT
        ),
    ),
    "sanction": (REVIEW, lambda r, u, d: funds.impose_sanction(partner=r.partner, user=u, reason=d["note"])),
    "lift_sanction": (REVIEW, lambda r, u, d: funds.lift_sanction(partner=r.partner, user=u)),
}


@require_POST
@require(MANAGE, REVIEW, PAY)
def request_action(request, public_id, action):
    fund_request = get_object_or_404(FundRequest, public_id=public_id)
    if action not in ACTIONS:
        raise PermissionDenied
    perm, call = ACTIONS[action]
    if not request.user.has_perm(perm):
        raise PermissionDenied
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Check the amount and the note."))
    else:
        try:
            call(
                fund_request,
                request.user,
                {
                    "amount": form.cleaned_data["amount"],
                    "note": form.cleaned_data["note"],
                    "method": form.cleaned_data["method"],
                },
            )
            messages.success(request, _("Done."))
        except (ApplicationError, ValidationError) as error:
            _refusal(request, error)
    return redirect("incentives_admin:request", public_id=public_id)


@require_POST
@require(REVIEW)
def flag_resolve(request, pk):
    flag = get_object_or_404(FraudFlag.objects.select_related("request"), pk=pk)
    try:
        funds.resolve_flag(flag=flag, user=request.user, note=request.POST.get("note", ""))
        messages.success(request, _("Flag resolved."))
    except ApplicationError as error:
        _refusal(request, error)
    return redirect("incentives_admin:request", public_id=flag.request.public_id)


@require(MANAGE, REVIEW, PAY)
def document_download(request, pk):
    document = get_object_or_404(ClaimDocument, pk=pk)
    response = FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=document.original_name,
        content_type=document.content_type,
    )
    response["Cache-Control"] = "private, no-store"
    return response


def _trend_charts() -> dict:
    """MDF received and utilisation over the last six complete months, and the partners by
    stars of the latest one (from the monthly facts), as chart specs for ``{% chart %}``."""
    from incentives.services.stars import _shift

    trend = selectors.facts_trend(until=_shift(timezone.localdate().replace(day=1), -1))
    return {
        "received_chart": {
            "type": "bar",
            "labels": trend["labels"],
            "series": [(_("MDF received (CNY)"), trend["received"])],
            "title": _("MDF received per month (CNY)"),
            "height": 200,
        },
        "utilisation_chart": {
            "type": "line",
            "labels": trend["labels"],
            "series": [(_("Mean MDF utilisation"), trend["utilisation"])],
            "title": _("Mean MDF utilisation per month"),
            "y_min": 0,
            "y_max": 100,
            "unit": "%",
            "height": 200,
        },
        "stars_chart": {
            "type": "bar",
            "labels": [f"{n}★" for n in range(1, 6)],
            "series": [(_("Partners"), trend["stars"])],
            "title": _("Partners by delivery stars, %(month)s") % {"month": trend["labels"][-1]},
            "height": 200,
            "show_values": True,
        },
    }


@require(MANAGE, REVIEW, PAY)
def dashboard(request):
    pools = [
        selectors.pool_utilisation(pool)
        for pool in IncentivePool.objects.exclude(status=IncentivePool.Status.DRAFT)
    ]
    return render(
        request,
        "wagtailadmin/incentives/dashboard.html",
        {
            "pools": pools,
            "counts": selectors.requests_by_state(),
            "open_flags": FraudFlag.objects.filter(resolved_at=None).count(),
            "attributed": attribution.dashboard(),
            **_trend_charts(),
        },
    )


@require("incentives.add_deliveryoutcome")
def outcomes_import_view(request):
    """Upload a CSV of delivery outcomes (partner slug, month, counts); all rows or none."""
    form = OutcomeImportForm(request.POST or None, request.FILES or None)
    result, status = None, 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                result = outcomes_import.import_outcomes(form.cleaned_data["file"])
            except ValidationError as error:
                form.add_error("file", error)
            else:
                if not result.errors:
                    messages.success(
                        request,
                        _("Imported %(rows)s rows (%(outcomes)s delivery outcomes).")
                        % {"rows": len(result.rows), "outcomes": result.written},
                    )
                    return redirect("incentives_admin:outcomes-import")
    return render(
        request,
        "wagtailadmin/incentives/outcomes_import.html",
        {
            "form": form,
            "result": result,
            "columns": outcomes_import.COLUMNS,
            "max_rows": outcomes_import.MAX_ROWS,
        },
        status=status,
    )


urlpatterns = [
    path("outcomes/import/", outcomes_import_view, name="outcomes-import"),
    path("", dashboard, name="dashboard"),
    path("pools/", pool_index, name="pools"),
    path("pools/new/", pool_create, name="pool-new"),
    path("pools/<int:pk>/", pool_detail, name="pool"),
    path("pools/<int:pk>/<str:action>/", pool_action, name="pool-action"),
    path("requests/", queue, name="queue"),
    path("requests/<uuid:public_id>/", request_detail, name="request"),
    path("requests/<uuid:public_id>/<str:action>/", request_action, name="request-action"),
    path("flags/<int:pk>/resolve/", flag_resolve, name="flag-resolve"),
    path("documents/<int:pk>/", document_download, name="document"),
]
