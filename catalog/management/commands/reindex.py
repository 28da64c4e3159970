"""``manage.py reindex``: rebuild the catalogue search index of the configured engine, with a
text progress bar (documents done, total, rate, time left). Switching engines
(``SEARCH_ENGINE`` / ``ELASTICSEARCH_URL``) needs only this command."""

import sys
import time

from django.core.management.base import BaseCommand, CommandError

from catalog.search import engine_name, get_engine
from catalog.search.indexing import BATCH_SIZE, refresh_ranking, reindex_all

BAR_WIDTH = 30


class ProgressBar:
    """``[#########-----]  45%  4,500/10,000  1,234/s  ETA 4s`` — redrawn in place on a terminal,
    one line per tenth otherwise (logs, CI)."""

    def __init__(self, stream, *, tty: bool | None = None):
        self.stream = stream
        self.tty = stream.isatty() if tty is None else tty
        self.started = time.perf_counter()
        self.last_tenth = -1

    def line(self, done: int, total: int) -> str:
        elapsed = max(time.perf_counter() - self.started, 1e-9)
        fraction = done / total if total else 1.0
        filled = int(BAR_WIDTH * fraction)
        rate = done / elapsed
        eta = (total - done) / rate if rate > 0 else 0
        return (
            f"[{'#' * filled}{'-' * (BAR_WIDTH - filled)}] {fraction:4.0%}  "
            f"{done:,}/{total:,}  {rate:,.0f} docs/s  ETA {eta:,.0f}s"
        )

    def __call__(self, done: int, total: int) -> None:
        if self.tty:
            self.stream.write("\r" + self.line(done, total), ending="")
            self.stream.flush()
            return
        tenth = int(10 * done / total) if total else 10
        if tenth != self.last_tenth or done == total:
            self.last_tenth = tenth
            self.stream.write(self.line(done, total))


class Command(BaseCommand):
    help = "Rebuild the catalogue search index (live listings) for the configured search engine."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=BATCH_SIZE, help="Listings read per batch.")
        parser.add_argument(
            "--ranking-only",
            action="store_true",
            help="Only recompute the time-dependent ranking signals (what the daily task does).",
        )

    def handle(self, *args, batch_size, ranking_only, verbosity, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        engine = get_engine()
        started = time.perf_counter()
        if ranking_only:
            count = refresh_ranking()
            self.stdout.write(self.style.SUCCESS(f"Ranking refreshed for {count:,} documents."))
            return
        if verbosity:
            self.stdout.write(f"Reindexing the catalogue into the {engine_name()} engine")
        bar = ProgressBar(self.stdout, tty=hasattr(sys.stdout, "isatty") and sys.stdout.isatty())
        from catalog.search.elastic.lifecycle import RebuildRunning

        try:
            count = reindex_all(progress=bar if verbosity else None, batch_size=batch_size, engine=engine)
        except RebuildRunning as exc:  # one Elasticsearch rebuild at a time
            raise CommandError(f"Not started: {exc}.") from exc
        if verbosity and bar.tty:
            self.stdout.write("")
        elapsed = time.perf_counter() - started
        rate = count / elapsed if elapsed else 0
        if verbosity:
            self.stdout.write(
                self.style.SUCCESS(f"Indexed {count:,} listings in {elapsed:.1f}s ({rate:,.0f}/s).")
            )
