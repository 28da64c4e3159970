"""A Celery worker killed mid-task: the message is acknowledged only after the task ran
(acks_late) and is delivered again when the worker process was lost, so it is not lost.
That a redelivery does not double anything rests on idempotent tasks and services: see
tests/unit/billing/test_billing_money_payouts.py (a statement is generated once; a payout
transfers and posts once, with a Stripe idempotency key) and
tests/unit/billing/test_billing_money_ledger.py (an invoice paid twice posts once)."""

from config.celery import app


def test_tasks_are_acknowledged_late_and_redelivered_when_the_worker_is_lost():
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.worker_prefetch_multiplier == 1  # a lost worker held at most one message
