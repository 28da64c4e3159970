"""Listing change sets (AWS Catalog API): applied by a task into one new revision sent to review,
the listing locked while one runs (409), a stale revision refused (409), per-change errors with
nothing changed, and the usual scope and other-partner rules."""

import pytest

from api.models import ChangeSet
from catalog.models import ListingPage
from partners.models import Event
from tests.factories.api import api_client, key_for, world

pytestmark = pytest.mark.django_db


def _start(token, listing, body, key="cs-1"):
    return api_client(token).post(
        f"/api/v1/listings/{listing.translation_key}/change-sets",
        body,
        content_type="application/json",
        headers={"Idempotency-Key": key},
    )


def _revision(token, listing):
    return api_client(token).get(f"/api/v1/listings/{listing.translation_key}").json()["revision"]


def test_change_set_becomes_a_reviewed_revision(mine, django_capture_on_commit_callbacks):
    _key, token = key_for(mine.partner, ["listings:read", "listings:write"])
    revision = _revision(token, mine.listing)
    assert revision == mine.listing.latest_revision_id is not None
    body = {
        "revision": revision,
        "changes": [
            {"field": "tagline", "value": "更快的对账"},
            {"field": "support_url", "value": "https://support.vendor.example.com/"},
        ],
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = _start(token, mine.listing, body)
    assert response.status_code == 202, response.content
    change_set = ChangeSet.objects.get(public_id=response.json()["id"])
    assert change_set.status == "succeeded" and change_set.errors == []
    listing = ListingPage.objects.get(pk=mine.listing.pk)
    assert listing.latest_revision_id == change_set.revision_id != revision
    draft = listing.get_latest_revision_as_object()
    assert draft.tagline == "更快的对账" and draft.support_url == "https://support.vendor.example.com/"
    assert listing.tagline != "更快的对账"  # the live page waits for review
    assert listing.workflow_in_progress
    assert Event.objects.filter(partner=mine.partner, type="change_set.succeeded").exists()
    polled = api_client(token).get(f"/api/v1/change-sets/{change_set.public_id}").json()
    assert polled["status"] == "succeeded" and polled["revision"] == change_set.revision_id
    # the listing is now in review: the next set fails as a whole, changing nothing
    with django_capture_on_commit_callbacks(execute=True):
        again = _start(token, mine.listing, {**body, "revision": change_set.revision_id}, key="cs-2")
    assert ChangeSet.objects.get(public_id=again.json()["id"]).errors[0]["code"] == "in_review"


def test_a_running_change_set_locks_the_listing(mine):
    _key, token = key_for(mine.partner, ["listings:write"])
    body = {"revision": None, "changes": [{"field": "tagline", "value": "一"}]}
    first = _start(token, mine.listing, body)  # not applied: on_commit never runs in this test
    assert first.status_code == 202 and first.json()["status"] == "preparing"
    second = _start(token, mine.listing, body, key="cs-2")
    assert second.status_code == 409
    assert second.json()["code"] == "change_set_in_progress"
    assert ChangeSet.objects.filter(listing_id=mine.listing.pk).count() == 1


def test_a_stale_revision_is_a_409(mine):
    _key, token = key_for(mine.partner, ["listings:write"])
    stale = mine.listing.latest_revision_id - 1
    response = _start(
        token, mine.listing, {"revision": stale, "changes": [{"field": "tagline", "value": "x"}]}
    )
    assert response.status_code == 409 and response.json()["code"] == "revision_conflict"
    assert not ChangeSet.objects.exists()


def test_failing_changes_are_reported_each_and_nothing_changes(mine, django_capture_on_commit_callbacks):
    _key, token = key_for(mine.partner, ["listings:write"])
    before = mine.listing.latest_revision_id
    body = {
        "revision": before,
        "changes": [
            {"field": "tagline", "value": "好"},
            {"field": "support_email", "value": "not-an-email"},
            {"field": "documentation_url", "value": "notaurl"},
        ],
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = _start(token, mine.listing, body)
    change_set = ChangeSet.objects.get(public_id=response.json()["id"])
    assert change_set.status == "failed"
    assert [(e["index"], e["field"]) for e in change_set.errors] == [
        (1, "support_email"),
        (2, "documentation_url"),
    ]
    assert ListingPage.objects.get(pk=mine.listing.pk).latest_revision_id == before
    assert Event.objects.filter(partner=mine.partner, type="change_set.failed").exists()


def test_unknown_field_is_a_400_and_other_partners_listing_a_404(mine):
    other = world()
    _key, token = key_for(mine.partner, ["listings:write", "listings:read"])
    bad = _start(token, mine.listing, {"revision": None, "changes": [{"field": "partner", "value": "1"}]})
    assert bad.status_code == 400
    foreign = _start(
        token, other.listing, {"revision": None, "changes": [{"field": "tagline", "value": "x"}]}, key="cs-2"
    )
    assert foreign.status_code == 404
    _key, read_only = key_for(mine.partner, ["listings:read"])
    refused = _start(
        read_only, mine.listing, {"revision": None, "changes": [{"field": "tagline", "value": "x"}]}
    )
    assert refused.status_code == 403 and refused.json()["scope"] == "listings:write"
