"""``core.publishing``: a listing's or partner page's publish with fewer queries leaves the page,
its revision, its child rows, Wagtail's admin search entry and its reference index exactly as
Wagtail's own publish does (each compared with a rebuild from scratch or Wagtail's own path)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from modelcluster.models import ClusterableModel
from wagtail.models import Page, ReferenceIndex
from wagtail.search.backends import get_search_backend
from wagtail.search.models import IndexEntry

from catalog.models import ListingPage, ListingScreenshot
from core.publishing import cannot_change_entry, targets_exist
from core.reference_index import one_update_per_object
from partners.models import PartnerPage
from tests.factories.catalog import image
from tests.factories.marketplace import make_listing
from tests.factories.partners import provisioned_partner

pytestmark = pytest.mark.django_db

ENTRY = ("title", "autocomplete", "body", "title_text", "body_text")
INDEX_TABLE = IndexEntry._meta.db_table


def _entry(page) -> dict:
    entry = IndexEntry.objects.filter(object_id=str(page.pk), content_type_id=page.content_type_id)
    return entry.values(*ENTRY).get()


def _rebuilt_entry(page) -> dict:
    IndexEntry.objects.filter(object_id=str(page.pk), content_type_id=page.content_type_id).delete()
    fresh = type(page).objects.get(pk=page.pk)
    get_search_backend().add(fresh)
    return _entry(fresh)


def _entry_writes(queries) -> int:
    return sum(1 for q in queries if q["sql"].lstrip().startswith(f"INSERT INTO {INDEX_TABLE} "))


def _references(page) -> set:
    return set(
        ReferenceIndex.get_references_for_object(page).values_list(
            "content_type_id", "to_content_type_id", "to_object_id", "model_path", "content_path"
        )
    )


def _rebuilt_references(page) -> set:
    ReferenceIndex.objects.filter(object_id=str(page.pk)).delete()
    ReferenceIndex.create_or_update_for_object(type(page).objects.get(pk=page.pk))
    return _references(page)


def _listing_with_children():
    listing = make_listing(logo=image("logo"))
    for n in range(3):
        ListingScreenshot.objects.create(listing=listing, image=image(f"shot {n}"), sort_order=n)
    listing.tags.add("crm", "erp")
    listing.save_revision().publish()
    return ListingPage.objects.get(pk=listing.pk)


# --- Wagtail's admin search index -------------------------------------------------------------


def test_save_revision_leaves_the_entry_and_the_publish_writes_what_a_rebuild_writes():
    page = _listing_with_children()
    before = _entry(page)
    page.title_en = "Contract manager"  # in the revision only, until it is published
    page.tagline = "合同管理"
    with CaptureQueriesContext(connection) as revision_queries:
        revision = page.save_revision()
    assert _entry_writes(revision_queries.captured_queries) == 0
    assert _entry(page) == before
    with CaptureQueriesContext(connection) as publish_queries:
        revision.publish()
    assert _entry_writes(publish_queries.captured_queries) == 1
    published = _entry(page)
    assert "Contract manager" in published["body_text"] and published != before
    assert published == _rebuilt_entry(page)


def test_a_partner_page_publish_ends_with_a_rebuilt_entry():
    page = PartnerPage.objects.get(pk=provisioned_partner().page.pk)
    page.title_en = "Northwind Consulting"
    with CaptureQueriesContext(connection) as queries:
        page.save_revision().publish()
    assert _entry_writes(queries.captured_queries) == 1  # was two: save_revision's too
    assert "Northwind Consulting" in _entry(page)["body_text"]
    assert _entry(page) == _rebuilt_entry(page)


def test_a_save_that_writes_an_indexed_field_still_writes_the_entry():
    page = _listing_with_children()
    page.title_en = "Renamed in place"
    page.save(update_fields=["title_en"], clean=False)
    assert "Renamed in place" in _entry(page)["body_text"]
    assert cannot_change_entry(ListingPage, ["draft_title", "latest_revision_id", "has_unpublished_changes"])
    assert not cannot_change_entry(ListingPage, ["draft_title", "title"])
    assert not cannot_change_entry(ListingPage, None)  # a whole save


def test_deleting_a_page_still_removes_its_entry():
    page = _listing_with_children()
    assert _entry(page)
    Page.objects.get(pk=page.pk).specific.delete()
    assert not IndexEntry.objects.filter(
        object_id=str(page.pk), content_type_id=page.content_type_id
    ).exists()


# --- The reference index --------------------------------------------------------------------


def test_a_revision_columns_save_that_drops_the_child_rows_still_updates_the_parent():
    page = _listing_with_children()
    assert {path for _c, _t, _id, path, _p in _references(page)} >= {"logo", "screenshots.item.image"}
    page.screenshots = []  # the commit deletes them all and saves none
    page.draft_title = "draft"
    with one_update_per_object():
        page.save(update_fields=["draft_title", "screenshots"], clean=False)
    after = _references(page)
    assert not {to_id for _c, _t, to_id, path, _p in after if path == "screenshots.item.image"}
    assert after == _rebuilt_references(page)


def test_a_publish_leaves_the_references_a_rebuild_gives_for_listings_and_partner_pages():
    page = _listing_with_children()
    page.logo = image("new logo")
    page.screenshots = [
        *list(page.screenshots.all())[:1],
        ListingScreenshot(image=image("new"), sort_order=9),
    ]
    page.save_revision().publish()
    assert _references(page) == _rebuilt_references(page)
    partner_page = PartnerPage.objects.get(pk=provisioned_partner().page.pk)
    partner_page.save_revision().publish()
    assert _references(partner_page) == _rebuilt_references(partner_page)


# --- Reading the revision back ----------------------------------------------------------------


def _wagtails_read(content):
    """What the page reads from ``content`` with modelcluster's check of each key."""
    return ClusterableModel.from_serializable_data.__func__(ListingPage, content, check_fks=True)


def _as_data(page) -> dict:
    return page.serializable_data()


def test_the_revision_read_back_is_wagtails_with_one_query_per_related_model():
    page = _listing_with_children()
    revision = page.save_revision()
    content = revision.content
    assert len(content["screenshots"]) == 3 and len(content["tagged_items"]) == 2
    with CaptureQueriesContext(connection) as wagtails:
        expected = _as_data(_wagtails_read(content))
    with CaptureQueriesContext(connection) as ours:
        read = _as_data(ListingPage.from_serializable_data(content))
    assert read == expected
    checks = [q for q in ours.captured_queries if " IN (" in q["sql"]]
    assert len(ours.captured_queries) < len(wagtails.captured_queries)
    assert len(checks) == len({q["sql"].split(" FROM ")[1].split()[0] for q in checks})  # one per table
    assert revision.as_object().serializable_data() == _as_data(revision.as_object())


def test_a_revision_pointing_at_deleted_objects_reads_as_wagtails_does():
    page = _listing_with_children()
    content = page.save_revision().content
    logo, shot = page.logo, page.screenshots.all()[0]
    ListingPage.objects.filter(pk=page.pk).update(logo=None)
    logo.delete()
    shot.image.delete()  # cascades to the screenshot row; the revision still names both
    assert not targets_exist(ListingPage, content)
    read = ListingPage.from_serializable_data(content)
    assert read.logo_id is None and len(read.screenshots.all()) == 2
    assert _as_data(read) == _as_data(_wagtails_read(content))


def _existence_checks(queries, table) -> int:
    return sum(1 for q in queries if q["sql"].startswith(f'SELECT 1 AS "a" FROM "{table}"'))


def test_the_publish_validates_the_page_without_asking_again_for_rows_it_just_found():
    page = _listing_with_children()
    with CaptureQueriesContext(connection) as revision_queries:
        revision = page.save_revision()
    with CaptureQueriesContext(connection) as publish_queries:
        revision.publish()
    for table in ("partners_partner", "wagtailimages_image"):
        assert _existence_checks(revision_queries.captured_queries, table) == 1  # save_revision: as before
        assert _existence_checks(publish_queries.captured_queries, table) == 0  # found reading it back
    # The new revision was not among them: still looked up (latest and live revision).
    assert _existence_checks(publish_queries.captured_queries, "wagtailcore_revision") >= 1
    # Outside a publish the page's validation asks as Django does.
    with CaptureQueriesContext(connection) as clean_queries:
        ListingPage.objects.get(pk=page.pk).full_clean()
    assert _existence_checks(clean_queries.captured_queries, "partners_partner") == 1


def test_the_publish_still_rejects_what_validation_rejects():
    from django.core.exceptions import ValidationError

    page = _listing_with_children()
    page.support_email = "not an address"
    revision = page.save_revision(clean=False)
    with pytest.raises(ValidationError) as error:
        revision.publish()
    assert set(error.value.message_dict) == {"support_email"}
