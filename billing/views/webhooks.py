"""``POST /billing/stripe/webhook/``: verify the signature (400 otherwise), record the event by id
(a replay is acknowledged and does nothing), process it in a task after commit."""

from django.db import transaction
from django.http import HttpResponse, HttpResponseBadRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from billing import gateway
from billing.services import webhooks
from billing.tasks.webhooks import enqueue_webhook_event

MAX_BODY = 512 * 1024


@csrf_exempt
@require_POST
def stripe_webhook(request):
    if len(request.body) > MAX_BODY:
        return HttpResponseBadRequest("Payload too large.")
    try:
        event = gateway.construct_event(request.body, request.headers.get("Stripe-Signature", ""))
    except gateway.SignatureError:
        return HttpResponseBadRequest("Invalid signature.")
    with transaction.atomic():
        record, created = webhooks.record(event)
        if created:
            enqueue_webhook_event(record.pk)
    if not created:
        return JsonResponse({"received": True, "duplicate": True})
    return HttpResponse(status=200)
