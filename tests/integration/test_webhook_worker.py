"""Webhooks through a real Celery worker: an event emitted here travels through Redis to the
worker, which signs and POSTs it to a real HTTP receiver; a receiver that is down gets the event
again once it is back (the due-deliveries task), and from its side each ``webhook-id`` is accepted
exactly once and every signature verifies with the ``standardwebhooks`` reference library."""

import pytest
from django.utils import timezone
from standardwebhooks import Webhook

from config.celery import app
from partners.models import Delivery, WebhookEndpoint
from partners.services import webhooks
from partners.services.events import emit
from tests.factories.api import world
from tests.integration.test_celery_worker import fail_with_logs, tasks_through_broker
from tests.unit.api.receiver import Receiver

# serialized_rollback: Django's flush after the test then skips post_migrate (~4 s); tests/conftest.py
# restores the migrated data before the next test in any case.
pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

TIMEOUT = 30


@pytest.fixture
def loopback(monkeypatch, settings):
    """This process and the worker it starts may reach the receiver on 127.0.0.1."""
    monkeypatch.setenv("OUTBOUND_ALLOW_LOOPBACK_FOR_TESTS", "true")
    settings.OUTBOUND_ALLOW_LOOPBACK_FOR_TESTS = True
    server = Receiver()
    yield server
    server.close()


@pytest.fixture
def webhook_worker(loopback, celery_worker_process):
    return loopback, celery_worker_process


def test_events_reach_the_receiver_through_the_worker_each_once(webhook_worker, wait_for):
    receiver, worker = webhook_worker
    mine = world()
    WebhookEndpoint.objects.all().delete()
    endpoint = webhooks.create_endpoint(partner=mine.partner, url=receiver.url)

    with tasks_through_broker():
        first = emit(mine.partner, "subscription.created", {"id": "sub-1"})
    if not wait_for(lambda: len(receiver.accepted) == 1, timeout=TIMEOUT):
        fail_with_logs("the worker did not deliver the first event", worker)

    receiver.status = 503  # the receiver goes down
    with tasks_through_broker():
        second = emit(mine.partner, "subscription.cancelled", {"id": "sub-1"})
    delivery = wait_for(
        lambda: Delivery.objects.filter(event=second, attempts=1, response_status=503).first(),
        timeout=TIMEOUT,
    )
    if delivery is None:
        fail_with_logs("the worker did not try the second event", worker)
    assert delivery.status == Delivery.Status.PENDING and len(receiver.accepted) == 1

    receiver.status = 200  # back up; the retry falls due 5 s after the failure (SCHEDULE[1])
    assert delivery.next_attempt_at - delivery.last_attempt_at == webhooks.SCHEDULE[1]
    # Make the retry due now instead of sleeping through those 5 s (the schedule itself is tested
    # on a fake clock in tests/unit/api/test_webhooks.py).
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
    with tasks_through_broker():
        app.send_task("partners.send_due_webhooks")
    if not wait_for(lambda: len(receiver.accepted) == 2, timeout=TIMEOUT):
        fail_with_logs("the worker did not retry the second event", worker)

    assert receiver.accepted == [first.message_id, second.message_id]
    verifier = Webhook(endpoint.secret)
    for headers, body in receiver.requests:
        payload = verifier.verify(body, headers)
        assert payload["id"] == headers["webhook-id"]
    # The receiver counts the request before the worker has read the answer and saved it.
    succeeded = wait_for(
        lambda: Delivery.objects.filter(event=second, status=Delivery.Status.SUCCEEDED).first(),
        timeout=TIMEOUT,
    )
    if succeeded is None:
        fail_with_logs("the worker did not record the retried event as delivered", worker)
    assert succeeded.attempts == 2 and succeeded.response_status == 200
