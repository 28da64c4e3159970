"""Celery's autodiscovery finds every billing task in the ``billing/tasks/`` package, under its
old name, in a fresh process (nothing else imported first) — what ``celery inspect registered``
shows a worker — and every beat entry names a registered task."""

import json
import os
import subprocess
import sys

from django.conf import settings

BILLING_TASKS = {
    "billing.expire_trials",
    "billing.generate_monthly_statements",
    "billing.process_webhook_event",
    "billing.remind_trials",
    "billing.render_statement_pdfs",
    "billing.report_billing_facts",
    "billing.run_statements",
    "billing.send_payment_failed_email",
    "billing.suspend_overdue_subscriptions",
    "billing.sync_listing_plans",
}

SCRIPT = """
import json, django
django.setup()
from config.celery import app
app.loader.import_default_modules()
print(json.dumps(sorted(app.tasks)))
"""


def test_a_fresh_worker_registers_every_billing_task_and_beat_entry():
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        capture_output=True,
        text=True,
        timeout=120,
        env=os.environ.copy(),
        cwd=settings.BASE_DIR,
        check=True,
    )
    registered = set(json.loads(out.stdout.strip().splitlines()[-1]))
    assert registered >= BILLING_TASKS, BILLING_TASKS - registered
    beat = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert beat <= registered, beat - registered
