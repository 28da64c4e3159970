"""A task for the worker-lost test, imported by the worker through ``SYMBIO_TEST_CELERY_IMPORTS``:
it notes each process that starts it, works for a while (the first delivery only: the one the test
kills; a redelivery goes straight on), then applies its effect at most once (keyed, as the
project's tasks are: a statement per partner and month, a payout per statement)."""

import os
import time

from celery import shared_task
from django.core.cache import cache


@shared_task(name="tests.integration.slow_effect", acks_late=True)
def slow_effect(key: str, seconds: float) -> int:
    cache.set(f"{key}:started:{os.getpid()}", 1, 600)
    cache.set(f"{key}:last-pid", os.getpid(), 600)
    if cache.add(f"{key}:first-start", os.getpid(), 600):
        time.sleep(seconds)
    if cache.add(f"{key}:done", os.getpid(), 600):  # the effect, once
        cache.add(f"{key}:effects", 0, 600)
        cache.incr(f"{key}:effects")
    return os.getpid()
