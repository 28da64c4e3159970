"""Billing's Celery tasks, one module per sub-domain: thin wrappers that take ids and call services.

Celery's autodiscovery imports ``billing.tasks``; the imports below register every module's tasks.
Task names (``billing.…``) are explicit, so moving a task between modules never renames it.
"""

from billing.tasks import facts, payouts, plans, subscriptions, trials, webhooks  # noqa: F401
