"""Partner members see only their own world through Wagtail's generic admin views; reviewers
publish through the workflow only; listings go offline only through the delisting form."""

import pytest
from wagtail.models import Page

from accounts.models import Role
from tests.factories.accounts import UserFactory, staff_member
from tests.factories.catalog import complete_listing
from tests.factories.partners import provisioned_partner
from tests.unit.accounts.helpers import built_once_per_module, copies, enrol_totp

pytestmark = pytest.mark.django_db


def build_world():
    member_a = UserFactory(email="member@scope-a.example.cn")
    a = provisioned_partner(members=[member_a], organisation__slug="scope-a")
    b = provisioned_partner(organisation__slug="scope-b")
    draft_a = complete_listing(a, title="甲方草稿", title_en="Alpha Secret Draft", slug="alpha-draft")
    draft_b = complete_listing(b, title="乙方草稿", title_en="Bravo Secret Draft", slug="bravo-draft")
    live_b = complete_listing(b, publish=True, title="乙方上线", title_en="Bravo Live", slug="bravo-live")
    assert a.organisation.memberships.get(user=member_a).role == Role.MEMBER
    return {"member_a": member_a, "a": a, "b": b, "draft_a": draft_a, "draft_b": draft_b, "live_b": live_b}


# Built once for the module: each test runs in a savepoint and gets its own copies.
_world_built_once = built_once_per_module(build_world)


@pytest.fixture
def world(_world_built_once):
    return copies(_world_built_once)


@pytest.mark.parametrize(
    "path",
    [
        "/admin/snippets/choose/billing/privateoffer/",
        "/admin/snippets/choose/billing/privateoffer/results/",
        "/admin/snippets/choose/accounts/invitation/results/",
        "/admin/snippets/choose/accounts/organisation/",
        "/admin/api/main/images/",
        "/admin/api/main/documents/",
        "/admin/api/main/pages/",
    ],
)
def test_partner_members_cannot_read_platform_data_through_choosers_and_apis(client, world, path):
    client.force_login(world["member_a"])
    assert client.get("/admin/").status_code == 200  # they do use the admin
    assert client.get(path).status_code == 403


def test_staff_keep_the_choosers_their_permissions_cover(client, world):
    finance = staff_member("finance")
    client.force_login(finance)
    assert client.get("/admin/snippets/choose/billing/privateoffer/").status_code == 200
    assert client.get("/admin/snippets/choose/accounts/invitation/").status_code == 403  # no accounts perms
    admin = UserFactory(is_superuser=True, is_staff=True)
    enrol_totp(admin)
    client.force_login(admin)
    assert client.get("/admin/api/main/images/").status_code == 200
    assert client.get("/admin/api/main/pages/").status_code == 200


def test_the_page_chooser_hides_other_partners_drafts(client, world):
    client.force_login(world["member_a"])

    def html(response):
        assert response.status_code == 200
        return (
            response.json()["html"]
            if response["Content-Type"].startswith("application/json")
            else (response.content.decode())
        )

    browse = html(client.get(f"/admin/choose-page/{world['b'].page.pk}/"))
    assert "乙方上线" in browse  # live pages stay choosable (links)
    assert "乙方草稿" not in browse
    own = html(client.get(f"/admin/choose-page/{world['a'].page.pk}/"))
    assert "甲方草稿" in own


def test_reviewers_cannot_bulk_publish_a_draft_outside_the_workflow(client, world):
    reviewer = staff_member("reviewer")
    client.force_login(reviewer)
    draft = world["draft_b"]
    assert draft.permissions_for_user(reviewer).can_publish()  # Wagtail alone would let them
    response = client.post(
        f"/admin/bulk/wagtailcore/page/publish/?id={draft.pk}", {"include_descendants": ""}
    )
    assert response.status_code == 302  # Wagtail shows a permission denial as a redirect
    assert not Page.objects.get(pk=draft.pk).live


def test_unpublishing_a_listing_goes_through_the_delisting_form(client, world):
    live = world["live_b"]
    reviewer = staff_member("reviewer")
    client.force_login(reviewer)
    response = client.post(f"/admin/pages/{live.pk}/unpublish/")
    assert (
        response.status_code == 302 and response["Location"] == f"/admin/catalog/listings/{live.pk}/delist/"
    )
    assert Page.objects.get(pk=live.pk).live
    assert live.permissions_for_user(reviewer).can_unpublish()  # Wagtail alone would let them
    bulk = client.post(f"/admin/bulk/wagtailcore/page/unpublish/?id={live.pk}", {"include_descendants": ""})
    assert bulk.status_code == 302
    assert Page.objects.get(pk=live.pk).live
