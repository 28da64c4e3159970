import pytest
from django.contrib.auth.models import Group, Permission

from accounts.roles import STAFF_GROUPS
from accounts.signals import sync_staff_groups

pytestmark = pytest.mark.django_db


def perms(group_name: str) -> set[str]:
    group = Group.objects.get(name=group_name)
    return {
        f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")
    }


def app_perms(app_label: str) -> set[str]:
    return {
        f"{app_label}.{codename}"
        for codename in Permission.objects.filter(content_type__app_label=app_label).values_list(
            "codename", flat=True
        )
    }


def test_every_staff_group_exists_after_migrate():
    names = set(Group.objects.values_list("name", flat=True))

    assert {spec.name for spec in STAFF_GROUPS.values()} <= names


def test_finance_changes_billing_only_and_may_open_the_admin():
    finance = perms("Finance")

    assert "wagtailadmin.access_admin" in finance
    assert app_perms("billing") <= finance
    outside_billing = {
        p for p in finance if not p.startswith("billing.") and p != "wagtailadmin.access_admin"
    }
    # outside billing: read-only, except the vendor revenue figures finance enters (the
    # denominator of the ecosystem multiplier) and paying approved incentive claims
    money_actions = {"incentives.pay_claims"}
    assert all(
        p.split(".", 1)[1].startswith("view_")
        for p in outside_billing - money_actions
        if "vendorrevenue" not in p
    )
    assert outside_billing <= {
        "incentives.pay_claims",
        "incentives.view_incentivepool",
        "incentives.view_fundrequest",
        "accounts.view_organisation",
        "partners.view_partner",
        "health.view_vendorrevenue",
        "health.add_vendorrevenue",
        "health.change_vendorrevenue",
    }


def test_reviewers_may_open_the_admin_and_review_the_catalogue_but_not_money():
    reviewers = perms("Reviewers")

    assert "wagtailadmin.access_admin" in reviewers
    assert app_perms("catalog") <= reviewers
    assert not any(p.startswith(("billing.", "accounts.")) for p in reviewers)


def test_programme_managers_may_browse_organisations_but_not_change_them():
    managers = perms("Programme managers")

    assert {"wagtailadmin.access_admin", "accounts.view_organisation", "accounts.view_membership"} <= managers
    assert "accounts.change_organisation" not in managers
    assert app_perms("partners") <= managers


def test_ecosystem_admins_manage_accounts():
    admins = perms("Ecosystem admins")

    assert app_perms("accounts") <= admins
    assert "wagtailadmin.access_admin" in admins


def test_group_permissions_are_put_back_after_migrate():
    Group.objects.get(name="Finance").permissions.clear()

    sync_staff_groups()

    assert "wagtailadmin.access_admin" in perms("Finance")
