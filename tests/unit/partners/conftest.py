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


def make_tiers():
    """Three rungs for every kind: {kind: [rank 0, rank 1, rank 2]} (migrations may have made them)."""
    return {kind: [TierFactory(kind=kind, rank=rank) for rank in range(3)] for kind in PartnerKind.values}


def make_regions():
    return {
        "east": RegionFactory(code="east", name="华东", name_en="East China"),
        "north": RegionFactory(code="north", name="华北", name_en="North China"),
        "europe": RegionFactory(code="eu", name="欧洲", name_en="Europe"),
    }


def make_industries():
    return {
        "retail": IndustryFactory(slug="retail", name="零售", name_en="Retail"),
        "finance": IndustryFactory(slug="finance", name="金融", name_en="Finance"),
    }


def the_directory():
    index = PartnersIndexPage.objects.first()
    assert index is not None, "partners.0005 creates the directory page"
    return index


@pytest.fixture
def tiers(db):
    return make_tiers()


@pytest.fixture
def regions(db):
    return make_regions()


@pytest.fixture
def industries(db):
    return make_industries()


@pytest.fixture
def directory(db):
    return the_directory()


def make_customer():
    user = UserFactory()
    MembershipFactory(user=user, organisation=OrganisationFactory(), role=Role.OWNER)
    return user


def make_partner_a(owner, member):
    return provisioned_partner(
        owner=owner,
        members=[member],
        organisation__name="甲方科技",
        organisation__name_en="Partner A Tech",
        organisation__slug="partner-a",
    )


def make_partner_b(owner):
    return provisioned_partner(
        owner=owner,
        organisation__name="乙方软件",
        organisation__name_en="Partner B Software",
        organisation__slug="partner-b",
    )


@pytest.fixture
def customer(db):
    return make_customer()


@pytest.fixture
def partner_a_owner(db):
    return UserFactory(email="owner@partner-a.example.cn")


@pytest.fixture
def partner_a_member(db):
    return UserFactory(email="member@partner-a.example.cn")


@pytest.fixture
def partner_a(directory, partner_a_owner, partner_a_member):
    return make_partner_a(partner_a_owner, partner_a_member)


@pytest.fixture
def partner_b_owner(db):
    return UserFactory(email="owner@partner-b.example.cn")


@pytest.fixture
def partner_b(directory, partner_b_owner):
    return make_partner_b(partner_b_owner)


def users_by_role(partner_a, partner_b, customer, reviewer, programme_manager):
    return {
        "anonymous": None,
        "customer": customer,
        "partner_a_member": partner_a.organisation.memberships.get(role=Role.MEMBER).user,
        "partner_a_owner": partner_a.organisation.memberships.get(role=Role.OWNER).user,
        "partner_b_owner": partner_b.organisation.memberships.get(role=Role.OWNER).user,
        "reviewer": reviewer,
        "programme_manager": programme_manager,
    }


@pytest.fixture
def role_user(request, partner_a, partner_b, customer, reviewer, programme_manager):
    """``role_user(name)`` → the user playing that role (None for anonymous)."""
    return users_by_role(partner_a, partner_b, customer, reviewer, programme_manager).__getitem__


# --- The same people built once for a module ------------------------------------------------------
ROLE_FIXTURES = (
    "customer",
    "partner_a_owner",
    "partner_a_member",
    "partner_a",
    "partner_b_owner",
    "partner_b",
    "reviewer",
    "programme_manager",
)


def build_roles(**more):
    """What the fixtures above make (the people of :data:`ROLES`, their partners), in one go, plus
    ``name: make(world)`` for each ``name=make`` of ``more`` (in that order)."""
    from tests.factories.accounts import staff_member

    world = {
        "directory": the_directory(),
        "customer": make_customer(),
        "partner_a_owner": UserFactory(email="owner@partner-a.example.cn"),
        "partner_a_member": UserFactory(email="member@partner-a.example.cn"),
        "partner_b_owner": UserFactory(email="owner@partner-b.example.cn"),
        "reviewer": staff_member("reviewer"),
        "programme_manager": staff_member("programme_manager"),
    }
    world["partner_a"] = make_partner_a(world["partner_a_owner"], world["partner_a_member"])
    world["partner_b"] = make_partner_b(world["partner_b_owner"])
    world["users"] = users_by_role(
        *(world[key] for key in ("partner_a", "partner_b", "customer", "reviewer", "programme_manager"))
    )
    for name, make in more.items():
        world[name] = make(world)
    return world


def roles_built_once(**more):
    """Fixtures for a module whose tests only read the role people: ``role_world`` (copies of
    :func:`build_roles`, built once for the module with
    :func:`tests.unit.accounts.helpers.built_once_per_module`), ``role_user``, ``directory`` and
    :data:`ROLE_FIXTURES` read from it, and one for each name of ``more``. A module takes
    them with ``globals().update(roles_built_once(...))``."""
    from tests.unit.accounts.helpers import built_once_per_module, copies

    def _role_world(_roles_built_once):
        return copies(_roles_built_once)

    def reading(key):
        def fixture(role_world):
            return role_world[key]

        return pytest.fixture(fixture)

    def _role_user(role_world):
        return role_world["users"].__getitem__

    fixtures = {
        "_roles_built_once": built_once_per_module(lambda: build_roles(**more)),
        "role_world": pytest.fixture(_role_world),
        "role_user": pytest.fixture(_role_user),
    }
    return fixtures | {key: reading(key) for key in ("directory", *ROLE_FIXTURES, *more)}


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
