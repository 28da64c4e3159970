"""The "Listing review" workflow as a service: ``ensure_listing_review`` makes sure it exists and
covers the partner directory (the data migration ``catalog.0003_listing_review`` does the same
at install time; this catches a directory page created afterwards, e.g. by a fresh seed)."""

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from wagtail.models import GroupApprovalTask, GroupPagePermission, Workflow, WorkflowPage, WorkflowTask

from catalog.models import PreCheckTask
from catalog.models.review import PRECHECK_TASK_NAME, REVIEW_TASK_NAME, WORKFLOW_NAME
from partners.models import PartnersIndexPage

REVIEWERS_GROUP = "Reviewers"
REVIEWER_PAGE_PERMISSIONS = ("publish_page",)  # approving publishes as the reviewer


@transaction.atomic
def ensure_listing_review() -> Workflow:
    reviewers, _created = Group.objects.get_or_create(name=REVIEWERS_GROUP)
    workflow = Workflow.objects.filter(name=WORKFLOW_NAME).first()
    if workflow is None:
        precheck = PreCheckTask.objects.filter(
            name=PRECHECK_TASK_NAME
        ).first() or PreCheckTask.objects.create(name=PRECHECK_TASK_NAME)
        review = GroupApprovalTask.objects.filter(name=REVIEW_TASK_NAME).first()
        if review is None:
            review = GroupApprovalTask.objects.create(name=REVIEW_TASK_NAME)
            review.groups.add(reviewers)
        workflow = Workflow.objects.create(name=WORKFLOW_NAME)
        WorkflowTask.objects.create(workflow=workflow, task=precheck, sort_order=0)
        WorkflowTask.objects.create(workflow=workflow, task=review, sort_order=1)
    index = PartnersIndexPage.objects.order_by("path").first()
    if index is not None:
        WorkflowPage.objects.get_or_create(page=index, defaults={"workflow": workflow})
        permissions = Permission.objects.filter(
            content_type__app_label="wagtailcore", codename__in=REVIEWER_PAGE_PERMISSIONS
        )
        for permission in permissions:
            GroupPagePermission.objects.get_or_create(group=reviewers, page=index, permission=permission)
    return workflow
