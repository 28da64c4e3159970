"""``manage.py ecosystem_report --output FILE.pdf [--language en] [--quarter 2026Q3]``

Writes the ecosystem health report for management. Without ``--quarter``: the quarter of the
latest snapshot.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from health.services import reports as health_reports


class Command(BaseCommand):
    help = "Write the ecosystem health report (PDF)."

    def add_arguments(self, parser):
        parser.add_argument("--output", "-o", required=True, help="Where to write the PDF.")
        parser.add_argument(
            "--language", default=settings.LANGUAGE_CODE, choices=[c for c, _n in settings.LANGUAGES]
        )
        parser.add_argument(
            "--quarter", help="YYYYQn, e.g. 2026Q3 (default: the latest quarter with scores)."
        )

    def handle(self, *args, **options):
        if options["quarter"]:
            try:
                start, end = health_reports.parse_quarter(options["quarter"])
            except ValueError as exc:
                raise CommandError(str(exc)) from exc
        else:
            start, end = health_reports.default_period()

        def progress(value):
            if options["verbosity"] > 1:
                self.stderr.write(f"{value}%")

        pdf = health_reports.render_ecosystem_report(
            period_start=start, period_end=end, language=options["language"], progress=progress
        )
        with open(options["output"], "wb") as handle:
            handle.write(pdf)
        self.stdout.write(f"{options['output']}: {len(pdf):,} bytes ({health_reports.quarter_label(start)})")
