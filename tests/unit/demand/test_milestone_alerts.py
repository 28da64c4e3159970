"""A milestone waiting for acceptance alerts the customer's and the partner's managers at 30, 60
and 90 days after delivery started: one e-mail per threshold, never repeated."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from demand.models import RequirementTransition
from demand.services import delivery as services


def _started_days_ago(requirement, days):
    RequirementTransition.objects.filter(requirement=requirement, to_state="in_delivery").update(
        at=timezone.now() - timedelta(days=days)
    )


@pytest.mark.django_db
def test_waiting_alerts_at_30_60_90_days_once_each(awarded, customer, partner_a):  # noqa: F811
    requirement = awarded.requirement
    services.start_delivery(requirement=requirement, by=customer)
    first, second = awarded.milestones.all()
    services.decide_milestone(milestone=first, by=customer, accept=True)
    mail.outbox.clear()
    _started_days_ago(requirement, 29)
    assert services.send_waiting_alerts() == 0 and not mail.outbox
    _started_days_ago(requirement, 31)
    assert services.send_waiting_alerts() == 1  # only the milestone not yet accepted
    recipients = sorted(address for m in mail.outbox for address in m.to)
    assert recipients == sorted(["buyer@customer.example.cn", "owner@partner-a.example.cn"])
    assert all(second.title in m.subject and "30" in m.subject for m in mail.outbox)
    assert services.send_waiting_alerts() == 0 and len(mail.outbox) == 2  # idempotent
    _started_days_ago(requirement, 61)
    assert services.send_waiting_alerts() == 1 and len(mail.outbox) == 4
    _started_days_ago(requirement, 95)
    assert services.send_waiting_alerts() == 1 and len(mail.outbox) == 6
    assert services.send_waiting_alerts() == 0 and len(mail.outbox) == 6
    second.refresh_from_db()
    assert second.waiting_alerted_days == 90


@pytest.mark.django_db
def test_no_alert_once_every_milestone_is_accepted(awarded, customer):  # noqa: F811
    requirement = awarded.requirement
    services.start_delivery(requirement=requirement, by=customer)
    for milestone in awarded.milestones.all():
        services.decide_milestone(milestone=milestone, by=customer, accept=True)
    _started_days_ago(requirement, 40)
    mail.outbox.clear()
    assert services.send_waiting_alerts() == 0 and not mail.outbox


def test_demand_tasks_are_scheduled_and_registered(settings):
    import demand.tasks  # noqa: F401 (registers the tasks)
    from config.celery import app

    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    demand_tasks = {
        "demand.remind_overdue_leads",
        "demand.expire_and_fall_back",
        "demand.report_facts",
        "demand.send_milestone_waiting_alerts",
    }
    assert demand_tasks <= scheduled
    assert demand_tasks <= set(app.tasks)
