"""Fixtures for the partner tests: taxonomy, tiers for every kind, and one user per role.

Roles (``role_user`` fixture, by name): anonymous, customer, partner A member, partner A
owner, partner B owner, reviewer, programme manager (plus ``superuser``).
"""

import pytest

from accounts.models import Role
from partners.models import PartnerKind, PartnersIndexPage
from tests.factories.accounts import MembershipFactory, OrganisationFactory, UserFactory
from tests.factories.partners import (
    IndustryFactory,
    RegionFactory,
    TierFactory,
    pdf_upload,
    provisioned_partner,
)

ROLES = (
    "anonymous",
    "customer",
    "partner_a_member",
    "partner_a_owner",
    "partner_b_owner",
    "reviewer",
    "programme_manager",
)


@pytest.fixture
def tiers(db):
    """Three rungs for every kind: {kind: [rank 0, rank 1, rank 2]} (migrations may have made them)."""
    return {kind: [TierFactory(kind=kind, rank=rank) for rank in range(3)] for kind in PartnerKind.values}


@pytest.fixture
def regions(db):
    return {
        "east": RegionFactory(code="east", name="华东", name_en="East China"),
        "north": RegionFactory(code="north", name="华北", name_en="North China"),
        "europe": RegionFactory(code="eu", name="欧洲", name_en="Europe"),
    }


@pytest.fixture
def industries(db):
    return {
        "retail": IndustryFactory(slug="retail", name="零售", name_en="Retail"),
        "finance": IndustryFactory(slug="finance", name="金融", name_en="Finance"),
    }


@pytest.fixture
def directory(db):
    index = PartnersIndexPage.objects.first()
    assert index is not None, "partners.0005 creates the directory page"
    return index


@pytest.fixture
def customer(db):
    user = UserFactory()
    MembershipFactory(user=user, organisation=OrganisationFactory(), role=Role.OWNER)
    return user


@pytest.fixture
def partner_a_owner(db):
    return UserFactory(email="owner@partner-a.example.cn")


@pytest.fixture
def partner_a_member(db):
    return UserFactory(email="member@partner-a.example.cn")


@pytest.fixture
def partner_a(directory, partner_a_owner, partner_a_member):
    return provisioned_partner(
        owner=partner_a_owner,
        members=[partner_a_member],
        organisation__name="甲方科技",
        organisation__name_en="Partner A Tech",
        organisation__slug="partner-a",
    )


@pytest.fixture
def partner_b_owner(db):
    return UserFactory(email="owner@partner-b.example.cn")


@pytest.fixture
def partner_b(directory, partner_b_owner):
    return provisioned_partner(
        owner=partner_b_owner,
        organisation__name="乙方软件",
        organisation__name_en="Partner B Software",
        organisation__slug="partner-b",
    )


@pytest.fixture
def role_user(request, partner_a, partner_b, customer, reviewer, programme_manager):
    """``role_user(name)`` → the user playing that role (None for anonymous)."""
    users = {
        "anonymous": None,
        "customer": customer,
        "partner_a_member": partner_a.organisation.memberships.get(role=Role.MEMBER).user,
        "partner_a_owner": partner_a.organisation.memberships.get(role=Role.OWNER).user,
        "partner_b_owner": partner_b.organisation.memberships.get(role=Role.OWNER).user,
        "reviewer": reviewer,
        "programme_manager": programme_manager,
    }
    return users.__getitem__


@pytest.fixture
def application_data(regions, industries):
    """A valid application form POST (one PDF attached)."""
    return {
        "company_name": "星河云科技有限公司",
        "company_name_en": "Galaxy Cloud Technology",
        "kind": PartnerKind.ISV,
        "regions": [regions["east"].pk, regions["north"].pk],
        "industries": [industries["retail"].pk],
        "contact_name": "李雷",
        "contact_email": "lilei@galaxycloud.cn",
        "contact_phone": "+86 21 5555 0100",
        "website": "https://www.galaxycloud.cn",
        "description": "面向零售行业的云端库存管理软件。",
        "description_en": "Cloud inventory management for retailers.",
        "documents": [pdf_upload()],
    }
