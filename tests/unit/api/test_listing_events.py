"""The review workflow emits listing events for the partner's webhooks: submitted, then
approved and published (or rejected)."""

import pytest
from wagtail.models import TaskState

from partners.models import Event
from tests.factories.accounts import UserFactory, staff_member
from tests.factories.catalog import complete_listing, submit
from tests.factories.partners import provisioned_partner

pytestmark = pytest.mark.django_db


def _reviewer_task(page):
    return TaskState.objects.get(
        workflow_state__object_id=str(page.pk), task__name="Reviewer approval"
    ).specific


def _types(partner):
    return list(Event.objects.filter(partner=partner).order_by("pk").values_list("type", flat=True))


@pytest.fixture
def reviewer():
    return staff_member("reviewer", two_factor=False)


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
