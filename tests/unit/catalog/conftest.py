"""Fixtures for the catalogue tests: two provisioned partners (A with an owner and a member,
B with an owner), a reviewer, a customer, and the "Listing review" workflow the migration made."""

import pytest
from wagtail.models import Workflow

from accounts.models import Role
from catalog.models.review import WORKFLOW_NAME
from partners.models import PartnersIndexPage
from tests.factories.accounts import MembershipFactory, OrganisationFactory, UserFactory, staff_member
from tests.factories.partners import provisioned_partner
from tests.unit.accounts.helpers import english


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
    return english(staff_member("reviewer", email="reviewer@symbio.example.cn"))


@pytest.fixture
def customer(db):
    user = english(UserFactory())
    MembershipFactory(user=user, organisation=OrganisationFactory(), role=Role.OWNER)
    return user
