"""The dashboard's period, kind and region filters, parsed from a query string (bad values are
replaced by defaults and reported), and the month list they span."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from health.models import HealthSnapshot
from partners.models import PartnerKind, Region
from partners.selectors.programme import month_start, shift_months

DEFAULT_MONTHS = 12
MAX_MONTHS = 36


def months_between(start: date, end: date) -> list[date]:
    out, month = [], month_start(start)
    end = month_start(end)
    while month <= end and len(out) <= MAX_MONTHS * 4:
        out.append(month)
        month = shift_months(month, 1)
    return out


def latest_snapshot_month() -> date | None:
    return HealthSnapshot.objects.order_by("-month").values_list("month", flat=True).first()


def parse_month(value: str | None) -> date | None:
    if not value:
        return None
    try:
        year, month = str(value)[:7].split("-")
        return date(int(year), int(month), 1)
    except (TypeError, ValueError):
        return None


@dataclass
class DashboardFilters:
    start: date
    end: date
    kind: str | None = None
    region: str | None = None  # Region.code
    errors: list[str] = field(default_factory=list)

    @property
    def months(self) -> list[date]:
        return months_between(self.start, self.end)

    def querystring(self) -> str:
        from urllib.parse import urlencode

        params = {"start": f"{self.start:%Y-%m}", "end": f"{self.end:%Y-%m}"}
        if self.kind:
            params["kind"] = self.kind
        if self.region:
            params["region"] = self.region
        return urlencode(params)


def parse_filters(params) -> DashboardFilters:
    """Filters from a query string; bad values are replaced by defaults and reported in ``errors``."""
    errors = []
    default_end = latest_snapshot_month() or shift_months(month_start(timezone.localdate()), -1)
    end = parse_month(params.get("end"))
    if params.get("end") and end is None:
        errors.append(_("Enter months as YYYY-MM."))
    end = end or default_end
    start = parse_month(params.get("start"))
    if params.get("start") and start is None and not errors:
        errors.append(_("Enter months as YYYY-MM."))
    start = start or shift_months(end, -(DEFAULT_MONTHS - 1))
    if start > end:
        errors.append(_("The period starts after it ends: showing the default period."))
        start = shift_months(end, -(DEFAULT_MONTHS - 1))
    if len(months_between(start, end)) > MAX_MONTHS:
        errors.append(_("At most %(n)s months can be shown at once.") % {"n": MAX_MONTHS})
        start = shift_months(end, -(MAX_MONTHS - 1))
    kind = params.get("kind") or None
    if kind and kind not in PartnerKind.values:
        errors.append(_("Unknown partner kind."))
        kind = None
    region = params.get("region") or None
    if region and not Region.objects.filter(code=region).exists():
        errors.append(_("Unknown region."))
        region = None
    return DashboardFilters(start=start, end=end, kind=kind, region=region, errors=errors)


def partner_q(filters: DashboardFilters, prefix: str = "partner__") -> Q:
    q = Q()
    if filters.kind:
        q &= Q(**{f"{prefix}kind": filters.kind})
    if filters.region:
        q &= Q(**{f"{prefix}regions__code": filters.region})
    return q


def month_label(month: date) -> str:
    return f"{month:%Y-%m}"
