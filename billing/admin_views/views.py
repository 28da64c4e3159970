"""Finance screens in the Wagtail admin: ledger, partner balances, reconciliation, payout
statements (PDF download, "pay out" through Stripe Connect, monthly generation).

Each view checks a ``billing.*`` permission (the Finance group holds them all) and raises
``PermissionDenied``, which Wagtail turns into a redirect to the dashboard with a message.
"""

from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST
from wagtail.admin.viewsets.base import ViewSet

from billing import exports as ledger_exports
from billing.models import ConnectAccount, LedgerEntry, LedgerKind, PayoutStatement, StatementRun
from billing.partner_views import statement_pdf_response
from billing.services import payouts as payout_service
from core.admin_views import paginate, permission_menu_item, require_perm
from core.money import Currency, Money

VIEW_LEDGER = "billing.view_ledgerentry"
VIEW_STATEMENTS = "billing.view_payoutstatement"
PAY_OUT = "billing.add_payout"
GENERATE = "billing.add_payoutstatement"


def _partner_filter(qs, query: str, prefix: str = "partner__organisation__"):
    if not query:
        return qs
    return qs.filter(Q(**{f"{prefix}name__icontains": query}) | Q(**{f"{prefix}name_en__icontains": query}))


def _ledger_filtered(request):
    """The ledger queryset and filter values from the query string (shared by the list and its export)."""
    qs = LedgerEntry.objects.select_related("partner__organisation", "invoice", "payout")
    kind = request.GET.get("kind") or ""
    currency = request.GET.get("currency") or ""
    query = (request.GET.get("q") or "").strip()
    start = parse_date(request.GET.get("from") or "") if request.GET.get("from") else None
    end = parse_date(request.GET.get("to") or "") if request.GET.get("to") else None
    month = ledger_exports.parse_month(request.GET.get("month"))
    if kind in LedgerKind.values:
        qs = qs.filter(kind=kind)
    if currency in Currency.values:
        qs = qs.filter(currency=currency)
    if start:
        qs = qs.filter(occurred_at__date__gte=start)
    if end:
        qs = qs.filter(occurred_at__date__lte=end)
    qs = ledger_exports.filter_month(_partner_filter(qs, query), month)
    params = {"kind": kind, "currency": currency, "q": query, "from": start or "", "to": end or ""}
    params["month"] = f"{month:%Y-%m}" if month else ""
    return qs, params


@require_perm(VIEW_LEDGER)
def ledger_export(request):
    qs, params = _ledger_filtered(request)
    name = "-".join(["ledger", params["month"] or "all"])
    return ledger_exports.ledger_export(
        qs, fmt=request.GET.get("format", "csv"), filename=name, with_partner=True
    )


@require_perm(VIEW_LEDGER)
def ledger(request):
    qs, params = _ledger_filtered(request)
    kind, currency, query = params["kind"], params["currency"], params["q"]
    start, end = params["from"] or None, params["to"] or None
    query_string = urlencode(params)
    return render(
        request,
        "wagtailadmin/billing/ledger.html",
        {
            "page_obj": paginate(request, qs),
            "kind": kind,
            "currency": currency,
            "query": query,
            "start": start,
            "end": end,
            "kinds": LedgerKind.choices,
            "currencies": Currency.choices,
            "query_string": query_string,
            "month": params["month"],
        },
    )


@require_perm(VIEW_LEDGER)
def balances(request):
    currency = request.GET.get("currency") or ""
    query = (request.GET.get("q") or "").strip()
    rows = payout_service.balances(currency=currency if currency in Currency.values else None)
    rows = _partner_filter(rows, query)
    return render(
        request,
        "wagtailadmin/billing/balances.html",
        {
            "page_obj": paginate(request, rows),
            "currency": currency,
            "query": query,
            "currencies": Currency.choices,
            "query_string": f"currency={currency}&q={query}",
        },
    )


@require_perm(VIEW_LEDGER)
def reconciliation(request):
    results = payout_service.reconcile()
    return render(
        request,
        "wagtailadmin/billing/reconciliation.html",
        {"results": results, "all_ok": all(r.ok for r in results)},
    )


@require_perm(VIEW_STATEMENTS)
def statements(request):
    qs = PayoutStatement.objects.select_related("partner__organisation")
    status = request.GET.get("status") or ""
    month = request.GET.get("month") or ""
    query = (request.GET.get("q") or "").strip()
    if status in PayoutStatement.Status.values:
        qs = qs.filter(status=status)
    if month:
        parsed = parse_date(f"{month}-01")
        if parsed:
            qs = qs.filter(month=parsed)
    qs = _partner_filter(qs, query)
    return render(
        request,
        "wagtailadmin/billing/statements.html",
        {
            "page_obj": paginate(request, qs),
            "status": status,
            "month": month,
            "query": query,
            "statuses": PayoutStatement.Status.choices,
            "can_pay": request.user.has_perm(PAY_OUT),
            "can_generate": request.user.has_perm(GENERATE),
            "default_month": payout_service.month_start(date.today()).replace(day=1),
            "query_string": f"status={status}&month={month}&q={query}",
        },
    )


@require_perm(VIEW_STATEMENTS)
def statement_pdf(request, public_id):
    statement = get_object_or_404(
        PayoutStatement.objects.select_related("partner__organisation"), public_id=public_id
    )
    return statement_pdf_response(statement, request.GET.get("lang") or request.LANGUAGE_CODE)


@require_http_methods(["GET", "POST"])
@require_perm(PAY_OUT)
def pay_out(request, public_id):
    """GET: a confirmation page (amount, partner, Connect account); POST from it: the transfer."""
    statement = get_object_or_404(
        PayoutStatement.objects.select_related("partner__organisation"), public_id=public_id
    )
    if request.method == "GET":
        return render(
            request,
            "wagtailadmin/billing/pay_out_confirm.html",
            {
                "statement": statement,
                "account": ConnectAccount.objects.filter(partner=statement.partner).first(),
            },
        )
    try:
        payout = payout_service.pay_out_statement(statement, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("Paid out %(amount)s to %(partner)s (transfer %(transfer)s).")
            % {
                "amount": Money(payout.amount, payout.currency),  # "¥167,200.00", as on the statement
                "partner": statement.partner,
                "transfer": payout.stripe_transfer_id,
            },
        )
    return redirect("billing_finance:statements")


@require_POST
@require_perm(GENERATE)
def generate(request):
    month = parse_date(f"{request.POST.get('month', '')}-01")
    if month is None:
        messages.error(request, _("Choose a month as YYYY-MM."))
        return redirect("billing_finance:statements")
    run = payout_service.start_run(month=month, user=request.user)
    return redirect("billing_finance:run", public_id=run.public_id)


@require_perm(GENERATE)
def run_detail(request, public_id):
    run = get_object_or_404(StatementRun, public_id=public_id)
    template = "_run_progress.html" if request.headers.get("HX-Request") else "run.html"
    return render(request, f"wagtailadmin/billing/{template}", {"run": run})


def _menu_item(perm):
    return permission_menu_item("FinanceMenuItem", perm)


class LedgerViewSet(ViewSet):
    name = "billing_finance"
    icon = "list-ul"
    menu_label = gettext_lazy("Ledger")
    url_prefix = "finance"

    @property
    def menu_item_class(self):
        return _menu_item(VIEW_LEDGER)

    def get_urlpatterns(self):
        return [
            path("", ledger, name="ledger"),
            path("export/", ledger_export, name="ledger-export"),
            path("balances/", balances, name="balances"),
            path("reconciliation/", reconciliation, name="reconciliation"),
            path("statements/", statements, name="statements"),
            path("statements/generate/", generate, name="generate"),
            path("statements/runs/<uuid:public_id>/", run_detail, name="run"),
            path("statements/<uuid:public_id>/pdf/", statement_pdf, name="statement-pdf"),
            path("statements/<uuid:public_id>/pay-out/", pay_out, name="pay-out"),
        ]


class _LinkViewSet(ViewSet):
    """A menu entry pointing into the finance ViewSet's URLs (no URLs of its own)."""

    target = ""
    perm = VIEW_LEDGER

    @property
    def menu_item_class(self):
        return _menu_item(self.perm)

    @property
    def menu_url(self):
        from django.urls import reverse

        return reverse(self.target)

    def get_urlpatterns(self):
        return []


class BalancesLink(_LinkViewSet):
    name = "billing_finance_balances"
    icon = "decimal"
    menu_label = gettext_lazy("Partner balances")
    target = "billing_finance:balances"


class ReconciliationLink(_LinkViewSet):
    name = "billing_finance_reconciliation"
    icon = "tick-inverse"
    menu_label = gettext_lazy("Reconciliation")
    target = "billing_finance:reconciliation"


class StatementsLink(_LinkViewSet):
    name = "billing_finance_statements"
    icon = "doc-full"
    menu_label = gettext_lazy("Payout statements")
    target = "billing_finance:statements"
    perm = VIEW_STATEMENTS
