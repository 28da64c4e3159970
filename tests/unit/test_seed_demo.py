"""``seed_demo`` makes a bilingual, deterministic, idempotent demo ecosystem; ``demo_logins`` lists it.

The small seed runs once per run (``demo_seed`` in ``tests/conftest.py``, shared with the other
modules reading the demo) inside a transaction that is rolled back after its last user; each test
runs in a savepoint inside it.
"""

import io
import re
from collections import Counter

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from wagtail.models import Site

from accounts.models import Membership, Organisation, Role, User
from accounts.roles import STAFF_GROUPS
from catalog.models import Category
from demo.accounts import (
    DEMO_LOGINS,
    DEMO_MFA_ROLES,
    DEMO_TOTP_SECRET,
    GIVEN_NAMES,
    SURNAMES,
    PersonSpec,
    customer_specs,
    demo_login,
    demo_totp_code,
    people_for,
    upsert_memberships,
    upsert_users,
)
from demo.base import SeedContext, distribute
from demo.partners import partner_specs
from marketplace.models import HomePage
from partners.models import Industry, Partner, PartnerKind, Region, Tier
from themes.models import BrandingSettings

pytestmark = [pytest.mark.django_db, pytest.mark.demo]

CJK = re.compile(r"[\u4e00-\u9fff]")
HOME_BLOCKS = {"hero", "featured_listings", "category_grid", "partner_spotlight", "call_to_action"}


def seed(**options) -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out, **options)
    return out.getvalue()


@pytest.fixture(autouse=True)
def seeded(demo_seed):
    """What the session's one ``seed_demo`` printed (``tests/conftest.py``: ``demo_seed``)."""
    return demo_seed.output


def snapshot():
    return {
        "users": User.objects.count(),
        "organisations": Counter(Organisation.objects.values_list("kind", flat=True)),
        "memberships": Membership.objects.count(),
        "partners": Partner.objects.count(),
        "partner regions": Partner.regions.through.objects.count(),
        "partner industries": Partner.industries.through.objects.count(),
        "tiers": Tier.objects.count(),
        "regions": Region.objects.count(),
        "industries": Industry.objects.count(),
        "categories": Category.objects.count(),
        "email addresses": EmailAddress.objects.count(),
        "home revisions": HomePage.objects.get().revisions.count(),
    }


# Organisations created by approving a seeded application (demo.onboarding) carry
# what the applicant typed, not the seeded profile; the profile checks cover the rest.
SEEDED = {"partner_application__isnull": True}


def partner_names():
    return list(
        Partner.objects.filter(organisation__partner_application__isnull=True)
        .order_by("organisation__slug")
        .values_list("organisation__name", "organisation__name_en")
    )


# --- the programme ---------------------------------------------------------------------------
def test_partners_cover_every_kind_and_several_tiers(seeded):
    assert Partner.objects.count() >= 48
    assert set(Partner.objects.values_list("kind", flat=True)) == set(PartnerKind.values)
    assert Partner.objects.values("tier").distinct().count() >= 3
    assert "Partners" in seeded and "Category tree" in seeded  # progress is printed


def test_tier_pyramid_has_few_at_the_top():
    for kind in PartnerKind.values:
        ranks = Counter(Partner.objects.filter(kind=kind).values_list("tier__rank", flat=True))
        top = Tier.objects.filter(kind=kind).order_by("-rank").first().rank
        assert ranks[0] > ranks[top] >= 1, kind
    assert 1 <= Partner.objects.filter(kind=PartnerKind.SERVICE, tier__slug="diamond").count() <= 2


def test_every_tier_ladder_is_bilingual_and_coloured():
    assert Tier.objects.filter(kind=PartnerKind.SERVICE).count() == 5
    for tier in Tier.objects.all():
        assert CJK.search(tier.name) and tier.name_en.isascii(), tier
        assert re.fullmatch(r"#[0-9a-f]{6}", tier.colour)
    assert list(Tier.objects.filter(kind=PartnerKind.SERVICE).values_list("slug", flat=True)) == [
        "registered",
        "silver",
        "gold",
        "platinum",
        "diamond",
    ]


def test_names_and_texts_are_chinese_with_english_translations():
    organisations = Organisation.objects.filter(**SEEDED)
    assert organisations.count() >= 48 + 12
    for org in organisations:
        assert CJK.search(org.name), org.name
        assert org.name_en.isascii() and not CJK.search(org.name_en), org.name_en
        assert org.website.startswith("https://") and org.website.endswith(".example.com")
    for partner in Partner.objects.filter(organisation__partner_application__isnull=True).select_related(
        "organisation"
    ):
        assert CJK.search(partner.tagline) and partner.tagline_en.isascii()
        assert CJK.search(partner.description) and partner.description_en.isascii()
        assert partner.description_en.count(". ") >= 1  # two or three sentences
        assert partner.founded_year and partner.employees and partner.joined_on
    assert Partner.objects.filter(regions__isnull=True).count() == 0
    assert Partner.objects.filter(industries__isnull=True).count() == 0


def test_joined_dates_spread_over_three_years():
    dates = sorted(Partner.objects.values_list("joined_on", flat=True))
    assert (dates[-1] - dates[0]).days > 2 * 365
    assert len({d.year for d in dates}) >= 3


def test_taxonomy_and_category_tree():
    assert Region.objects.filter(code="east-china", name="华东", name_en="East China").exists()
    assert Region.objects.count() >= 11
    assert Industry.objects.filter(slug="manufacturing").exists()
    top = Category.objects.filter(parent__isnull=True)
    assert top.count() == 10
    assert {
        "finance",
        "hr",
        "crm",
        "supply",
        "collab",
        "analytics",
        "security",
        "dev",
        "industry",
        "services",
    } == set(top.values_list("icon", flat=True))
    for category in top:
        assert 2 <= category.children.count() <= 4
        assert CJK.search(category.name) and category.name_en.isascii()


def test_every_partner_and_customer_has_an_owner_and_members():
    for org in Organisation.objects.filter(**SEEDED).prefetch_related("memberships"):
        roles = Counter(m.role for m in org.memberships.all())
        assert roles[Role.OWNER] == 1, org.slug
        assert 2 <= sum(roles.values()) <= 4, org.slug
    customers = Organisation.objects.filter(kind=Organisation.Kind.CUSTOMER)
    assert customers.count() >= 12
    assert Membership.objects.filter(organisation__in=customers, role=Role.ADMIN).count() == customers.count()
    partner_owner = (
        Membership.objects.filter(organisation__partner__isnull=False, role=Role.OWNER)
        .exclude(user__email=demo_login("partner").email)
        .select_related("user", "organisation")
        .first()
    )
    assert partner_owner.user.email == f"owner@{partner_owner.organisation.slug}.example"
    industries = set(Industry.objects.values_list("slug", flat=True))
    assert {industry for _, industry in customer_specs(SeedContext())} <= industries


# --- demo logins ------------------------------------------------------------------------------
def test_every_demo_login_authenticates_with_a_verified_address():
    assert [login.role for login in DEMO_LOGINS] == [
        "customer",
        "partner",
        "reviewer",
        "programme_manager",
        "finance",
        "admin",
    ]
    for login in DEMO_LOGINS:
        user = authenticate(username=login.email, password=settings.SYMBIO_DEMO_PASSWORD)
        assert user is not None and user.email == login.email, login.email
        assert EmailAddress.objects.filter(user=user, email=login.email, verified=True, primary=True).exists()


def test_demo_logins_get_past_mandatory_email_verification(client):
    for login in DEMO_LOGINS:
        response = client.post(
            "/accounts/login/", {"login": login.email, "password": settings.SYMBIO_DEMO_PASSWORD}
        )
        assert response.status_code == 302, login.email
        assert "confirm-email" not in response["Location"]
        if login.role in DEMO_MFA_ROLES:  # seeded with an authenticator: one more step, one code
            assert response["Location"].endswith("/accounts/2fa/authenticate/"), login.email
            assert client.session.get("_auth_user_id") is None
            response = client.post(response["Location"], {"code": demo_totp_code()})
            assert response.status_code == 302, login.email
        assert client.session.get("_auth_user_id") == str(User.objects.get(email=login.email).pk)
        client.logout()


def test_staff_are_in_their_groups_and_admin_is_superuser():
    for role in ("reviewer", "programme_manager", "finance"):
        user = User.objects.get(email=demo_login(role).email)
        assert list(user.groups.values_list("name", flat=True)) == [STAFF_GROUPS[role].name]
        assert user.has_perm("wagtailadmin.access_admin")
        assert not user.is_superuser
    admin = User.objects.get(email=demo_login("admin").email)
    assert admin.is_superuser and admin.is_staff
    assert admin.groups.filter(name=STAFF_GROUPS["admin"].name).exists()
    customer = User.objects.get(email=demo_login("customer").email)
    assert not customer.groups.exists() and not customer.is_superuser
    assert not customer.has_perm("wagtailadmin.access_admin")
    # The partner owner is in its partner's workspace group only (drafting listings in the
    # admin), never in a staff group.
    partner = User.objects.get(email=demo_login("partner").email)
    staff_groups = {spec.name for spec in STAFF_GROUPS.values()}
    assert not partner.is_superuser
    assert [g.name for g in partner.groups.all()] == [f"Partner: {partner.organisations.get().slug}"]
    assert not staff_groups & {g.name for g in partner.groups.all()}


def test_customer_and_partner_logins_own_their_organisations():
    customer = Membership.objects.get(user__email=demo_login("customer").email)
    assert customer.role == Role.OWNER and customer.organisation.kind == Organisation.Kind.CUSTOMER
    partner = Membership.objects.get(user__email=demo_login("partner").email)
    assert partner.role == Role.OWNER
    profile = partner.organisation.partner
    assert profile.kind == PartnerKind.SERVICE and profile.tier.slug == "gold"
    assert profile.status == Partner.Status.ACTIVE


def test_demo_logins_command_prints_each_login_and_the_password():
    out = io.StringIO()
    call_command("demo_logins", "--url", "http://127.0.0.1:8000/", stdout=out)
    text = out.getvalue()
    assert "http://127.0.0.1:8000/" in text and "http://127.0.0.1:8000/admin/" in text
    for login in DEMO_LOGINS:
        assert login.email in text and login.label in text
    assert text.count(settings.SYMBIO_DEMO_PASSWORD) == len(DEMO_LOGINS)
    assert DEMO_TOTP_SECRET in text
    assert "Not in the database" not in text


# --- determinism and idempotence --------------------------------------------------------------
def test_seeding_again_changes_nothing():
    before, names = snapshot(), partner_names()
    seed()
    assert snapshot() == before
    assert partner_names() == names


def test_the_same_names_come_out_every_time():
    first = [
        (s.organisation.name, s.organisation.name_en, s.kind, s.rank) for s in partner_specs(SeedContext())
    ]
    again = [
        (s.organisation.name, s.organisation.name_en, s.kind, s.rank) for s in partner_specs(SeedContext())
    ]
    assert first == again
    assert sorted(partner_names()) == sorted((name, name_en) for name, name_en, *_ in first)


def test_large_size_plans_ten_thousand_distinct_partners():
    """Plans only (no database): the large run itself is too slow for the unit suite."""
    specs = partner_specs(SeedContext(size="large"))
    assert len(specs) == 10_000
    assert len({s.organisation.slug for s in specs}) == 10_000
    assert len({s.organisation.name for s in specs}) == 10_000
    # One upsert per table: an address or a (user, organisation) pair twice in it is refused
    # by PostgreSQL ("ON CONFLICT DO UPDATE command cannot affect row a second time").
    emails = [person.email for s in specs for person, _role in s.team]
    assert len(set(emails)) == len(emails)
    assert len(customer_specs(SeedContext(size="large"))) == 1000


def test_people_with_the_same_romanised_name_get_distinct_addresses():
    """徐 and 许 are both "Xu": 徐杰 and 许杰 must not share jie.xu@."""

    class Draw:  # hands people_for the two colliding (surname, given name) pairs
        def sample(self, population, k):
            jie = GIVEN_NAMES.index(("杰", "Jie"))
            xu = [i for i, (_zh, en) in enumerate(SURNAMES) if en == "Xu"]
            return [s * len(GIVEN_NAMES) + jie for s in xu][:k]

    people = people_for(Draw(), "acme.example", 2)
    assert [p.display_name for p in people] == ["徐杰", "许杰"]
    assert [p.email for p in people] == ["jie.xu@acme.example", "jie.xu2@acme.example"]


def test_bulk_upserts_refuse_duplicate_keys_with_a_clear_message():
    twice = [PersonSpec("a@dup.example", "甲"), PersonSpec("a@dup.example", "乙")]
    with pytest.raises(ValueError, match="a@dup.example"):
        upsert_users(SeedContext(), twice)
    with pytest.raises(ValueError, match="user, organisation"):
        upsert_memberships(SeedContext(), [(1, 2, Role.MEMBER), (1, 2, Role.ADMIN)])


def test_distribute_is_exact_and_keeps_a_place_at_the_top():
    assert distribute(21, (0.42, 0.30, 0.17, 0.095, 0.015)) == [8, 6, 4, 2, 1]
    assert sum(distribute(3500, (0.42, 0.30, 0.17, 0.095, 0.015))) == 3500


def test_reset_removes_demo_data_and_seed_rebuilds_it():
    before = snapshot()
    Organisation.objects.create(name="真实客户", name_en="A real customer", slug="real", kind="customer")
    seed(reset=True)
    assert Organisation.objects.filter(slug="real").exists()
    after = snapshot()
    after["organisations"]["customer"] -= 1
    assert {k: v for k, v in after.items() if k != "home revisions"} == {
        k: v for k, v in before.items() if k != "home revisions"
    }


# --- home page and branding -------------------------------------------------------------------
def test_home_page_has_the_five_blocks_in_both_languages():
    page = Site.objects.get(is_default_site=True).root_page.specific
    assert isinstance(page, HomePage) and page.live and not page.has_unpublished_changes
    zh, en = [block.block_type for block in page.body], [block.block_type for block in page.body_en]
    assert zh == en and set(zh) >= HOME_BLOCKS
    hero_zh, hero_en = page.body[0].value, page.body_en[0].value
    assert CJK.search(hero_zh["heading"]) and hero_en["heading"].isascii()
    assert hero_zh["show_search"] and hero_zh["primary_url"] == "/partners/apply/"
    assert hero_en["primary_url"] == "/en/partners/apply/"
    assert page.title_en == "Symbio Marketplace"


def test_branding_is_set_for_the_default_site():
    branding = BrandingSettings.for_site(Site.objects.get(is_default_site=True))
    assert branding.site_name == "Symbio 生态市场" and branding.site_name_en == "Symbio Marketplace"
    assert CJK.search(branding.footer_text) and branding.footer_text_en.isascii()


def _renders_partner_spotlight() -> bool:
    try:
        get_template("marketplace/blocks/partner_spotlight.html")
    except TemplateDoesNotExist:
        return False
    return True


def test_home_page_shows_seeded_partners_in_each_language(client):
    zh = client.get("/")
    en = client.get("/en/")
    assert zh.status_code == en.status_code == 200
    spotlight = zh.context["home"]["partners"]
    assert spotlight and all(p.organisation.name for p in spotlight)
    assert spotlight[0].tier.slug == "diamond"  # the top of the pyramid leads the spotlight
    if _renders_partner_spotlight():
        text_zh, text_en = zh.content.decode(), en.content.decode()
        assert any(p.organisation.name in text_zh for p in spotlight)
        assert any(p.organisation.name_en in text_en for p in spotlight)
