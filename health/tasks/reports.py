"""Health report tasks: thin wrappers over ``health.services.reports``.

* ``partners.generate_health_report(report_id)`` — render one ``GeneratedReport`` (progress on
  the row, polled by the progress bars);
* ``partners.send_quarterly_health_reports`` — beat entry ``partners-quarterly-health-reports``
  (``CELERY_BEAT_SCHEDULE``: 06:00 on the 5th of January, April, July and October): the
  ecosystem report of the last complete quarter, emailed to ``HealthSettings.report_recipients``;
* ``health.send_partner_quarterly_reports`` — beat entry ``health-partner-quarterly-reports`` (the
  same days, 07:00): each partner's own health report of that quarter, e-mailed to its owners.
"""

from celery import shared_task

from health.services import reports as health_reports

__all__ = ["generate_health_report", "send_partner_quarterly_reports", "send_quarterly_health_reports"]


@shared_task(name="partners.generate_health_report")
def generate_health_report(report_id: str) -> str:
    return health_reports.generate_report(report_id).status


@shared_task(name="partners.send_quarterly_health_reports")
def send_quarterly_health_reports() -> str | None:
    report = health_reports.send_quarterly_reports()
    return str(report.pk) if report else None


@shared_task(name="health.send_partner_quarterly_reports")
def send_partner_quarterly_reports() -> int:
    return health_reports.send_partner_quarterly_reports()
