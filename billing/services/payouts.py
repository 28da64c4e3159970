"""Monthly payout statements, their PDFs, and payouts through Stripe Connect.

A statement for (partner, month, currency) takes every ledger entry of that partner and
currency that occurred before the month's end and is on no statement yet (charges, refunds,
commission, adjustments — never payouts). When the net is above zero the statement awaits
payout and its entries are tied to it; otherwise it is recorded as "nothing due" and its
entries stay free, so the next month's statement carries them forward.

Paying out creates a ``Payout`` row first (its UUID is the Stripe idempotency key), then the
Connect transfer; on success the payout ledger entry is posted under the transfer id and the
statement is marked paid. A Stripe error marks the payout failed and changes nothing else.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef, Q, Subquery, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from billing.models.ledger import LedgerEntry, LedgerKind
from billing.models.payouts import ConnectAccount, Payout, PayoutStatement, StatementRun
from core.money import Currency, quantize
from core.tasks import enqueue_on_commit

logger = logging.getLogger(__name__)

PDF_LANGUAGES = ("zh-hans", "en")


def month_start(day: date) -> date:
    return day.replace(day=1)


def next_month(month: date) -> date:
    return date(month.year + (month.month == 12), month.month % 12 + 1, 1)


def month_bounds(month: date) -> tuple[datetime, datetime]:
    """[start, end) of a calendar month in the site's time zone."""
    tz = timezone.get_current_timezone()
    start = datetime.combine(month_start(month), time(0), tzinfo=tz)
    end = datetime.combine(next_month(month_start(month)), time(0), tzinfo=tz)
    return start, end


def statement_number(partner_id: int, month: date, currency: str) -> str:
    return f"PS-{month:%Y%m}-{partner_id:06d}-{currency}"


@dataclass
class Totals:
    charges: Decimal = Decimal(0)
    refunds: Decimal = Decimal(0)
    commission: Decimal = Decimal(0)
    adjustments: Decimal = Decimal(0)
    count: int = 0

    @property
    def net(self) -> Decimal:
        return self.charges - self.refunds - self.commission + self.adjustments


def cents(value) -> Decimal:
    """A database sum as an exact 2-place Decimal (SQLite sums decimals as floats)."""
    return Decimal(str(value or 0)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def totals_of(entries) -> Totals:
    """Positive figures per kind from signed entries (refunds and commission shown as amounts taken)."""
    return _totals(
        {row["kind"]: row for row in entries.values("kind").annotate(s=Sum("amount"), n=Count("pk"))}
    )


def _totals(sums: dict) -> Totals:
    """``sums``: per kind, a row with the sum ``s`` and count ``n`` of its entries."""
    t = Totals()
    t.charges = cents(sums.get(LedgerKind.CHARGE, {}).get("s"))
    t.refunds = -cents(sums.get(LedgerKind.REFUND, {}).get("s"))
    t.commission = -cents(sums.get(LedgerKind.COMMISSION, {}).get("s"))
    t.adjustments = cents(sums.get(LedgerKind.ADJUSTMENT, {}).get("s"))
    t.count = sum(row["n"] for row in sums.values())
    return t


def _open_entries(partner_id: int, currency: str, before: datetime):
    return LedgerEntry.objects.filter(
        partner_id=partner_id, currency=currency, occurred_at__lt=before, statement__isnull=True
    ).exclude(kind=LedgerKind.PAYOUT)


def _new_statement(*, partner_id: int, month: date, currency: str, totals: Totals) -> PayoutStatement:
    """The (unsaved) statement of ``totals``: awaiting payout when its net is above zero."""
    net = quantize(totals.net, currency)
    return PayoutStatement(
        partner_id=partner_id,
        month=month,
        currency=currency,
        number=statement_number(partner_id, month, currency),
        charges=totals.charges,
        refunds=totals.refunds,
        commission=totals.commission,
        adjustments=totals.adjustments,
        net=net,
        entry_count=totals.count,
        status=PayoutStatement.Status.OPEN if net > 0 else PayoutStatement.Status.CARRIED,
        issued_at=timezone.now(),
    )


@transaction.atomic
def generate_statement(*, partner, month: date, currency: str) -> PayoutStatement | None:
    """The statement for (partner, month, currency); an existing one is returned unchanged.
    None when there is nothing to state (no entries at all)."""
    month = month_start(month)
    existing = PayoutStatement.objects.filter(partner=partner, month=month, currency=currency).first()
    if existing is not None:
        return existing
    _start, end = month_bounds(month)
    entries = _open_entries(partner.pk, currency, end)
    totals = totals_of(entries)
    if totals.count == 0:
        return None
    statement = _new_statement(partner_id=partner.pk, month=month, currency=currency, totals=totals)
    statement.partner = partner
    statement.save(force_insert=True)
    if statement.status == PayoutStatement.Status.OPEN:
        entries.update(statement=statement)
    return statement


@transaction.atomic
def generate_month(month: date, *, partner_ids=None) -> list[int]:
    """Statements for every partner with open entries up to ``month``'s end; returns their ids
    (existing ones included) in (partner, currency) order.

    What :func:`generate_statement` does for each (partner, currency), for all of them at once:
    the open entries' totals in one grouped query, the month's existing statements in one, the
    new statements in one insert (in the same order, so they get the ids one by one would) and
    the entries of those awaiting payout tied to them in one update — a handful of statements a
    month instead of four per partner and currency."""
    month = month_start(month)
    _start, end = month_bounds(month)
    rows = (
        LedgerEntry.objects.filter(occurred_at__lt=end, statement__isnull=True)
        .exclude(kind=LedgerKind.PAYOUT)
        .values("partner_id", "currency", "kind")
        .annotate(s=Sum("amount"), n=Count("pk"))
        .order_by()
    )
    if partner_ids is not None:
        rows = rows.filter(partner_id__in=partner_ids)
    sums: dict[tuple[int, str], dict] = {}
    for row in rows:
        sums.setdefault((row["partner_id"], row["currency"]), {})[row["kind"]] = row
    if not sums:
        return []
    pairs = sorted(sums)
    existing = {
        (partner_id, currency): pk
        for partner_id, currency, pk in PayoutStatement.objects.filter(
            month=month, partner_id__in={pid for pid, _cur in pairs}
        ).values_list("partner_id", "currency", "pk")
    }
    new = [
        _new_statement(partner_id=pid, month=month, currency=cur, totals=_totals(sums[(pid, cur)]))
        for pid, cur in pairs
        if (pid, cur) not in existing
    ]
    PayoutStatement.objects.bulk_create(new)
    due_ids = [s.pk for s in new if s.status == PayoutStatement.Status.OPEN]
    if due_ids:  # each open entry of a pair awaiting payout → that pair's new statement
        due = PayoutStatement.objects.filter(
            pk__in=due_ids, partner_id=OuterRef("partner_id"), currency=OuterRef("currency")
        )
        LedgerEntry.objects.filter(Exists(due), occurred_at__lt=end, statement__isnull=True).exclude(
            kind=LedgerKind.PAYOUT
        ).update(statement=Subquery(due.values("pk")[:1]))
    made = {(s.partner_id, s.currency): s.pk for s in new}
    return [existing[pair] if pair in existing else made[pair] for pair in pairs]


def start_run(*, month: date, user=None) -> StatementRun:
    """Record a statement run and enqueue it once the row is committed."""
    run = StatementRun.objects.create(month=month_start(month), started_by=user)
    enqueue_on_commit("billing.run_statements", run.pk)
    return run


def execute_run(run_id: int) -> StatementRun:
    """Generate the month's statements, then render their PDFs (both languages), counting progress."""
    run = StatementRun.objects.get(pk=run_id)
    StatementRun.objects.filter(pk=run.pk).update(status=StatementRun.Status.RUNNING)
    try:
        ids = generate_month(run.month)
        StatementRun.objects.filter(pk=run.pk).update(total=len(ids))
        statements = PayoutStatement.objects.filter(pk__in=ids).select_related("partner__organisation")
        for n, statement in enumerate(statements, start=1):
            for language in PDF_LANGUAGES:
                ensure_pdf(statement, language)
            StatementRun.objects.filter(pk=run.pk).update(done=n)
    except Exception as exc:
        logger.exception("Statement run %s failed", run.pk)
        StatementRun.objects.filter(pk=run.pk).update(
            status=StatementRun.Status.FAILED, message=str(exc)[:2000]
        )
        raise
    StatementRun.objects.filter(pk=run.pk).update(status=StatementRun.Status.DONE)
    run.refresh_from_db()
    return run


# --- PDF --------------------------------------------------------------------------------------
def statement_context(statement: PayoutStatement) -> dict:
    entries = list(
        (
            statement.entries.all()
            if statement.status != PayoutStatement.Status.CARRIED
            else _open_entries(statement.partner_id, statement.currency, month_bounds(statement.month)[1])
        )
        .select_related("invoice")
        .order_by("occurred_at", "pk")
    )
    return {
        "statement": statement,
        "partner": statement.partner,
        "entries": entries,
        "payout": Payout.objects.filter(statement=statement).first(),
    }


def render_statement_pdf(statement: PayoutStatement, language: str) -> bytes:
    from themes.pdf import render_pdf

    return render_pdf("billing/statement_pdf.html", statement_context(statement), language=language)


def ensure_pdf(statement: PayoutStatement, language: str) -> PayoutStatement:
    """Render and store the statement PDF in ``language`` unless it is stored already."""
    lang = "en" if (language or "").startswith("en") else "zh-hans"
    field = "pdf_en" if lang == "en" else "pdf"
    file = getattr(statement, field)
    if file and file.storage.exists(file.name):
        return statement
    content = render_statement_pdf(statement, lang)
    file.save(f"{lang}.pdf", ContentFile(content), save=False)
    PayoutStatement.objects.filter(pk=statement.pk).update(**{field: file.name})
    return statement


# --- payouts ------------------------------------------------------------------------------------
def _connect_account(partner) -> ConnectAccount:
    account = ConnectAccount.objects.filter(partner=partner).first()
    if account is None:
        raise ValidationError(_("This partner has no Stripe Connect account to pay out to."))
    if not account.payouts_enabled:
        raise ValidationError(_("The partner's Stripe Connect account cannot receive payouts yet."))
    return account


def pay_out_statement(statement: PayoutStatement, *, user=None) -> Payout:
    """Transfer a statement's amount due to the partner's Connect account.

    Raises ``ValidationError`` with a message for staff when it cannot be paid (nothing due,
    paid already, no Connect account, Stripe refused or unreachable)."""
    from billing import gateway

    with transaction.atomic():
        statement = PayoutStatement.objects.select_for_update().get(pk=statement.pk)
        if statement.status == PayoutStatement.Status.PAID:
            raise ValidationError(_("This statement is paid out already."))
        if not statement.can_pay_out:
            raise ValidationError(_("Nothing is due on this statement."))
        account = _connect_account(statement.partner)
        payout, _created = Payout.objects.get_or_create(
            statement=statement,
            defaults={
                "partner": statement.partner,
                "amount": statement.net,
                "currency": statement.currency,
                "destination": account.stripe_account_id,
                "created_by": user,
            },
        )
        if payout.status == Payout.Status.PAID:
            raise ValidationError(_("This statement is paid out already."))
    try:
        transfer = gateway.create_transfer(
            amount=payout.amount,
            currency=payout.currency,
            destination=account.stripe_account_id,
            # A refused transfer's result is cached by Stripe under its key: a retry needs a new one.
            idempotency_key=f"payout-{payout.public_id}-{payout.failed_attempts + 1}",
            description=statement.number,
            metadata={"statement": statement.number, "partner_id": str(statement.partner_id)},
        )
    except gateway.BillingGatewayError as exc:
        Payout.objects.filter(pk=payout.pk).update(
            status=Payout.Status.FAILED,
            failure_message=str(exc.message)[:1000],
            failed_attempts=F("failed_attempts") + 1,
        )
        raise ValidationError(exc.message) from exc  # already says why, in plain words (gateway)
    with transaction.atomic():
        now = timezone.now()
        Payout.objects.filter(pk=payout.pk).update(
            status=Payout.Status.PAID, stripe_transfer_id=transfer["id"], paid_at=now, failure_message=""
        )
        payout.refresh_from_db()
        LedgerEntry.objects.bulk_create(
            [
                LedgerEntry(
                    partner_id=statement.partner_id,
                    kind=LedgerKind.PAYOUT,
                    amount=-payout.amount,
                    currency=payout.currency,
                    occurred_at=now,
                    payout=payout,
                    stripe_object_id=transfer["id"],
                    description=statement.number,
                )
            ],
            ignore_conflicts=True,
        )
        PayoutStatement.objects.filter(pk=statement.pk).update(status=PayoutStatement.Status.PAID)
    return payout


# --- reconciliation -----------------------------------------------------------------------------
@dataclass
class Reconciliation:
    currency: str
    charges: Decimal
    refunds: Decimal
    commission: Decimal
    adjustments: Decimal
    payouts: Decimal
    balance: Decimal
    # Independent sources each ledger line is checked against.
    invoices_paid: Decimal
    invoices_refunded: Decimal
    transfers_paid: Decimal
    held_on_statements: Decimal
    held_unstated: Decimal

    @property
    def left(self) -> Decimal:
        return self.charges - self.refunds - self.commission + self.adjustments

    @property
    def right(self) -> Decimal:
        return self.payouts + self.balance

    @property
    def checks(self) -> list[tuple[str, Decimal, Decimal, bool]]:
        held = self.held_on_statements + self.held_unstated
        return [
            (_("Charges − refunds − commission + adjustments = payouts + balance"), self.left, self.right),
            (_("Charges = paid invoices"), self.charges, self.invoices_paid),
            (_("Refunds = refunded on invoices"), self.refunds, self.invoices_refunded),
            (_("Payouts = Connect transfers paid"), self.payouts, self.transfers_paid),
            (_("Balance = open statements + not yet on a statement"), self.balance, held),
        ]

    @property
    def check_rows(self):
        return [(label, a, b, a == b) for label, a, b in self.checks]

    @property
    def ok(self) -> bool:
        return all(a == b for _label, a, b in self.checks)


def reconcile(*, partner=None) -> list[Reconciliation]:
    """Per currency: ledger totals and the sources they must equal (all partners, or one)."""
    from billing.models import Invoice

    entries = LedgerEntry.objects.all()
    invoices = Invoice.objects.filter(partner__isnull=False)
    payouts = Payout.objects.filter(status=Payout.Status.PAID)
    statements = PayoutStatement.objects.filter(status=PayoutStatement.Status.OPEN)
    if partner is not None:
        entries = entries.filter(partner=partner)
        invoices = invoices.filter(partner=partner)
        payouts = payouts.filter(partner=partner)
        statements = statements.filter(partner=partner)
    out = []
    for currency in Currency.values:
        ent = entries.filter(currency=currency)
        if not ent.exists():
            continue
        t = totals_of(ent)

        def s(qs, field="amount"):
            return cents(qs.aggregate(v=Sum(field))["v"])

        paid_invoices = invoices.filter(currency=currency).filter(
            Q(status__in=Invoice.PAID_STATUSES) | Q(amount_refunded__gt=0)
        )
        out.append(
            Reconciliation(
                currency=currency,
                charges=t.charges,
                refunds=t.refunds,
                commission=t.commission,
                adjustments=t.adjustments,
                payouts=-s(ent.filter(kind=LedgerKind.PAYOUT)),
                balance=s(ent),
                invoices_paid=s(paid_invoices.filter(total__gt=0), "total"),
                invoices_refunded=s(paid_invoices, "amount_refunded"),
                transfers_paid=s(payouts.filter(currency=currency)),
                held_on_statements=s(statements.filter(currency=currency), "net"),
                held_unstated=s(ent.filter(statement__isnull=True).exclude(kind=LedgerKind.PAYOUT)),
            )
        )
    return out


def balances(*, currency: str | None = None):
    """Per partner × currency: charges, refunds, commission, payouts and balance (finance screen)."""
    from django.db.models import Case, DecimalField, When

    def by_kind(kind):
        return Sum(Case(When(kind=kind, then="amount"), default=Decimal(0), output_field=DecimalField()))

    qs = LedgerEntry.objects.all()
    if currency:
        qs = qs.filter(currency=currency)
    return (
        qs.values("partner_id", "partner__organisation__name", "partner__organisation__name_en", "currency")
        .annotate(
            charges=by_kind(LedgerKind.CHARGE),
            refunds=by_kind(LedgerKind.REFUND),
            commission=by_kind(LedgerKind.COMMISSION),
            adjustments=by_kind(LedgerKind.ADJUSTMENT),
            payouts=by_kind(LedgerKind.PAYOUT),
            balance=Sum("amount"),
        )
        .order_by("-balance")
    )
