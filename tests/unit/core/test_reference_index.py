"""``core.reference_index``: a publish rebuilds a page's reference index once, and the index ends
exactly as Wagtail's one-update-per-save left it (a rebuild from scratch gives the same rows),
and bumps the cached pages' content version once per step."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import ReferenceIndex

from catalog.models import ListingPage, ListingScreenshot
from core.reference_index import one_update_per_object
from partners.models import PartnerPage
from tests.factories.catalog import image
from tests.factories.marketplace import make_listing
from tests.factories.partners import provisioned_partner

pytestmark = pytest.mark.django_db


def _rows(page) -> set:
    return set(
        ReferenceIndex.get_references_for_object(page).values_list(
            "to_content_type_id", "to_object_id", "model_path", "content_path"
        )
    )


def _rebuilt(page) -> set:
    ReferenceIndex.objects.filter(object_id=str(page.pk)).delete()
    ReferenceIndex.create_or_update_for_object(ListingPage.objects.get(pk=page.pk))
    return _rows(page)


def _index_reads(queries) -> int:
    """One update of an object reads its existing rows once (with this alias, unlike the removals)."""
    read = 'SELECT "wagtailcore_referenceindex"."id" AS "id"'
    return sum(1 for q in queries if q["sql"].startswith(read))


def test_a_listing_publish_updates_its_references_once_and_ends_as_a_rebuild_would():
    listing = make_listing(logo=image("logo"))
    for n in range(2):
        ListingScreenshot.objects.create(listing=listing, image=image(f"shot {n}"), sort_order=n)
    listing.save_revision().publish()
    page = ListingPage.objects.get(pk=listing.pk)
    assert {path for _ct, _id, path, _cp in _rows(page)} >= {"logo", "screenshots.item.image"}

    # An edit: another logo, one screenshot dropped and a new one added.
    new_logo, new_shot = image("new logo"), image("new shot")
    page.logo = new_logo
    kept = list(page.screenshots.all())[:1]
    page.screenshots = [*kept, ListingScreenshot(image=new_shot, sort_order=5)]
    with CaptureQueriesContext(connection) as revision_queries:
        revision = page.save_revision()
    with CaptureQueriesContext(connection) as publish_queries:
        revision.publish()
    # save_revision writes revision columns only: no update (was one, and one per save before that)
    assert _index_reads(revision_queries.captured_queries) == 0
    assert _index_reads(publish_queries.captured_queries) == 1  # was 1 + one per screenshot row

    page = ListingPage.objects.get(pk=listing.pk)
    after = _rows(page)
    targets = {int(to_id) for _ct, to_id, path, _cp in after if path in ("logo", "screenshots.item.image")}
    assert targets == {new_logo.pk, kept[0].image_id, new_shot.pk}
    assert after == _rebuilt(page)


def test_a_partner_page_publish_keeps_its_references():
    partner = provisioned_partner()
    page = PartnerPage.objects.get(pk=partner.page.pk)
    page.save_revision().publish()
    before = _rows(page)
    ReferenceIndex.objects.filter(object_id=str(page.pk)).delete()
    ReferenceIndex.create_or_update_for_object(page)
    assert _rows(page) == before


def test_outside_the_block_each_save_updates_at_once_and_a_nested_block_leaves_it_to_the_outer():
    listing = make_listing()
    logo = image("logo")
    listing.logo = logo
    listing.save()  # Wagtail's own receiver, untouched
    assert any(path == "logo" for _ct, _id, path, _cp in _rows(listing))

    other = image("other")
    with one_update_per_object():
        with one_update_per_object():
            listing.logo = other
            listing.save()
        assert {int(i) for _ct, i, path, _cp in _rows(listing) if path == "logo"} == {logo.pk}
    assert {int(i) for _ct, i, path, _cp in _rows(listing) if path == "logo"} == {other.pk}


def test_an_error_inside_the_block_updates_nothing_and_switches_wagtails_receiver_back_on():
    listing = make_listing()
    logo = image("logo")
    with pytest.raises(RuntimeError), one_update_per_object():
        listing.logo = logo
        listing.save()
        raise RuntimeError
    assert not any(path == "logo" for _ct, _id, path, _cp in _rows(listing))
    listing.save()
    assert any(path == "logo" for _ct, _id, path, _cp in _rows(listing))


def test_a_publish_bumps_the_cached_pages_content_version_once_per_step():
    from django.core.cache import cache

    from core.fragments import CONTENT_VERSION_KEY, bump_content_version, one_content_bump

    listing = make_listing()
    cache.set(CONTENT_VERSION_KEY, 10, None)
    revision = listing.save_revision()
    assert cache.get(CONTENT_VERSION_KEY) == 11
    revision.publish()  # the page, its plans and receivers: one bump, not one per save
    assert cache.get(CONTENT_VERSION_KEY) == 12

    with one_content_bump():
        with one_content_bump():
            bump_content_version()
        bump_content_version()
        assert cache.get(CONTENT_VERSION_KEY) == 12
    assert cache.get(CONTENT_VERSION_KEY) == 13
    with one_content_bump():
        pass
    assert cache.get(CONTENT_VERSION_KEY) == 13
    bump_content_version()
    assert cache.get(CONTENT_VERSION_KEY) == 14


def test_inside_wagtails_own_switch_off_a_publish_leaves_the_index_alone():
    from wagtail.signal_handlers import disable_reference_index_auto_update

    listing = make_listing()
    logo = image("logo")
    with disable_reference_index_auto_update():
        listing.logo = logo
        listing.save_revision().publish()
        listing.save()  # still switched off after the publish
    assert not any(path == "logo" for _ct, _id, path, _cp in _rows(listing))
