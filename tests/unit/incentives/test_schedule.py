"""Every entry of CELERY_BEAT_SCHEDULE names a task the worker knows (incentives' among them)."""

from datetime import date
from unittest.mock import patch

import pytest
from django.conf import settings

from config.celery import app
from incentives.models import StarRating
from incentives.tasks import compute_star_ratings_task
from partners.models import PartnerKind
from partners.services.facts import ensure_metric, report_facts
from tests.factories.incentives import member_partner


def test_every_scheduled_task_is_registered():
    app.loader.import_default_modules()
    names = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"incentives.compute_star_ratings", "incentives.expire"} <= names
    assert names - set(app.tasks) == set()


@pytest.mark.django_db
def test_the_monthly_task_rates_the_month_just_ended():
    partner = member_partner(kind=PartnerKind.SERVICE)
    last_month = date(2026, 2, 1)
    ensure_metric(slug="certified_people", name="certified_people")
    report_facts(source="test", rows=[(partner.pk, "certified_people", last_month, "25")])
    with patch("django.utils.timezone.localdate", return_value=date(2026, 3, 2)):
        result = compute_star_ratings_task()
    assert result["stars"] == 1
    assert StarRating.objects.get(partner=partner).month == last_month
