"""Automatic pre-checks: a submission that breaks a rule is returned at once with the problems
listed (workflow "needs changes", page not live); a clean one goes to the reviewers."""

import pytest
from django.utils import translation
from wagtail.models import GroupApprovalTask, TaskState, WorkflowState

from catalog.models import CatalogSettings, ListingPage, PreCheckTask
from catalog.services import prechecks
from tests.factories.catalog import complete_listing, submit
from tests.unit.catalog.helpers import edit_url, editor_form_data

pytestmark = pytest.mark.django_db


def en(message, **params):
    with translation.override("en"):
        return str(message % params) if params else str(message)


def precheck_rejection(page):
    state = WorkflowState.objects.for_instance(page).get()
    assert state.status == WorkflowState.STATUS_NEEDS_CHANGES
    task_state = state.current_task_state
    assert task_state.task.specific_class is PreCheckTask
    assert task_state.status == TaskState.STATUS_REJECTED
    return task_state.comment


STUFFED = (
    "CRM 销售 CRM 线索 CRM 商机 CRM 报价 CRM 合同 CRM 客户 CRM 回款 CRM 分析 CRM 移动 CRM 管理 " * 3
).strip()

RULES = [
    ("missing privacy URL", {"privacy_url": ""}, lambda: en(prechecks.REQUIRED, field="Privacy policy")),
    ("no screenshot", {"screenshots": 0}, lambda: en(prechecks.NO_SCREENSHOT)),
    ("http URL", {"support_url": "http://galaxy.example.cn/support/"},
     lambda: en(prechecks.URL_NOT_HTTPS, field="Support page")),
    ("too-short description", {"description": "太短了。"},
     # the heading "产品概述" counts: "产品概述 太短了。" is 9 characters
     lambda: en(prechecks.DESCRIPTION_TOO_SHORT, language="Chinese", length=9, minimum=80)),
    ("banned word", {"tagline": "国家级报销平台"},
     lambda: en(prechecks.BANNED_WORD, word="国家级", field="Tagline")),
    ("stuffing by tags", {"tags": [f"tag{n}" for n in range(11)]},
     lambda: en(prechecks.TOO_MANY_TAGS, maximum=10, count=11)),
    ("stuffing by repetition", {"description": STUFFED}, None),
]  # fmt: skip


@pytest.mark.parametrize("rule, changes, expected", RULES, ids=[r[0] for r in RULES])
def test_submission_breaking_a_rule_is_returned_at_once_with_the_problem(
    rule, changes, expected, partner_a, owner_a
):
    page = complete_listing(partner_a, user=owner_a, **changes)

    with translation.override("en"):
        submit(page, owner_a)

    comment = precheck_rejection(page)
    page.refresh_from_db()
    assert not page.live
    if expected is not None:
        assert expected() in comment
    else:
        assert "“crm” makes up" in comment and "of the Chinese description" in comment
    assert not TaskState.objects.filter(
        workflow_state__object_id=str(page.pk), task__name="Reviewer approval"
    ).exists()


def test_problems_are_listed_one_per_line(partner_a, owner_a):
    page = complete_listing(partner_a, user=owner_a, privacy_url="", terms_url="http://x.example.cn/terms/")
    with translation.override("en"):
        submit(page, owner_a)
    lines = prechecks.problems_from_comment(precheck_rejection(page))
    assert en(prechecks.REQUIRED, field="Privacy policy") in lines
    assert en(prechecks.URL_NOT_HTTPS, field="Terms of service") in lines


def test_clean_submission_goes_to_the_reviewers(partner_a, owner_a):
    page = complete_listing(partner_a, user=owner_a)

    state = submit(page, owner_a)

    state.refresh_from_db()
    assert state.status == WorkflowState.STATUS_IN_PROGRESS
    assert state.current_task_state.task.specific_class is GroupApprovalTask
    assert state.task_states.get(task__name="Automatic pre-checks").status == TaskState.STATUS_APPROVED
    page.refresh_from_db()
    assert not page.live


def test_limits_come_from_the_catalogue_settings(partner_a, owner_a):
    settings = CatalogSettings.load()
    settings.banned_words = "银河"
    settings.max_tags = 2
    settings.save()
    page = complete_listing(partner_a, tagline="银河系第一", tags=["a", "b", "c"])
    with translation.override("en"):
        codes = {p.code for p in prechecks.run_prechecks(page)}
    assert codes == {"banned_word", "stuffing:tags"}


def test_joint_solution_needs_a_co_partner(partner_a, partner_b):
    page = complete_listing(partner_a, listing_type="joint_solution")
    assert "required:co_partners" in {p.code for p in prechecks.run_prechecks(page)}
    page.co_partners = [partner_b]
    assert "required:co_partners" not in {p.code for p in prechecks.run_prechecks(page)}


def test_natural_descriptions_are_not_taken_for_stuffing(partner_a):
    page = complete_listing(partner_a)
    assert prechecks.run_prechecks(page) == []


def test_editor_shows_the_problems_at_once_and_stays_on_the_listing(client, partner_a, member_a):
    page = complete_listing(partner_a, screenshots=0)
    client.force_login(member_a)
    url = edit_url(page)
    data = editor_form_data(client, url, page, **{"action-submit": "action-submit"})

    response = client.post(url, data)

    assert response.status_code == 302 and response["Location"] == url
    editor = client.get(url).content.decode()
    assert en(prechecks.RETURNED) in editor
    assert en(prechecks.NO_SCREENSHOT) in editor
    assert "has been submitted for moderation" not in editor
    assert en(prechecks.NO_SCREENSHOT) in precheck_rejection(page)
    assert not ListingPage.objects.get(pk=page.pk).live
