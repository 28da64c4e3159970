"""``manage.py health_report PARTNER_SLUG --output FILE.pdf [--language en] [--quarter 2026Q3]``

Writes one partner's health report. Without ``--quarter``: the quarter of its latest snapshot.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from health.services import reports as health_reports
from partners.models import Partner


class Command(BaseCommand):
    help = "Write a partner's quarterly health report (PDF)."

    def add_arguments(self, parser):
        parser.add_argument("partner_slug", help="The partner organisation's slug.")
        parser.add_argument("--output", "-o", required=True, help="Where to write the PDF.")
        parser.add_argument(
            "--language", default=settings.LANGUAGE_CODE, choices=[c for c, _n in settings.LANGUAGES]
        )
        parser.add_argument(
            "--quarter", help="YYYYQn, e.g. 2026Q3 (default: the latest quarter with scores)."
        )

    def handle(self, *args, **options):
        partner = (
            Partner.objects.select_related("organisation", "tier")
            .filter(organisation__slug=options["partner_slug"])
            .first()
        )
        if partner is None:
            raise CommandError(f"No partner with the slug {options['partner_slug']!r}.")
        if options["quarter"]:
            try:
                start, end = health_reports.parse_quarter(options["quarter"])
            except ValueError as exc:
                raise CommandError(str(exc)) from exc
        else:
            start, end = health_reports.default_period(partner)
        pdf = health_reports.render_partner_report(
            partner, period_start=start, period_end=end, language=options["language"]
        )
        with open(options["output"], "wb") as handle:
            handle.write(pdf)
        self.stdout.write(f"{options['output']}: {len(pdf):,} bytes ({health_reports.quarter_label(start)})")
