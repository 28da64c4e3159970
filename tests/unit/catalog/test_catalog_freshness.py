"""Freshness: "last updated" moves on publish and on a new version; listings with no update for
the configured period are flagged and their owners warned once; staff delist with a reason."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation
from django_celery_beat.models import PeriodicTask
from wagtail.models import PageLogEntry

from catalog.models import CatalogSettings, ListingDelisting, ListingPage
from catalog.selectors.listings import live_listings
from catalog.services import freshness
from catalog.services.versions import VERSION_EXISTS, add_version
from catalog.tasks import flag_stale_listings
from tests.factories.catalog import complete_listing

pytestmark = pytest.mark.django_db


def age(page, *, days):
    ListingPage.objects.filter(pk=page.pk).update(last_updated_at=timezone.now() - timedelta(days=days))


@pytest.fixture
def stale(partner_a, owner_a):
    page = complete_listing(partner_a, user=owner_a, publish=True, slug="stale")
    age(page, days=400)
    return page


@pytest.fixture
def fresh(partner_a, owner_a):
    page = complete_listing(partner_a, user=owner_a, publish=True, slug="fresh")
    age(page, days=300)
    return page


# --- last updated -----------------------------------------------------------------------------
def test_last_updated_moves_on_publish(partner_a):
    page = complete_listing(partner_a)
    assert page.last_updated_at is None
    before = timezone.now()

    page.get_latest_revision().publish()

    page.refresh_from_db()
    assert page.last_updated_at >= before


def test_last_updated_moves_on_a_new_version(stale, owner_a):
    before = timezone.now()

    release = add_version(
        listing=stale, version="2.0.0", notes="新版本", notes_en="New release", user=owner_a
    )

    stale.refresh_from_db()
    assert stale.last_updated_at >= before
    assert list(stale.versions.all()) == [release]


def test_partner_adds_a_version_on_the_versions_screen(client, stale, owner_a, partner_b, owner_b):
    url = reverse("catalog_listing_versions", args=[stale.pk])
    client.force_login(owner_a)

    response = client.post(url, {"version": "3.1.0", "released_on": timezone.localdate().isoformat(),
                                 "notes": "修复问题", "notes_en": "Fixes"})  # fmt: skip

    assert response.status_code == 302
    stale.refresh_from_db()
    assert stale.versions.get().version == "3.1.0"
    assert stale.last_updated_at > timezone.now() - timedelta(minutes=1)
    again = client.post(url, {"version": "3.1.0", "released_on": timezone.localdate().isoformat()})
    with translation.override("en"):
        assert str(VERSION_EXISTS % {"version": "3.1.0"}) in again.content.decode()
    assert stale.versions.count() == 1
    client.force_login(owner_b)
    assert client.get(url).status_code == 404


# --- flagging ---------------------------------------------------------------------------------
def test_stale_listing_is_flagged_and_its_owners_warned_once(
    stale, fresh, owner_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert flag_stale_listings.delay().get() == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert flag_stale_listings.delay().get() == 0  # already warned

    stale.refresh_from_db()
    fresh.refresh_from_db()
    assert stale.stale_warned_at is not None
    assert fresh.stale_warned_at is None
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [owner_a.email]
    assert "星河财务云" in mail.outbox[0].body
    assert "/admin/my-listings/" in mail.outbox[0].body


def test_the_stale_period_is_a_setting(fresh):
    settings = CatalogSettings.load()
    settings.stale_after_months = 6
    settings.save()
    assert freshness.flag_stale_listings() == 1


def test_an_update_clears_the_flag(stale, owner_a):
    freshness.flag_stale_listings()
    add_version(listing=stale, version="9.0", user=owner_a)
    stale.refresh_from_db()
    assert stale.stale_warned_at is None
    assert freshness.flag_stale_listings() == 0


def test_the_daily_schedule_exists():
    task = PeriodicTask.objects.get(task="catalog.flag_stale_listings")
    assert task.enabled and task.crontab.hour == "5"


# --- delisting --------------------------------------------------------------------------------
def test_staff_delist_a_listing_with_a_reason(
    client, stale, reviewer, owner_a, django_capture_on_commit_callbacks
):
    freshness.flag_stale_listings()
    client.force_login(reviewer)
    assert "Galaxy Finance Cloud" in client.get(reverse("catalog_stale_listings")).content.decode()
    url = reverse("catalog_delist_listing", args=[stale.pk])

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"reason": "两年未更新 / Not updated for two years"})

    assert response.status_code == 302
    stale.refresh_from_db()
    assert not stale.live
    assert stale.delisted_at is not None and stale.delist_reason == "两年未更新 / Not updated for two years"
    record = ListingDelisting.objects.get()
    assert record.delisted_by == reviewer and record.listing_id == stale.pk
    assert PageLogEntry.objects.filter(page=stale, action=freshness.DELIST_LOG_ACTION).exists()
    assert stale not in live_listings()
    assert [m.to for m in mail.outbox if "Not updated for two years" in m.body] == [[owner_a.email]]


def test_delisting_needs_a_reason_and_changes_nothing_without_one(client, stale, reviewer):
    client.force_login(reviewer)
    response = client.post(reverse("catalog_delist_listing", args=[stale.pk]), {"reason": "  "})
    assert response.status_code == 200
    stale.refresh_from_db()
    assert stale.live and stale.delisted_at is None
    assert not ListingDelisting.objects.exists()


def test_partners_cannot_delist(client, stale, owner_a):
    client.force_login(owner_a)
    response = client.post(reverse("catalog_delist_listing", args=[stale.pk]), {"reason": "no"})
    assert response.status_code == 302 and response["Location"] == reverse("wagtailadmin_home")
    stale.refresh_from_db()
    assert stale.live
    assert client.get(reverse("catalog_stale_listings"))["Location"] == reverse("wagtailadmin_home")


def test_publishing_again_relists(stale, reviewer):
    freshness.delist_listing(listing=stale, user=reviewer, reason="stale")
    ListingPage.objects.get(pk=stale.pk).save_revision().publish()
    stale.refresh_from_db()
    assert stale.live and stale.delisted_at is None
    assert stale in live_listings()


def test_staff_find_a_delist_button_on_live_listings(client, stale, partner_a, reviewer, owner_a):
    delist = reverse("catalog_delist_listing", args=[stale.pk])
    explorer = reverse("wagtailadmin_explore", args=[partner_a.page.pk])
    client.force_login(reviewer)
    assert delist in client.get(explorer).content.decode()
    client.force_login(owner_a)
    assert delist not in client.get(explorer).content.decode()


def test_a_listing_that_is_not_live_cannot_be_delisted(client, partner_a, reviewer):
    draft = complete_listing(partner_a, slug="draft")
    client.force_login(reviewer)
    response = client.post(reverse("catalog_delist_listing", args=[draft.pk]), {"reason": "stale"})
    assert response.status_code == 200
    with translation.override("en"):
        assert str(freshness.DELIST_NOT_LIVE) in response.content.decode()
    assert not ListingDelisting.objects.exists()
