"""Ledger exports (CSV/XLSX through ``core.exports``): finance's, over every partner, and each
partner's own. One column layout for both; amounts stay numbers (signed, in the entry's currency).

``month`` filters are ``YYYY-MM`` and mean the calendar month in the site's time zone
(``payouts.month_bounds``), the same month a payout statement covers."""

from __future__ import annotations

from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _

from billing.models import LedgerEntry
from billing.services.payouts import month_bounds
from core.exports import export_response


def parse_month(value: str | None) -> date | None:
    """``"2026-03"`` → 1 March 2026; anything else → None (filter ignored)."""
    try:
        year, month = (int(part) for part in (value or "").split("-"))
        return date(year, month, 1)
    except ValueError:
        return None


def filter_month(qs, month: date | None):
    if month is None:
        return qs
    start, end = month_bounds(month)
    return qs.filter(occurred_at__gte=start, occurred_at__lt=end)


def header(*, with_partner: bool) -> list[str]:
    columns = [
        _("Date"),
        _("Kind"),
        _("Reference"),
        _("Invoice"),
        _("Stripe object"),
        _("Currency"),
        _("Amount"),
    ]
    if with_partner:
        columns.insert(1, _("Partner"))
    return columns


def rows(entries, *, with_partner: bool):
    for entry in entries.select_related("partner__organisation", "invoice").order_by("occurred_at", "pk"):
        row = [
            timezone.localtime(entry.occurred_at).strftime("%Y-%m-%d %H:%M"),
            entry.get_kind_display(),
            entry.description,
            entry.invoice.number if entry.invoice_id else "",
            entry.stripe_object_id,
            entry.currency,
            entry.amount,
        ]
        if with_partner:
            row.insert(1, str(entry.partner))
        yield row


def ledger_export(entries, *, fmt: str, filename: str, with_partner: bool):
    """An attachment of ``entries`` (a LedgerEntry queryset, already scoped and filtered)."""
    assert entries.model is LedgerEntry
    return export_response(
        header(with_partner=with_partner),
        rows(entries, with_partner=with_partner),
        filename=filename,
        fmt="xlsx" if fmt == "xlsx" else "csv",
    )
