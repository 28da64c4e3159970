"""The shared progress of background jobs (tier evaluation, CSV imports, health runs, statements)."""

from types import SimpleNamespace

import pytest

from core.models import JobStatus, ProgressMixin


class Job(ProgressMixin, SimpleNamespace):
    pass


class Rows(ProgressMixin, SimpleNamespace):
    progress_fields = ("done_rows", "all_rows")


@pytest.mark.parametrize(
    ("status", "processed", "total", "percent", "finished"),
    [
        (JobStatus.QUEUED, 0, 0, 0, False),
        (JobStatus.RUNNING, 1, 3, 33, False),
        (JobStatus.RUNNING, 5, 3, 100, False),  # never above 100
        (JobStatus.DONE, 1, 3, 100, True),
        (JobStatus.FAILED, 0, 3, 100, True),  # the bar ends; the page shows the failure
    ],
)
def test_percent_and_finished(status, processed, total, percent, finished):
    job = Job(status=status, processed=processed, total=total)
    assert (job.percent, job.is_finished) == (percent, finished)


def test_counters_are_named_by_the_model():
    assert Rows(status=JobStatus.RUNNING, done_rows=3, all_rows=4).percent == 75
