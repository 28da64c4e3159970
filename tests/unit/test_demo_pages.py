"""``demo.pages``: the seed's fast publish leaves a listing as ``save_revision().publish()`` does,
and bulk publishing still puts the pages into Wagtail's admin index and catalog.search's queue."""

from functools import partial

import pytest
from wagtail.search.models import IndexEntry
from wagtail.signals import page_published

from catalog.models import ListingPage
from catalog.search.tasks import index_listings
from demo.pages import bulk_publishing, publish_new
from partners.models import Event
from tests.factories.accounts import UserFactory
from tests.factories.marketplace import make_listing
from tests.factories.partners import provisioned_partner

pytestmark = pytest.mark.django_db

PAGE_FIELDS = (
    "live",
    "has_unpublished_changes",
    "expired",
    "draft_title",
    "url_path",
    "depth",
    "numchild",
    "locked",
)


def _state(page):
    page = ListingPage.objects.get(pk=page.pk)
    revisions = list(page.revisions.order_by("pk"))
    return {
        **{name: getattr(page, name) for name in PAGE_FIELDS if name not in ("url_path", "draft_title")},
        "title is draft title": page.draft_title == page.title,
        "revisions": len(revisions),
        "latest is live": page.latest_revision_id == page.live_revision_id == revisions[-1].pk,
        "revision user": revisions[-1].user_id is not None,
        "revision content": sorted(revisions[-1].content),
        "published": page.first_published_at is not None and page.last_published_at is not None,
        "latest revision at": page.latest_revision_created_at == revisions[-1].created_at,
        "admin index": IndexEntry.objects.filter(object_id=str(page.pk)).count(),
        "events": Event.objects.filter(type="listing.published", payload__slug=page.slug).count(),
    }


def test_publish_new_leaves_a_listing_as_wagtails_publish_does():
    partner = provisioned_partner()
    owner = UserFactory()
    normal = make_listing(partner, slug="normal")
    normal.save_revision(user=owner, log_action=False).publish(log_action=False)

    received = []

    def on_published(sender, instance, revision, **kwargs):
        received.append((instance.pk, revision.pk))

    page_published.connect(on_published, sender=ListingPage, weak=False)
    try:
        fast = make_listing(partner, slug="fast")
        with bulk_publishing(ListingPage):
            revision = publish_new(fast, user=owner)
    finally:
        page_published.disconnect(on_published, sender=ListingPage)
    assert received == [(fast.pk, revision.pk)]
    assert _state(fast) == _state(normal)


def test_publish_new_of_a_draft_keeps_it_unpublished():
    page = make_listing(slug="draft", live=False)
    revision = publish_new(page, user=None, live=False)
    page = ListingPage.objects.get(pk=page.pk)
    assert not page.live and page.has_unpublished_changes and page.live_revision_id is None
    assert page.latest_revision_id == revision.pk and page.first_published_at is None


def test_bulk_publishing_indexes_once_at_the_end_and_restores_the_receivers(
    django_capture_on_commit_callbacks,
):
    partner = provisioned_partner()
    with django_capture_on_commit_callbacks() as callbacks, bulk_publishing(ListingPage):
        page = make_listing(partner, slug="bulk")
        assert not IndexEntry.objects.filter(object_id=str(page.pk)).exists()  # not one save at a time
        publish_new(page)
        assert not [c for c in callbacks if isinstance(c, partial) and index_listings in c.args]
    assert IndexEntry.objects.filter(object_id=str(page.pk)).count() == 1
    search_tasks = [c for c in callbacks if isinstance(c, partial) and index_listings in c.args]
    assert [c.args[1:] for c in search_tasks] == [([page.pk],)]  # one task for the whole block
    # After the block, a save goes to the admin index at once again, a publish to catalog.search.
    other = make_listing(partner, slug="after")
    assert IndexEntry.objects.filter(object_id=str(other.pk)).exists()
    with django_capture_on_commit_callbacks() as callbacks:
        other.save_revision().publish()
    assert any(isinstance(c, partial) and index_listings in c.args for c in callbacks)
