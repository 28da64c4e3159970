"""Wagtail's "submitted to workflow" e-mail, only for a submission that really went to review.

The "Listing review" workflow's first task (the automatic pre-checks) may return a listing the
moment it is submitted; Wagtail would still e-mail "submitted". ``CatalogConfig.ready`` connects
this notifier under Wagtail's own ``dispatch_uid`` before ``wagtail.admin`` does (our apps come
first in ``INSTALLED_APPS``), so Django keeps ours and ignores Wagtail's duplicate.
"""

from wagtail.admin.mail import WorkflowStateSubmissionEmailNotifier
from wagtail.models import WorkflowState
from wagtail.signals import workflow_submitted

DISPATCH_UID = "workflow_state_submitted_email_notification"  # Wagtail's


class ReviewedSubmissionEmailNotifier(WorkflowStateSubmissionEmailNotifier):
    def can_handle(self, instance, **kwargs):
        return super().can_handle(instance, **kwargs) and instance.status == WorkflowState.STATUS_IN_PROGRESS


notifier = ReviewedSubmissionEmailNotifier()


def connect() -> None:
    workflow_submitted.connect(notifier, sender=WorkflowState, dispatch_uid=DISPATCH_UID)
