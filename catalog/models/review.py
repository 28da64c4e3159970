"""The "Listing review" workflow's first task: automatic pre-checks of a submitted listing.

The workflow (data migration ``catalog.0003_listing_review``) is assigned to the partner
directory page, so it covers every partner page and every listing below them:

1. ``PreCheckTask`` — runs ``catalog.services.prechecks`` on the submitted revision the moment
   the task starts. A listing with problems is rejected at once (the workflow goes to "needs
   changes", the page stays unpublished) with the problems as the task's comment, which the
   partner sees in Wagtail's workflow history, in an error message in the editor and on
   "My listings". A clean listing passes straight to the next task. Pages that are not listings
   (a partner's own profile page) pass without checks.
2. A ``GroupApprovalTask`` for the "Reviewers" group: approve (publishes) or request changes
   with a comment (Wagtail's own UI).
"""

from django.utils.translation import gettext_lazy as _
from wagtail.models import Task, TaskState

WORKFLOW_NAME = "Listing review"
PRECHECK_TASK_NAME = "Automatic pre-checks"
REVIEW_TASK_NAME = "Reviewer approval"


def format_problems(problems) -> str:
    """The task state's comment: one pre-check problem (its ``message``) per line."""
    return "\n".join(f"• {problem.message}" for problem in problems)


def problems_from_comment(comment: str) -> list[str]:
    """The problems written by :func:`format_problems`."""
    return [line.lstrip("• ").strip() for line in (comment or "").splitlines() if line.strip()]


class PreCheckTask(Task):
    """Automatic: no one acts on it, so it offers no actions and never locks the page."""

    #: ``run_prechecks(listing) -> list[Problem]``: catalog.services.prechecks' ``run_prechecks``,
    #: handed in by ``CatalogConfig.ready()`` (services import the models, so a model never
    #: imports them).
    run_prechecks = None

    def start(self, workflow_state, user=None):
        from catalog.models.listings import ListingPage

        task_state = super().start(workflow_state, user=user)
        listing = task_state.revision.as_object()
        problems = self.run_prechecks(listing) if isinstance(listing, ListingPage) else []
        # update=False: the workflow state that started us moves on (or stops) by itself once
        # it sees the task is no longer in progress.
        if problems:
            task_state.reject(user=None, update=False, comment=format_problems(problems))
        else:
            task_state.approve(user=None, update=False)
        return task_state

    def get_actions(self, obj, user):
        return []

    def get_task_states_user_can_moderate(self, user, **kwargs):
        return TaskState.objects.none()

    @classmethod
    def get_description(cls):
        return _("Checks a submitted listing automatically and returns it at once if something is missing.")

    class Meta:
        verbose_name = _("listing pre-check task")
        verbose_name_plural = _("listing pre-check tasks")
