"""Fulfilment notifications move onto the outbound webhook machinery (one machinery, not two).

* Each partner's fulfilment URL becomes a ``partners.WebhookEndpoint`` subscribed to the
  ``entitlement.*`` events (disabled when notifications were switched off), linked from
  ``FulfilmentEndpoint.webhook_endpoint``. Its signing secret is the partner's fulfilment secret
  as Standard Webhooks key material (``whsec_`` + base64 of it), so the partner keeps the secret it
  holds; ``FulfilmentEndpoint.url`` / ``active`` are dropped (read from the webhook endpoint).
* Every logged ``FulfilmentDelivery`` is copied into the webhook log: an ``Event`` with the same
  public id (its ``data`` is the old payload's ``data``) and, when it had a URL, a ``Delivery`` to
  that endpoint — delivered → succeeded, failed → failed, pending / retrying → pending and due now,
  so the webhook worker finishes what the old sender had not. Re-sends fold into their original's
  delivery (one per event and endpoint), keeping the latest outcome.
"""

import base64

from django.db import migrations, models
from django.utils import timezone

ENTITLEMENT_EVENTS = [
    "entitlement.activated",
    "entitlement.created",
    "entitlement.ended",
    "entitlement.resumed",
    "entitlement.seats_changed",
    "entitlement.suspended",
]
STATUS = {"delivered": "succeeded", "failed": "failed", "pending": "pending", "retrying": "pending"}


def forwards(apps, schema_editor):
    FulfilmentEndpoint = apps.get_model("billing", "FulfilmentEndpoint")
    FulfilmentDelivery = apps.get_model("billing", "FulfilmentDelivery")
    WebhookEndpoint = apps.get_model("partners", "WebhookEndpoint")
    Event = apps.get_model("partners", "Event")
    Delivery = apps.get_model("partners", "Delivery")
    now = timezone.now()
    webhook_of = {}
    for fulfilment in FulfilmentEndpoint.objects.exclude(url=""):
        webhook = WebhookEndpoint.objects.create(
            partner_id=fulfilment.partner_id,
            url=fulfilment.url,
            description="Fulfilment",
            event_types=ENTITLEMENT_EVENTS,
            secret="whsec_" + base64.b64encode(fulfilment.secret.encode()).decode(),
            disabled_at=None if fulfilment.active else now,
            disabled_reason="" if fulfilment.active else "Fulfilment notifications were switched off.",
        )
        fulfilment.webhook_endpoint_id = webhook.pk
        fulfilment.save(update_fields=["webhook_endpoint"])
        webhook_of[fulfilment.partner_id] = webhook
    events = {}
    for old in FulfilmentDelivery.objects.order_by("created_at", "pk"):
        original = old.resent_from_id or old.pk
        event = events.get(original)
        if event is None:
            payload = old.payload.get("data", old.payload) if isinstance(old.payload, dict) else {}
            event = Event.objects.create(
                partner_id=old.partner_id,
                type=old.event,
                payload=payload,
                created_at=old.created_at,
                public_id=old.public_id,
            )
            events[original] = event
        webhook = webhook_of.get(old.partner_id)
        if webhook is None or not old.url or old.status not in STATUS:
            continue
        status = STATUS[old.status]
        Delivery.objects.update_or_create(
            event=event,
            endpoint=webhook,
            defaults={
                "status": status,
                "attempts": old.attempts,
                "response_status": old.response_code,
                "last_error": old.last_error[:300],
                "last_attempt_at": old.updated_at if old.attempts else None,
                "next_attempt_at": now if status == "pending" else None,
            },
        )


class Migration(migrations.Migration):
    dependencies = [
        ("billing", "0001_initial"),
        ("partners", "0010_premier_tier_name"),
    ]

    operations = [
        migrations.AddField(
            model_name="fulfilmentendpoint",
            name="webhook_endpoint",
            field=models.OneToOneField(
                blank=True,
                null=True,
                on_delete=models.deletion.SET_NULL,
                related_name="fulfilment",
                to="partners.webhookendpoint",
                verbose_name="webhook endpoint",
            ),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
        migrations.RemoveField(model_name="fulfilmentendpoint", name="url"),
        migrations.RemoveField(model_name="fulfilmentendpoint", name="active"),
    ]
