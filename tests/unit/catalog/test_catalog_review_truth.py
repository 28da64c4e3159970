"""Listing review that tells the truth (issue #18, point 7): a submission the pre-checks stop
sends no "submitted" e-mail and no webhook event; the old pre-check complaints disappear once
the listing passes; the requirements show before the first submit; slugs are Latin."""

import pytest
from django.core import mail

from catalog.models import ListingPage, ListingScreenshot
from catalog.selectors.review import State, review_status
from tests.factories.accounts import UserFactory
from tests.factories.catalog import complete_listing, image, submit
from tests.unit.catalog.helpers import edit_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser(db):
    return UserFactory(email="root@symbio.example.cn", is_superuser=True, is_staff=True)


def submitted_mails():
    return [m for m in mail.outbox if "root@symbio.example.cn" in m.to]


def test_a_submission_the_pre_checks_stop_sends_no_submitted_email(partner_a, owner_a, superuser):
    page = complete_listing(partner_a, user=owner_a, screenshots=0)

    state = submit(page, owner_a)

    assert state.status == state.STATUS_NEEDS_CHANGES  # returned by the pre-checks
    assert submitted_mails() == []
    assert review_status(page).state == State.RETURNED


def test_a_submission_that_reaches_the_reviewers_is_announced(partner_a, owner_a, superuser):
    page = complete_listing(partner_a, user=owner_a)

    state = submit(page, owner_a)

    assert state.status == state.STATUS_IN_PROGRESS
    assert submitted_mails()  # Wagtail's "submitted" notices


def test_old_pre_check_complaints_are_gone_once_the_listing_passes(partner_a, owner_a, reviewer):
    page = complete_listing(partner_a, user=owner_a, screenshots=0)
    state = submit(page, owner_a)
    assert review_status(page).problems  # "Add at least one screenshot."
    returned_at = state.current_task_state.started_at

    page = ListingPage.objects.get(pk=page.pk)  # the partner adds the screenshot and submits again
    page.screenshots = [ListingScreenshot(image=image("Shot", partner_a.workspace.collection))]
    page.save_revision(user=owner_a)
    state.refresh_from_db()
    state.resume(user=owner_a)  # what the editor's "Submit" does with a returned listing
    status = review_status(page)
    assert status.state == State.IN_REVIEW
    assert status.submitted_at > returned_at  # this attempt's time, not the failed one's
    state.current_task_state.specific.approve(user=reviewer, comment="")

    status = review_status(ListingPage.objects.get(pk=page.pk))
    assert status.state == State.LIVE
    assert status.problems == []
    assert all(c.author != "Automatic pre-checks" and "screenshot" not in c.text for c in status.comments)


def test_the_requirements_show_before_the_first_submit(client, partner_a, owner_a):
    page = complete_listing(partner_a, user=owner_a, screenshots=0)
    client.force_login(owner_a)

    html = client.get(edit_url(page)).content.decode()

    assert "Before you submit this listing for review" in html and "Add at least one screenshot." in html


@pytest.mark.parametrize(
    ("title", "title_en", "slug"),
    [("云帆门店通", "Store Connect", "store-connect"), ("云帆门店通", "", "yun-fan-men-dian-tong")],
)
def test_a_new_listings_slug_is_latin(partner_a, owner_a, title, title_en, slug):
    page = complete_listing(partner_a, user=owner_a, title=title, title_en=title_en, slug="云帆门店通")
    assert ListingPage.objects.get(pk=page.pk).slug == slug
