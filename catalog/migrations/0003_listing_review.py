"""The "Listing review" workflow, reviewers' page permissions, and the daily freshness task.

* Tasks: "Automatic pre-checks" (``catalog.PreCheckTask``), then "Reviewer approval" (a
  ``GroupApprovalTask`` for the "Reviewers" group).
* The workflow is assigned to the partner directory page, so it covers every partner page and
  every listing below them (partner members cannot publish; this is their way to go live).
* Reviewers hold *publish* on the directory's subtree: approving the last task publishes the
  page as the approving reviewer, which Wagtail allows only to publishers. (They need no
  *change*: the group approval task itself opens the editor to them while a page waits for it.)
* ``catalog.flag_stale_listings`` daily at 05:00 (django-celery-beat).

Frozen data, historical models only; idempotent (existing rows are left as staff edited them).
"""

from django.db import migrations
from django.utils import timezone

WORKFLOW_NAME = "Listing review"
PRECHECK_TASK_NAME = "Automatic pre-checks"
REVIEW_TASK_NAME = "Reviewer approval"
REVIEWERS = "Reviewers"
REVIEWER_PAGE_PERMISSIONS = (("publish_page", "Publish any page"),)
SCHEDULE = (
    "Catalogue: flag stale listings",
    "catalog.flag_stale_listings",
    ("0", "5", "*"),
    "Flags live listings with no update for the configured period and warns their partners' owners once.",
)


def _content_type(apps, app_label, model):
    ContentType = apps.get_model("contenttypes", "ContentType")
    return ContentType.objects.get_or_create(app_label=app_label, model=model)[0]


def create_workflow(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    Workflow = apps.get_model("wagtailcore", "Workflow")
    WorkflowTask = apps.get_model("wagtailcore", "WorkflowTask")
    WorkflowPage = apps.get_model("wagtailcore", "WorkflowPage")
    GroupApprovalTask = apps.get_model("wagtailcore", "GroupApprovalTask")
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    PreCheckTask = apps.get_model("catalog", "PreCheckTask")
    PartnersIndexPage = apps.get_model("partners", "PartnersIndexPage")

    reviewers, _ = Group.objects.get_or_create(name=REVIEWERS)
    precheck = PreCheckTask.objects.filter(name=PRECHECK_TASK_NAME).first() or PreCheckTask.objects.create(
        name=PRECHECK_TASK_NAME, content_type=_content_type(apps, "catalog", "prechecktask"), active=True
    )
    review = GroupApprovalTask.objects.filter(name=REVIEW_TASK_NAME).first()
    if review is None:
        review = GroupApprovalTask.objects.create(
            name=REVIEW_TASK_NAME,
            content_type=_content_type(apps, "wagtailcore", "groupapprovaltask"),
            active=True,
        )
        review.groups.add(reviewers)

    workflow = Workflow.objects.filter(name=WORKFLOW_NAME).first()
    if workflow is None:
        workflow = Workflow.objects.create(name=WORKFLOW_NAME, active=True)
        WorkflowTask.objects.create(workflow=workflow, task_id=precheck.pk, sort_order=0)
        WorkflowTask.objects.create(workflow=workflow, task_id=review.pk, sort_order=1)

    index = PartnersIndexPage.objects.order_by("path").first()
    if index is None:
        return  # no directory yet: ``catalog.services.review.ensure_listing_review`` assigns it later
    if not WorkflowPage.objects.filter(page_id=index.pk).exists():
        WorkflowPage.objects.create(page_id=index.pk, workflow=workflow)
    page_type = _content_type(apps, "wagtailcore", "page")
    for codename, name in REVIEWER_PAGE_PERMISSIONS:
        permission, _ = Permission.objects.get_or_create(
            content_type=page_type, codename=codename, defaults={"name": name}
        )
        GroupPagePermission.objects.get_or_create(group=reviewers, page_id=index.pk, permission=permission)


def remove_workflow(apps, schema_editor):
    Workflow = apps.get_model("wagtailcore", "Workflow")
    Task = apps.get_model("wagtailcore", "Task")
    Workflow.objects.filter(name=WORKFLOW_NAME).delete()
    Task.objects.filter(name__in=[PRECHECK_TASK_NAME, REVIEW_TASK_NAME]).delete()


def create_schedule(apps, schema_editor):
    from django.conf import settings

    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    name, task, (minute, hour, day), description = SCHEDULE
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute=minute,
        hour=hour,
        day_of_month=day,
        month_of_year="*",
        day_of_week="*",
        timezone=settings.TIME_ZONE,
    )
    PeriodicTask.objects.get_or_create(
        name=name, defaults={"task": task, "crontab": crontab, "description": description, "enabled": True}
    )
    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


def remove_schedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(task=SCHEDULE[1]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0002_listings"),
        ("partners", "0005_partners_index_page"),
        ("accounts", "0002_staff_groups"),
        ("wagtailcore", "0098_apitoken"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        migrations.RunPython(create_workflow, remove_workflow),
        migrations.RunPython(create_schedule, remove_schedule),
    ]
