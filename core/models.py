import uuid

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


class PublicIdModel(models.Model):
    """Public URLs use this UUID, never the primary key."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)

    class Meta:
        abstract = True


class JobStatus(models.TextChoices):
    """The life of a background job that shows its progress to the person who started it."""

    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class ProgressMixin:
    """``is_finished`` and ``percent`` of a job model with a ``JobStatus`` ``status`` and two
    counters, named by ``progress_fields`` (done, total)."""

    progress_fields = ("processed", "total")

    @property
    def is_finished(self) -> bool:
        return self.status in (JobStatus.DONE, JobStatus.FAILED)

    @property
    def percent(self) -> int:
        if self.is_finished:
            return 100
        done, total = (getattr(self, name) for name in self.progress_fields)
        return min(100, int(done * 100 / total)) if total else 0


class TaskOutbox(models.Model):
    """A task that could not be handed to the broker (Redis down) after its data was saved.

    Written by ``core.tasks.enqueue``; sent, then deleted, by ``core.tasks.drain_task_outbox``."""

    task_name = models.CharField(max_length=200)
    args = models.JSONField(default=list, encoder=DjangoJSONEncoder)
    kwargs = models.JSONField(default=dict, encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(auto_now_add=True)
    attempts = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("queued task")
        verbose_name_plural = _("queued tasks")

    def __str__(self) -> str:
        return self.task_name
