"""Reads over Wagtail's WorkflowState / TaskState for the "Listing review" workflow: where a
listing stands, its place in the reviewers' queue, and how long reviews take.

The queue is every reviewer task state still in progress, oldest first (a resubmission joins at
the back). Review time is the time a reviewer task state took from start to decision.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.models import GroupApprovalTask, Page, TaskState, WorkflowState

from catalog.models import PreCheckTask
from catalog.models.review import PRECHECK_TASK_NAME, WORKFLOW_NAME, problems_from_comment

MEDIAN_WINDOW_DAYS = 30
DECIDED = (TaskState.STATUS_APPROVED, TaskState.STATUS_REJECTED)


class State:
    DRAFT = "draft"
    IN_REVIEW = "in_review"
    RETURNED = "returned"  # by the pre-checks
    CHANGES_REQUESTED = "changes_requested"
    LIVE = "live"
    LIVE_WITH_DRAFT = "live_with_draft"
    DELISTED = "delisted"


STATE_LABELS = {
    State.DRAFT: _("Draft"),
    State.IN_REVIEW: _("In review"),
    State.RETURNED: _("Returned by the pre-checks"),
    State.CHANGES_REQUESTED: _("Changes requested"),
    State.LIVE: _("Live"),
    State.LIVE_WITH_DRAFT: _("Live, with unpublished changes"),
    State.DELISTED: _("Delisted"),
}


@dataclass
class ReviewComment:
    author: str
    at: datetime | None
    text: str
    status: str  # TaskState status: "approved" / "rejected"
    task: str


@dataclass
class ReviewStatus:
    state: str
    workflow_state: WorkflowState | None = None
    submitted_at: datetime | None = None
    position: int | None = None
    problems: list[str] = field(default_factory=list)
    comments: list[ReviewComment] = field(default_factory=list)

    @property
    def label(self):
        return STATE_LABELS[self.state]

    @property
    def latest_comment(self) -> ReviewComment | None:
        return self.comments[0] if self.comments else None


def reviewer_task_ids() -> list[int]:
    return list(
        GroupApprovalTask.objects.filter(workflow_tasks__workflow__name=WORKFLOW_NAME).values_list(
            "pk", flat=True
        )
    )


def review_queue(task_ids: list[int] | None = None):
    """Reviewer task states waiting for a decision, in queue order."""
    task_ids = reviewer_task_ids() if task_ids is None else task_ids
    return TaskState.objects.filter(
        task_id__in=task_ids,
        status=TaskState.STATUS_IN_PROGRESS,
        workflow_state__status=WorkflowState.STATUS_IN_PROGRESS,
    ).order_by("started_at", "pk")


def queue_positions(task_ids: list[int] | None = None) -> dict[int, int]:
    """``{page id: 1-based place in the queue}`` for every page waiting for a reviewer."""
    object_ids = review_queue(task_ids).values_list("workflow_state__object_id", flat=True)
    return {int(object_id): n for n, object_id in enumerate(object_ids, start=1)}


def queue_length(task_ids: list[int] | None = None) -> int:
    return review_queue(task_ids).count()


def median_review_time(*, now=None, days: int = MEDIAN_WINDOW_DAYS, task_ids=None) -> timedelta | None:
    """Median time from entering the reviewer task to its decision, over decisions of the last
    ``days`` days; None without any."""
    now = now or timezone.now()
    task_ids = reviewer_task_ids() if task_ids is None else task_ids
    rows = TaskState.objects.filter(
        task_id__in=task_ids,
        status__in=DECIDED,
        finished_at__gt=now - timedelta(days=days),
        finished_at__lte=now,
    ).values_list("started_at", "finished_at")
    durations = [finished - started for started, finished in rows]
    return statistics.median(durations) if durations else None


def _latest_workflow_states(page_ids) -> dict[int, WorkflowState]:
    page_type = ContentType.objects.get_for_model(Page)
    states = (
        WorkflowState.objects.filter(base_content_type=page_type, object_id__in=[str(pk) for pk in page_ids])
        .select_related("current_task_state__task")
        .order_by("object_id", "-created_at", "-pk")
    )
    latest: dict[int, WorkflowState] = {}
    for state in states:
        latest.setdefault(int(state.object_id), state)
    return latest


def _comments(workflow_state_ids) -> dict[int, list[ReviewComment]]:
    rows = (
        TaskState.objects.filter(workflow_state_id__in=workflow_state_ids, status__in=DECIDED)
        .exclude(comment="")
        .select_related("finished_by", "task")
        .order_by("-finished_at", "-pk")
    )
    out: dict[int, list[ReviewComment]] = {}
    for row in rows:
        author = str(row.finished_by) if row.finished_by else str(_("Automatic pre-checks"))
        out.setdefault(row.workflow_state_id, []).append(
            ReviewComment(
                author=author, at=row.finished_at, text=row.comment, status=row.status, task=row.task.name
            )
        )
    return out


def review_statuses(pages) -> dict[int, ReviewStatus]:
    """``{page id: ReviewStatus}`` for ``pages`` (listing pages), in a fixed number of queries."""
    pages = list(pages)
    latest = _latest_workflow_states([p.pk for p in pages])
    task_ids = reviewer_task_ids()
    positions = queue_positions(task_ids)
    comments = _comments([state.pk for state in latest.values()])
    precheck_type = ContentType.objects.get_for_model(PreCheckTask).pk
    out = {}
    for page in pages:
        state = latest.get(page.pk)
        status = ReviewStatus(state=_page_state(page), workflow_state=state)
        if state is not None and state.status in (
            WorkflowState.STATUS_IN_PROGRESS,
            WorkflowState.STATUS_NEEDS_CHANGES,
        ):
            task_state = state.current_task_state
            # This attempt's time (a resubmission resumes the same workflow state, whose
            # created_at is the first, failed attempt).
            status.submitted_at = task_state.started_at if task_state else state.created_at
            status.comments = comments.get(state.pk, [])
            if state.status == WorkflowState.STATUS_IN_PROGRESS:
                status.state = State.IN_REVIEW
                status.position = positions.get(page.pk)
            elif task_state is not None and task_state.task.content_type_id == precheck_type:
                status.state = State.RETURNED
                status.problems = problems_from_comment(task_state.comment)
            else:
                status.state = State.CHANGES_REQUESTED
        elif state is not None:
            status.comments = comments.get(state.pk, [])
        if status.state != State.RETURNED:
            # Once the listing passed the pre-checks, their old complaints are history.
            status.comments = [c for c in status.comments if c.task != PRECHECK_TASK_NAME]
        out[page.pk] = status
    return out


def _page_state(page) -> str:
    if page.live:
        return State.LIVE_WITH_DRAFT if page.has_unpublished_changes else State.LIVE
    if page.delisted_at is not None:
        return State.DELISTED
    return State.DRAFT


def review_status(page) -> ReviewStatus:
    return review_statuses([page])[page.pk]
