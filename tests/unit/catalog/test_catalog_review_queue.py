"""The partner's view of review: queue position and median review time (from TaskStates), and
the "My listings" screen (active organisation only; 404 without a partner membership)."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from wagtail.models import TaskState

from accounts.models import Role
from accounts.selectors import SESSION_KEY
from catalog.selectors.review import (
    State,
    median_review_time,
    queue_length,
    queue_positions,
    review_statuses,
)
from catalog.services import prechecks
from tests.factories.accounts import MembershipFactory, UserFactory
from tests.factories.catalog import complete_listing, submit
from tests.unit.accounts.helpers import english

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 30, 12, 0, tzinfo=UTC)
MY_LISTINGS = "/admin/my-listings/"


def reviewer_task_state(page):
    return TaskState.objects.get(workflow_state__object_id=str(page.pk), task__name="Reviewer approval")


def set_times(page, *, started, finished=None):
    TaskState.objects.filter(pk=reviewer_task_state(page).pk).update(started_at=started, finished_at=finished)


def test_queue_position_follows_the_time_a_listing_reached_the_reviewers(
    partner_a, partner_b, owner_a, owner_b
):
    first = complete_listing(partner_b, user=owner_b)
    second = complete_listing(partner_a, user=owner_a)
    third = complete_listing(partner_a, user=owner_a)
    for page in (third, first, second):  # submitted in another order than they are timed
        submit(page, page.owner or owner_a)
    set_times(first, started=NOW - timedelta(hours=5))
    set_times(second, started=NOW - timedelta(hours=3))
    set_times(third, started=NOW - timedelta(hours=1))

    assert queue_positions() == {first.pk: 1, second.pk: 2, third.pk: 3}

    reviewer_task_state(first).reject(comment="Fix it")
    assert queue_positions() == {second.pk: 1, third.pk: 2}
    assert queue_length() == 2


def test_median_review_time_covers_the_decisions_of_the_last_30_days(partner_a, owner_a, reviewer):
    hours = []
    for n, (age_days, length_hours) in enumerate([(1, 2), (5, 4), (12, 6), (29, 30), (40, 100)]):
        page = complete_listing(partner_a, user=owner_a, slug=f"timed-{n}")
        submit(page, owner_a)
        state = reviewer_task_state(page)
        (state.approve if n % 2 else state.reject)(user=reviewer)
        finished = NOW - timedelta(days=age_days)
        set_times(page, started=finished - timedelta(hours=length_hours), finished=finished)
        hours.append(length_hours)

    assert median_review_time(now=NOW) == timedelta(hours=5)  # (4 + 6) / 2; the 40-day-old one is out
    assert median_review_time(now=NOW - timedelta(days=100)) is None


def test_review_statuses_tell_each_state_apart(partner_a, owner_a, reviewer):
    draft = complete_listing(partner_a, user=owner_a, slug="draft")
    live = complete_listing(partner_a, user=owner_a, slug="live", publish=True)
    queued = complete_listing(partner_a, user=owner_a, slug="queued")
    returned = complete_listing(partner_a, user=owner_a, slug="returned", screenshots=0)
    changes = complete_listing(partner_a, user=owner_a, slug="changes")
    for page in (queued, returned, changes):
        with translation.override("en"):
            submit(page, owner_a)
    reviewer_task_state(changes).reject(user=reviewer, comment="More detail, please.")

    statuses = review_statuses([draft, live, queued, returned, changes])

    assert {pk: s.state for pk, s in statuses.items()} == {
        draft.pk: State.DRAFT,
        live.pk: State.LIVE,
        queued.pk: State.IN_REVIEW,
        returned.pk: State.RETURNED,
        changes.pk: State.CHANGES_REQUESTED,
    }
    assert statuses[queued.pk].position == 1
    with translation.override("en"):
        assert statuses[returned.pk].problems == [str(prechecks.NO_SCREENSHOT)]
    assert statuses[changes.pk].latest_comment.text == "More detail, please."


# --- the screen -------------------------------------------------------------------------------
def test_my_listings_shows_state_position_and_median(
    client, partner_a, partner_b, owner_a, owner_b, reviewer
):
    other = complete_listing(partner_b, user=owner_b, slug="other-first")
    mine = complete_listing(partner_a, user=owner_a, slug="mine-second")
    done = complete_listing(partner_a, user=owner_a, slug="mine-done")
    for page in (other, mine, done):
        submit(page, page.owner)
    now = timezone.now()
    set_times(other, started=now - timedelta(hours=3))
    set_times(mine, started=now - timedelta(hours=2))
    reviewer_task_state(done).approve(user=reviewer)
    set_times(done, started=now - timedelta(hours=30), finished=now - timedelta(hours=3))
    client.force_login(owner_a)

    response = client.get(MY_LISTINGS)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Position 2 of 2 in the queue." in html
    assert "Median review time over the last 30 days: 1 day 3 hours." in html
    assert "星河财务云" in html and "mine-second" not in html  # titles, not slugs
    assert reverse("wagtailadmin_pages:edit", args=[mine.pk]) in html
    assert reverse("wagtailadmin_pages:edit", args=[other.pk]) not in html  # partner B's


def test_my_listings_lists_the_problems_of_a_returned_submission(client, partner_a, owner_a):
    page = complete_listing(partner_a, user=owner_a, privacy_url="")
    with translation.override("en"):
        submit(page, owner_a)
        expected = str(prechecks.REQUIRED % {"field": "Privacy policy"})
    client.force_login(owner_a)

    html = client.get(MY_LISTINGS).content.decode()

    assert "Returned by the pre-checks" in html
    assert expected in html


def test_my_listings_is_404_without_a_partner_membership(client, customer, reviewer):
    client.force_login(reviewer)  # in the admin, but no partner's member
    assert client.get(MY_LISTINGS).status_code == 404
    client.force_login(customer)  # not even in the admin: Wagtail sends them to log in
    response = client.get(MY_LISTINGS)
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


def test_my_listings_shows_only_the_active_organisations_listings(client, partner_a, partner_b):
    both = english(UserFactory())
    MembershipFactory(user=both, organisation=partner_a.organisation, role=Role.MEMBER)
    MembershipFactory(user=both, organisation=partner_b.organisation, role=Role.MEMBER)
    a = complete_listing(partner_a, title="甲方应用")
    b = complete_listing(partner_b, title="乙方应用")
    client.force_login(both)

    for organisation, shown, hidden in ((partner_a.organisation, a, b), (partner_b.organisation, b, a)):
        session = client.session
        session[SESSION_KEY] = organisation.pk
        session.save()
        html = client.get(MY_LISTINGS).content.decode()
        assert shown.title in html and hidden.title not in html


def test_menu_offers_my_listings_to_partner_members_only(client, member_a, partner_a, reviewer):
    client.force_login(member_a)
    assert MY_LISTINGS in client.get(reverse("wagtailadmin_home")).content.decode()
    client.force_login(reviewer)
    assert MY_LISTINGS not in client.get(reverse("wagtailadmin_home")).content.decode()
