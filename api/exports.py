"""Asynchronous exports (Atlassian Marketplace's export API): ``POST /api/v1/exports`` names a
list of the API (``transactions``, ``subscriptions``, ``leads`` …; the key needs that list's read
scope) and answers 202; a task writes every row — the same fields as the list, nested objects
flattened to ``a.b`` columns — as CSV (``core.exports``, formulas neutralised); ``GET
/api/v1/exports/{id}`` shows when it is ready and its ``download_url``; the file can be
downloaded for :data:`EXPORT_TTL`, then it is a 410 and it is purged."""

from __future__ import annotations

import json
from datetime import timedelta
from types import SimpleNamespace

from django.db import transaction
from django.urls import resolve, reverse
from django.utils import timezone

from api.models import Export
from core.exports import csv_bytes
from core.tasks import enqueue_on_commit

EXPORT_TTL = timedelta(hours=24)
MAX_ROWS = 100_000


# Export name → the URL name (``api:<basename>-list``) of the API list it exports.
EXPORTABLE = {
    "subscriptions": "subscription",
    "entitlements": "entitlement",
    "transactions": "transaction",
    "statements": "statement",
    "payouts": "payout",
    "leads": "lead",
    "proposals": "proposal",
    "deal-registrations": "deal-registration",
    "fund-requests": "fund-request",
    "reviews": "review",
    "customers": "customer",
    "health-snapshots": "health-snapshot",
    "certified-people": "certified-person",
}


def resources() -> dict:
    """Export name → the API's viewset for that list (its queryset, serializer and scope), found
    through the list's URL, so this module does not import the router."""
    return {name: resolve(reverse(f"api:{basename}-list")).func.cls for name, basename in EXPORTABLE.items()}


def scope_for(resource: str) -> str:
    return resources()[resource].required_scopes["GET"]


@transaction.atomic
def request_export(*, api_key, resource: str, updated_since=None) -> Export:
    export = Export.objects.create(
        partner=api_key.partner, api_key=api_key, resource=resource, updated_since=updated_since
    )
    enqueue_on_commit("api.build_export", export.pk)
    return export


def _flatten(data, prefix="") -> dict:
    out = {}
    for name, value in data.items():
        key = f"{prefix}{name}"
        if isinstance(value, dict):
            out.update(_flatten(value, f"{key}."))
        elif isinstance(value, list):
            out[key] = json.dumps(value, ensure_ascii=False, default=str)
        else:
            out[key] = value
    return out


def build(export_id: int) -> Export:
    export = Export.objects.select_related("api_key__partner").get(pk=export_id)
    if export.status != Export.Status.PENDING:
        return export
    viewset = resources()[export.resource]
    view = viewset()
    view.request = SimpleNamespace(auth=export.api_key, query_params={})
    view.format_kwarg, view.kwargs, view.action = None, {}, "list"
    queryset = view.get_queryset()
    if export.updated_since is not None:
        queryset = queryset.filter(
            **{f"{getattr(view, 'updated_field', 'updated_at')}__gte": export.updated_since}
        )
    serializer_class = view.get_serializer_class()
    rows = [_flatten(serializer_class(obj).data) for obj in queryset.order_by("pk")[: MAX_ROWS + 1]]
    if len(rows) > MAX_ROWS:
        export.status, export.error = Export.Status.FAILED, f"More than {MAX_ROWS} rows; use updated_since."
    else:
        header = list(dict.fromkeys(key for row in rows for key in row)) or list(serializer_class().fields)
        export.content = csv_bytes(header, ([row.get(key) for key in header] for row in rows))
        export.row_count = len(rows)
        export.status = Export.Status.READY
        export.expires_at = timezone.now() + EXPORT_TTL
    export.finished_at = timezone.now()
    export.save()
    return export


def purge(now=None) -> int:
    deleted, _rows = Export.objects.filter(expires_at__lt=(now or timezone.now()) - EXPORT_TTL).delete()
    return deleted
