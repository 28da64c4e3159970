"""Fixtures for the demand tests: a customer organisation with its owner, two provisioned
partners (with owners), a published listing of partner A, and a requirement factory."""

import pytest

from accounts.models import Role
from partners.models import PartnersIndexPage
from tests.unit.accounts.factories import MembershipFactory, OrganisationFactory, UserFactory
from tests.unit.partners.factories import provisioned_partner


@pytest.fixture
def directory(db):
    return PartnersIndexPage.objects.first()


@pytest.fixture
def customer_org(db):
    return OrganisationFactory(name="顾客公司", slug="customer-co")


@pytest.fixture
def customer(customer_org):
    user = UserFactory(email="buyer@customer.example.cn")
    MembershipFactory(user=user, organisation=customer_org, role=Role.OWNER)
    return user


@pytest.fixture
def other_customer(db):
    user = UserFactory(email="other@elsewhere.example.cn")
    MembershipFactory(user=user, organisation=OrganisationFactory(slug="other-co"), role=Role.OWNER)
    return user


@pytest.fixture
def partner_a(directory):
    return provisioned_partner(
        owner=UserFactory(email="owner@partner-a.example.cn"),
        organisation__name="甲方科技",
        organisation__name_en="Partner A Tech",
        organisation__slug="partner-a",
        kind="service",
    )


@pytest.fixture
def partner_b(directory):
    return provisioned_partner(
        owner=UserFactory(email="owner@partner-b.example.cn"),
        organisation__name="乙方软件",
        organisation__name_en="Partner B Software",
        organisation__slug="partner-b",
        kind="service",
    )


@pytest.fixture
def listing(partner_a):
    from tests.unit.catalog.factories import complete_listing

    return complete_listing(partner_a, publish=True)
