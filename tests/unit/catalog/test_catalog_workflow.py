"""Listing review through Wagtail's own workflow and permissions: partner members draft and
submit under their own partner page only; reviewers approve (publishes) or request changes."""

import pytest
from django.urls import reverse
from wagtail.models import Page, WorkflowState

from catalog.models import ListingPage
from catalog.selectors.review import State, review_status
from tests.factories.catalog import category, complete_listing, submit
from tests.unit.catalog.helpers import add_url, edit_url, editor_form_data

pytestmark = pytest.mark.django_db

CHANGES = "请补充英文截图。 Please add screenshots of the English interface."


def workflow_action_url(page, action, task_state):
    return reverse("wagtailadmin_pages:workflow_action", args=[page.pk, action, task_state.pk])


# --- creating and publishing ------------------------------------------------------------------
def test_member_creates_a_listing_under_their_own_partner_page(client, partner_a, member_a):
    client.force_login(member_a)
    url = add_url(partner_a.page)
    expenses = category()
    data = editor_form_data(client, url, title="新应用", slug="new-app", categories=[expenses.pk])

    response = client.post(url, data)

    assert response.status_code == 302
    page = ListingPage.objects.get(slug="new-app")
    assert page.get_parent().pk == partner_a.page.pk
    assert page.partner == partner_a  # set from the parent page
    assert page.owner == member_a
    assert list(page.categories.all()) == [expenses]
    assert not page.live


def test_member_cannot_create_a_listing_under_another_partners_page(client, partner_a, partner_b, member_a):
    client.force_login(member_a)
    url = add_url(partner_b.page)

    assert client.get(url)["Location"] == reverse("wagtailadmin_home")
    response = client.post(url, {"title": "闯入", "slug": "intruder"})

    assert response.status_code == 302 and response["Location"] == reverse("wagtailadmin_home")
    assert not ListingPage.objects.filter(slug="intruder").exists()
    assert not partner_b.page.permissions_for_user(member_a).can_add_subpage()


def test_member_cannot_publish_directly(client, partner_a, member_a):
    page = complete_listing(partner_a, user=member_a)
    client.force_login(member_a)
    url = edit_url(page)
    editor = client.get(url).content.decode()
    assert 'name="action-publish"' not in editor  # no publish button, only submit
    assert 'name="action-submit"' in editor
    data = editor_form_data(client, url, page, **{"action-publish": "action-publish"})

    client.post(url, data)

    page.refresh_from_db()
    assert not page.live
    assert not page.permissions_for_user(member_a).can_publish()


def test_another_partners_draft_is_out_of_reach(client, partner_a, partner_b, owner_b):
    page = complete_listing(partner_a)
    client.force_login(owner_b)

    assert client.get(edit_url(page))["Location"] == reverse("wagtailadmin_home")
    preview = reverse("wagtailadmin_pages:preview_on_edit", args=[page.pk])
    assert client.get(preview).status_code in (302, 403, 404)
    assert client.get(page.url or page.get_url()).status_code == 404  # drafts are not served


def test_draft_url_answers_404_to_anyone(client, partner_a, customer):
    page = complete_listing(partner_a)
    path = Page.objects.get(pk=page.pk).get_url()
    assert client.get(path).status_code == 404
    client.force_login(customer)
    assert client.get(path).status_code == 404


# --- review ----------------------------------------------------------------------------------
def test_reviewer_approval_publishes(client, partner_a, owner_a, reviewer):
    page = complete_listing(partner_a, user=owner_a)
    state = submit(page, owner_a)
    task_state = state.current_task_state
    client.force_login(reviewer)

    response = client.post(workflow_action_url(page, "approve", task_state), {"comment": ""})

    assert response.status_code == 302
    page.refresh_from_db()
    assert page.live
    assert page.last_updated_at is not None
    state.refresh_from_db()
    assert state.status == WorkflowState.STATUS_APPROVED


def test_request_changes_keeps_it_unpublished_and_the_partner_sees_the_comment(
    client, partner_a, owner_a, member_a, reviewer
):
    page = complete_listing(partner_a, user=owner_a)
    state = submit(page, owner_a)
    client.force_login(reviewer)

    client.post(workflow_action_url(page, "reject", state.current_task_state), {"comment": CHANGES})

    page.refresh_from_db()
    assert not page.live
    status = review_status(page)
    assert status.state == State.CHANGES_REQUESTED
    assert status.latest_comment.text == CHANGES
    client.force_login(member_a)
    screen = client.get(reverse("catalog_my_listings")).content.decode()
    assert "请补充英文截图。 Please add screenshots of the English interface." in screen
    assert str(reviewer) in screen


def test_partner_cannot_approve_their_own_submission(client, partner_a, owner_a):
    page = complete_listing(partner_a, user=owner_a)
    state = submit(page, owner_a)
    client.force_login(owner_a)

    client.post(workflow_action_url(page, "approve", state.current_task_state), {"comment": ""})

    page.refresh_from_db()
    assert not page.live
    state.refresh_from_db()
    assert state.status == WorkflowState.STATUS_IN_PROGRESS


def test_resubmission_after_changes_goes_back_to_the_reviewers(client, partner_a, owner_a, reviewer):
    page = complete_listing(partner_a, user=owner_a)
    state = submit(page, owner_a)
    state.current_task_state.specific.reject(user=reviewer, comment=CHANGES)
    client.force_login(owner_a)
    url = edit_url(page)
    data = editor_form_data(
        client, url, page, **{"action-submit": "action-submit", "title_en": "Galaxy Finance"}
    )

    client.post(url, data)

    state.refresh_from_db()
    assert state.status == WorkflowState.STATUS_IN_PROGRESS
    assert review_status(page).state == State.IN_REVIEW


def test_reviewers_open_the_editor_of_listings_waiting_for_them_only(client, partner_a, owner_a, reviewer):
    waiting = complete_listing(partner_a, user=owner_a, slug="waiting")
    submit(waiting, owner_a)
    draft = complete_listing(partner_a, user=owner_a, slug="still-a-draft")
    client.force_login(reviewer)

    assert client.get(edit_url(waiting)).status_code == 200
    assert client.get(edit_url(draft))["Location"] == reverse("wagtailadmin_home")
