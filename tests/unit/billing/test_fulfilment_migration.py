"""billing.0002_fulfilment_on_webhooks: the old fulfilment sender's settings and log become the
webhook machinery's — the URL a webhook endpoint subscribed to the entitlement events (with the
partner's secret as its key), every logged notification an event with its delivery."""

import base64
from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from tests.factories.billing import money_partner

BEFORE = [("billing", "0001_initial")]
AFTER = [("billing", "0002_fulfilment_on_webhooks")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


# serialized_rollback: Django's flush after the test then skips post_migrate (~4 s); tests/conftest.py
# restores the migrated data before the next test in any case.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_fulfilment_settings_and_log_move_onto_the_webhook_machinery():
    on = money_partner(slug="mig-on", name="迁移甲", name_en="Migrate On")
    off = money_partner(slug="mig-off", name="迁移乙", name_en="Migrate Off")
    try:
        old = _migrate(BEFORE)
        Endpoint = old.get_model("billing", "FulfilmentEndpoint")
        OldDelivery = old.get_model("billing", "FulfilmentDelivery")
        Endpoint.objects.create(
            partner_id=on.pk, url="https://isv.example.cn/hook", secret="fsec_abc", active=True
        )
        Endpoint.objects.create(
            partner_id=off.pk, url="https://off.example.cn/hook", secret="fsec_def", active=False
        )
        then = timezone.now() - timedelta(days=3)
        delivered = OldDelivery.objects.create(
            partner_id=on.pk,
            event="entitlement.created",
            payload={"id": "x", "type": "entitlement.created", "data": {"entitlement": {"id": "e1"}}},
            url="https://isv.example.cn/hook",
            status="delivered",
            attempts=1,
            response_code=200,
        )
        OldDelivery.objects.filter(pk=delivered.pk).update(created_at=then)
        failed = OldDelivery.objects.create(
            partner_id=on.pk,
            event="entitlement.ended",
            payload={"data": {"entitlement": {"id": "e2"}}},
            url="https://isv.example.cn/hook",
            status="failed",
            attempts=6,
            response_code=503,
            last_error="HTTP 503",
        )
        OldDelivery.objects.create(  # a re-send of the failed one that is still retrying
            partner_id=on.pk,
            event="entitlement.ended",
            payload={"data": {"entitlement": {"id": "e2"}}},
            url="https://isv.example.cn/hook",
            status="retrying",
            attempts=1,
            resent_from=failed,
        )
        skipped = OldDelivery.objects.create(
            partner_id=off.pk, event="entitlement.created", payload={"data": {}}, url="", status="skipped"
        )

        new = _migrate(AFTER)
        Endpoint = new.get_model("billing", "FulfilmentEndpoint")
        Event = new.get_model("partners", "Event")
        Delivery = new.get_model("partners", "Delivery")
        mine = Endpoint.objects.select_related("webhook_endpoint").get(partner_id=on.pk)
        webhook = mine.webhook_endpoint
        assert webhook.url == "https://isv.example.cn/hook" and webhook.disabled_at is None
        assert "entitlement.created" in webhook.event_types and "listing.published" not in webhook.event_types
        assert base64.b64decode(webhook.secret.removeprefix("whsec_")) == b"fsec_abc"
        assert mine.secret == "fsec_abc"  # still signs the legacy usage endpoint
        assert Endpoint.objects.get(partner_id=off.pk).webhook_endpoint.disabled_at is not None

        first = Event.objects.get(public_id=delivered.public_id)
        assert first.type == "entitlement.created" and first.payload == {"entitlement": {"id": "e1"}}
        assert abs(first.created_at - then) < timedelta(seconds=1)
        assert Delivery.objects.get(event=first).status == "succeeded"
        ended = Event.objects.get(public_id=failed.public_id)
        (delivery,) = Delivery.objects.filter(event=ended)  # the re-send folded into one delivery
        assert delivery.status == "pending" and delivery.next_attempt_at is not None  # finished by the worker
        assert Event.objects.filter(partner_id=on.pk).count() == 2
        assert Event.objects.get(public_id=skipped.public_id).deliveries.count() == 0
    finally:
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
