"""Redis down while a request enqueues a task: the data is saved, the page answers as usual
(no 500), the task waits in the outbox (``core.TaskOutbox``); once the broker answers, the beat
task ``drain_task_outbox`` hands it over and the job runs — once.

Celery publishes for real here (eager execution off): first to a closed loopback port, then to the
test Redis, from which the message is taken and executed as a worker would."""

import base64
import json
import socket
from contextlib import contextmanager

import pytest
from django.core import mail
from django.urls import reverse
from kombu import Connection

from accounts.models import Invitation
from config.celery import app
from core.models import TaskOutbox
from core.tasks import drain_task_outbox, enqueue
from tests.factories.accounts import InvitationFactory, OwnerFactory

pytestmark = pytest.mark.django_db

INVITATION_TASK = "accounts.tasks.send_invitation_email"


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _reset_pools():
    """Forget the app's pools, which follow ``broker_url`` again on next use (kombu keeps one pool
    per broker URL: closing one would break every later test publishing there)."""
    app._pool = None
    app.amqp._producer_pool = None


@contextmanager
def broker(url):
    """Publish to ``url`` for real (as in production: tasks not eager)."""
    saved = app.conf.broker_url, app.conf.task_always_eager
    _reset_pools()
    app.conf.broker_url, app.conf.task_always_eager = url, False
    try:
        yield
    finally:
        _reset_pools()
        app.conf.broker_url, app.conf.task_always_eager = saved


@pytest.fixture
def redis_broker(redis_url):
    from django.conf import settings

    url = settings.CELERY_BROKER_URL  # this worker's own Redis database
    with Connection(url) as conn:
        conn.default_channel.client.delete("celery")
    return url


def take_messages(url):
    """What a worker would receive from the default queue: [(task name, args, kwargs)]."""
    with Connection(url) as conn:
        client = conn.default_channel.client
        raw = [json.loads(m) for m in client.lrange("celery", 0, -1)]
        client.delete("celery")
    out = []
    for message in raw:
        body = message["body"]
        args, kwargs, _embed = json.loads(base64.b64decode(body))
        out.append((message["headers"]["task"], args, kwargs))
    return out


def invite(client, owner, email):
    return client.post(
        reverse("accounts:invite", kwargs={"slug": owner.organisation.slug}),
        {"email": email, "role": "member", "language": "en"},
    )


def test_a_page_that_enqueues_answers_while_redis_is_down_and_the_job_runs_once_it_is_back(
    client, redis_broker, django_capture_on_commit_callbacks, caplog
):
    owner = OwnerFactory()
    client.force_login(owner.user)
    mail.outbox = []

    with broker(f"redis://127.0.0.1:{closed_port()}/0"):
        with django_capture_on_commit_callbacks(execute=True):
            response = invite(client, owner, "late@example.com")
        assert response.status_code == 302
        invitation = Invitation.objects.get(email="late@example.com")  # the data is saved
        [queued] = TaskOutbox.objects.all()
        assert (queued.task_name, queued.args, queued.kwargs) == (INVITATION_TASK, [invitation.pk], {})
        assert "Could not enqueue" in caplog.text
        assert drain_task_outbox() == 0  # broker still down: kept, attempt counted
        queued.refresh_from_db()
        assert queued.attempts == 1 and queued.error
    assert mail.outbox == []

    with broker(redis_broker):
        assert drain_task_outbox() == 1
    assert not TaskOutbox.objects.exists()
    [(name, args, kwargs)] = take_messages(redis_broker)  # sent once
    assert (name, args, kwargs) == (INVITATION_TASK, [invitation.pk], {})
    assert app.tasks[name].apply(args=args, kwargs=kwargs).get() is True  # what the worker runs
    assert [m.to for m in mail.outbox] == [["late@example.com"]]


def test_with_the_broker_up_nothing_goes_to_the_outbox(redis_broker):
    invitation = InvitationFactory(email="now@example.com")
    with broker(redis_broker):
        assert enqueue(INVITATION_TASK, invitation.pk) is True
    assert not TaskOutbox.objects.exists()
    assert take_messages(redis_broker) == [(INVITATION_TASK, [invitation.pk], {})]


def test_eager_tasks_run_inline_as_delay_would(settings):
    invitation = InvitationFactory(email="inline@example.com")
    mail.outbox = []
    assert enqueue(INVITATION_TASK, invitation.pk) is True
    assert [m.to for m in mail.outbox] == [["inline@example.com"]]
    assert not TaskOutbox.objects.exists()
