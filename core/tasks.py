"""Liveness tasks for the Celery side of Symbio, and ``enqueue`` / ``enqueue_on_commit``.

``ping`` answers "pong" (for ``celery call`` and smoke tests). ``record_heartbeat`` is run by
beat on a schedule (``CELERY_BEAT_SCHEDULE["core-heartbeat"]``): it stores the time it ran in
the Django cache (Redis in production), so "beat schedules and a worker executes" can be
observed from anywhere that shares the cache, e.g. the beat container's health check::

    python manage.py shell --no-imports -c "from core.tasks import check_heartbeat; check_heartbeat()"
"""

import logging
from datetime import datetime
from functools import partial

from celery import current_app, shared_task
from django.core.cache import cache
from django.db import transaction
from django.db.models import F
from django.utils import timezone

logger = logging.getLogger(__name__)

HEARTBEAT_CACHE_KEY = "symbio:core:heartbeat"
# Beat runs the heartbeat every minute; three missed beats mean the schedule is not running.
HEARTBEAT_MAX_AGE_SECONDS = 180


@shared_task(name="core.tasks.ping")
def ping() -> str:
    return "pong"


@shared_task(name="core.tasks.refresh_search_title_norms", ignore_result=True)
def refresh_search_title_norms() -> bool:
    """The title norms Wagtail's admin search index defers on PostgreSQL (core/wagtail_search.py)."""
    from core.wagtail_search import refresh_title_norms

    return refresh_title_norms()


@shared_task(name="core.tasks.record_heartbeat", ignore_result=True)
def record_heartbeat() -> str:
    """Store the current time (ISO 8601, UTC) under HEARTBEAT_CACHE_KEY; return it."""
    now = timezone.now().isoformat()
    cache.set(HEARTBEAT_CACHE_KEY, now, timeout=None)
    return now


def last_heartbeat() -> datetime | None:
    """When a worker last ran ``record_heartbeat``; None if it never did (or the cache was flushed)."""
    value = cache.get(HEARTBEAT_CACHE_KEY)
    if not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return None


def check_heartbeat(max_age: int = HEARTBEAT_MAX_AGE_SECONDS) -> None:
    """Exit non-zero unless a heartbeat newer than ``max_age`` seconds is recorded."""
    at = last_heartbeat()
    if at is None:
        raise SystemExit("No Celery heartbeat recorded yet: is beat running, and a worker?")
    age = (timezone.now() - at).total_seconds()
    if age > max_age:
        raise SystemExit(f"Last Celery heartbeat {age:.0f} s ago (limit {max_age} s).")
    print(f"Celery heartbeat {age:.0f} s ago.")


# --- Enqueueing that survives a broker outage ------------------------------------------------
OUTBOX_BATCH = 500


def _task(task):
    """A task object from itself or its registered name (services enqueue by name, so they never
    import their app's ``tasks`` module, which imports them: no import cycle)."""
    if not isinstance(task, str):
        return task
    app = current_app._get_current_object()
    found = app.tasks.get(task)
    if found is None:
        app.loader.import_default_modules()  # autodiscovery, as a worker does on start
        found = app.tasks[task]
    return found


def enqueue(task, /, *args, **kwargs) -> bool:
    """Send ``task`` (a task or its name) with these arguments; True when the broker took it.

    With a real broker, a failed publish (Redis down) is logged and recorded in the outbox
    (:class:`core.models.TaskOutbox`) and never raised into the caller, whose data is already
    saved: ``drain_task_outbox`` (beat, every minute) sends it once the broker answers.
    With eager tasks (tests, ``make run`` without Redis) the task runs here, as ``delay`` would.
    """
    task = _task(task)
    if task.app.conf.task_always_eager:
        task.apply_async(args=args, kwargs=kwargs)
        return True
    try:
        task.apply_async(args=args, kwargs=kwargs)
    except Exception as exc:  # noqa: BLE001 - kombu/redis errors vary; every one means "not sent"
        logger.warning("Could not enqueue %s; kept in the outbox for a retry: %s", task.name, exc)
        _record_failed_enqueue(task.name, args, kwargs, exc)
        return False
    return True


def enqueue_on_commit(task, /, *args, **kwargs) -> None:
    """``enqueue`` once the current transaction commits (at once outside a transaction)."""
    transaction.on_commit(partial(enqueue, task, *args, **kwargs))


def _record_failed_enqueue(name: str, args, kwargs, exc: Exception) -> None:
    from core.models import TaskOutbox

    try:
        TaskOutbox.objects.create(task_name=name, args=list(args), kwargs=dict(kwargs), error=repr(exc)[:500])
    except Exception:  # noqa: BLE001 - the database is down too: nothing more we can keep
        logger.exception("Could not record the failed enqueue of %s %r %r", name, args, kwargs)


@shared_task(name="core.tasks.drain_task_outbox", ignore_result=True)
def drain_task_outbox(limit: int = OUTBOX_BATCH) -> int:
    """Send what could not be enqueued, oldest first; stop at the first failure (broker still down).

    Rows are locked (``SKIP LOCKED``) and deleted in the transaction that sent them, so two
    drains never send one row twice; a crash between the send and the commit sends it again
    (at least once: tasks are idempotent)."""
    from core.models import TaskOutbox

    sent = 0
    with transaction.atomic():
        for row in TaskOutbox.objects.select_for_update(skip_locked=True).order_by("pk")[:limit]:
            try:
                _task(row.task_name).apply_async(args=row.args, kwargs=row.kwargs)
            except Exception as exc:  # noqa: BLE001 - the broker is still away; keep the rest
                TaskOutbox.objects.filter(pk=row.pk).update(attempts=F("attempts") + 1, error=repr(exc)[:500])
                logger.warning("Outbox: %s still not sent: %s", row.task_name, exc)
                break
            row.delete()
            sent += 1
    if sent:
        logger.info("Outbox: %d task(s) sent", sent)
    return sent


# --- E-mail with retries ---------------------------------------------------------------------
# Every task that sends e-mail: OSError covers SMTP errors (smtplib.SMTPException) and refused
# connections; exponential backoff with jitter, at most 10 minutes apart, 5 retries.
EMAIL_RETRY = {
    "autoretry_for": (OSError,),
    "retry_backoff": True,
    "retry_backoff_max": 600,
    "retry_jitter": True,
    "max_retries": 5,
}


@shared_task(name="core.tasks.send_email", **EMAIL_RETRY)
def send_email(message: dict) -> int:
    """Send one message given as ``core.emails.message_payload`` wrote it; retried while SMTP is down."""
    from django.core.mail import EmailMultiAlternatives

    email = EmailMultiAlternatives(
        subject=message["subject"],
        body=message["body"],
        from_email=message.get("from_email"),
        to=message.get("to") or [],
        cc=message.get("cc") or [],
        bcc=message.get("bcc") or [],
        reply_to=message.get("reply_to") or [],
        headers=message.get("headers") or {},
    )
    email.content_subtype = message.get("content_subtype") or "plain"
    for content, mimetype in message.get("alternatives") or []:
        email.attach_alternative(content, mimetype)
    return email.send()
