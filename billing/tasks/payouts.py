"""Payout statements: the monthly generation (beat, day 1 at 02:00), runs started by finance, PDFs.

Beat schedule (``CELERY_BEAT_SCHEDULE`` in ``config/settings/base.py``): statements monthly, facts
(``billing.tasks.facts``) daily; fulfilment notifications are retried by the webhook machinery.
"""

from datetime import date

from celery import shared_task
from django.utils import timezone

from billing.models import PayoutStatement
from billing.services import facts as facts_service
from billing.services import payouts as payout_service


@shared_task(name="billing.generate_monthly_statements")
def generate_monthly_statements(month: str | None = None) -> int:
    """Statements for ``month`` (ISO date, any day of it; default: last month) and their PDFs."""
    if month:
        target = date.fromisoformat(month)
    else:
        target = facts_service.prev_month(timezone.localdate().replace(day=1))
    ids = payout_service.generate_month(target)
    for statement_id in ids:
        render_statement_pdfs.delay(statement_id)
    return len(ids)


@shared_task(name="billing.run_statements", ignore_result=True)
def run_statements(run_id: int) -> None:
    """A statement run started from the finance screen (progress shown there)."""
    payout_service.execute_run(run_id)


@shared_task(name="billing.render_statement_pdfs", ignore_result=True)
def render_statement_pdfs(statement_id: int) -> None:
    statement = PayoutStatement.objects.select_related("partner__organisation").get(pk=statement_id)
    for language in payout_service.PDF_LANGUAGES:
        payout_service.ensure_pdf(statement, language)
