"""The review workflow emits listing events for the partner's webhooks: submitted, then
approved and published (or rejected)."""

import pytest
from django.contrib.auth.models import Group
from wagtail.models import TaskState

from accounts.roles import STAFF_GROUPS
from partners.models import Event
from tests.unit.accounts.factories import UserFactory
from tests.unit.catalog.factories import complete_listing, submit
from tests.unit.partners.factories import provisioned_partner

pytestmark = pytest.mark.django_db


def _reviewer_task(page):
    return TaskState.objects.get(
        workflow_state__object_id=str(page.pk), task__name="Reviewer approval"
    ).specific


def _types(partner):
    return list(Event.objects.filter(partner=partner).order_by("pk").values_list("type", flat=True))


@pytest.fixture
def reviewer():
    user = UserFactory()
    user.groups.add(Group.objects.get(name=STAFF_GROUPS["reviewer"].name))
    return user


@pytest.mark.parametrize("decision", ["approve", "reject"])
def test_review_decisions_become_listing_events(reviewer, decision):
    owner = UserFactory()
    partner = provisioned_partner(owner=owner)
    page = complete_listing(partner, user=owner)
    submit(page, owner)
    task = _reviewer_task(page)
    if decision == "approve":
        task.approve(user=reviewer)
        assert _types(partner)[-3:] == ["listing.submitted", "listing.published", "listing.approved"]
    else:
        task.reject(user=reviewer, comment="More detail, please.")
        assert _types(partner)[-2:] == ["listing.submitted", "listing.rejected"]
    event = Event.objects.filter(partner=partner).last()
    assert event.payload["id"] == str(page.translation_key)
