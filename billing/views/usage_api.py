"""``POST /billing/api/usage/``: a partner's system reports metered usage for a customer's
usage-based subscription of one of its listings.

The legacy signed endpoint (``POST /api/v1/usage-records`` is its successor): the body is signed
with the partner's fulfilment secret (``X-Symbio-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "t.body">``)
and names the partner (``X-Symbio-Partner: <partner id>``). JSON body::

    {"subscription": "<subscription public id>", "quantity": 120, "key": "<unique per report>",
     "date": "2026-11-24", "note": "optional"}

Records go through ``billing.services.usage.report_usage``, as the partner API's usage batches do.
Answers 201 with the record (200 when the key was already used: no second charge), 400 with a
message for bad input (non-ASCII headers included), 401 for a bad signature (or one dated more
than five minutes from now, either way), 404 for a subscription that is not the partner's.
"""

import json
from datetime import date

from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from billing.models import FulfilmentEndpoint
from billing.services import usage
from billing.services.fulfilment import verify_signature

MAX_BODY = 16 * 1024
MAX_DB_ID = 2**63 - 1  # PostgreSQL bigint


def _error(message, status):
    return JsonResponse({"error": str(message)}, status=status)


@csrf_exempt
@require_POST
def report_usage(request):
    if len(request.body) > MAX_BODY:
        return _error(_("The request is too large."), 400)
    partner_id = request.headers.get("X-Symbio-Partner", "")
    signature = request.headers.get("X-Symbio-Signature", "")
    if not (partner_id.isascii() and signature.isascii()):
        return _error(_("Malformed X-Symbio-Partner or X-Symbio-Signature header."), 400)
    endpoint = (
        FulfilmentEndpoint.objects.select_related("partner").filter(partner_id=int(partner_id)).first()
        if partner_id.isascii()
        and partner_id.isdigit()
        and len(partner_id) <= 19
        and int(partner_id) <= MAX_DB_ID
        else None
    )
    if endpoint is None or not verify_signature(endpoint.secret, request.body, signature):
        return _error(_("Invalid signature."), 401)
    try:
        payload = json.loads(request.body)
        quantity = payload["quantity"]
        key = str(payload["key"])
        day = date.fromisoformat(payload["date"]) if payload.get("date") else None
        public_id = str(payload["subscription"])
    except (ValueError, KeyError, TypeError):
        return _error(_("Send JSON with subscription, quantity, key and an optional date (YYYY-MM-DD)."), 400)
    if not isinstance(quantity, int) or isinstance(quantity, bool):
        return _error(_("Enter a whole number of units above zero."), 400)
    outcome = usage.report_usage(
        partner=endpoint.partner,
        subscription_id=public_id,
        quantity=quantity,
        key=key,
        day=day,
        note=str(payload.get("note", "")),
    )
    if outcome.status == "rejected":
        return _error(outcome.detail, {"not_found": 404, "unavailable": 503}.get(outcome.code, 400))
    record = outcome.record
    existed = outcome.status == "duplicate"
    body = {
        "id": record.pk,
        "quantity": record.quantity,
        "date": record.occurred_on.isoformat(),
        "duplicate": existed,
    }
    return JsonResponse(body, status=200 if existed else 201)
