"""Fixtures for the catalogue tests: two provisioned partners (A with an owner and a member,
B with an owner), a reviewer, a customer, and the "Listing review" workflow the migration made."""

import pytest
from django.contrib.auth.models import Group
from wagtail.models import Workflow

from accounts.models import Role
from accounts.roles import STAFF_GROUPS
from catalog.models.review import WORKFLOW_NAME
from partners.models import PartnersIndexPage
from tests.unit.accounts.factories import MembershipFactory, OrganisationFactory, UserFactory
from tests.unit.accounts.helpers import enrol_totp
from tests.unit.catalog.factories import english
from tests.unit.partners.factories import provisioned_partner


@pytest.fixture
def directory(db):
    index = PartnersIndexPage.objects.first()
    assert index is not None, "partners.0005 creates the directory page"
    return index


@pytest.fixture
def workflow(db):
    workflow = Workflow.objects.get(name=WORKFLOW_NAME)
    return workflow


@pytest.fixture
def owner_a(db):
    return english(UserFactory(email="owner@partner-a.example.cn"))


@pytest.fixture
def member_a(db):
    return english(UserFactory(email="member@partner-a.example.cn"))


@pytest.fixture
def partner_a(directory, workflow, owner_a, member_a):
    return provisioned_partner(
        owner=owner_a,
        members=[member_a],
        organisation__name="甲方科技",
        organisation__name_en="Partner A Tech",
        organisation__slug="partner-a",
    )


@pytest.fixture
def owner_b(db):
    return english(UserFactory(email="owner@partner-b.example.cn"))


@pytest.fixture
def partner_b(directory, workflow, owner_b):
    return provisioned_partner(
        owner=owner_b,
        organisation__name="乙方软件",
        organisation__name_en="Partner B Software",
        organisation__slug="partner-b",
    )


@pytest.fixture
def reviewer(db):
    user = english(UserFactory(email="reviewer@symbio.example.cn"))
    user.groups.add(Group.objects.get(name=STAFF_GROUPS["reviewer"].name))
    enrol_totp(user)  # staff need two-factor before the admin (accounts.mfa)
    return user


@pytest.fixture
def customer(db):
    user = english(UserFactory())
    MembershipFactory(user=user, organisation=OrganisationFactory(), role=Role.OWNER)
    return user
