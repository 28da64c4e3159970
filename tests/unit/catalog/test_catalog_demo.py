"""The demo catalogue: the spec generator (pure, fast) and one small seed of the real thing
(module-scoped, rolled back at the end; every test runs in a savepoint inside it)."""

import random
import re
from collections import Counter
from datetime import timedelta

import pytest
from django.utils import translation
from wagtail.images import get_image_model
from wagtail.models import Collection

import demo.catalog
from catalog.models import (
    CatalogSettings,
    Category,
    ListingPage,
    ListingPlan,
    ListingScreenshot,
    ListingType,
    ListingUsage,
    ListingVersion,
    UsageKind,
)
from catalog.selectors.listings import live_listings
from catalog.selectors.review import State as ReviewState
from catalog.selectors.review import median_review_time, queue_positions, review_statuses
from catalog.services import prechecks
from catalog.services.freshness import stale_listings
from demo.base import DEMO_TODAY, SeedContext
from demo.catalog import CATEGORIES
from demo.listing_specs import PRODUCTS, PartnerRef, State, Taxonomy, listing_specs
from partners.models import PartnerWorkspace

CJK = re.compile(r"[\u4e00-\u9fff]")
KINDS = ("isv", "developer", "service", "channel", "alliance")


# --- the spec generator -----------------------------------------------------------------------
def fake_taxonomy() -> Taxonomy:
    return Taxonomy(
        children={slug: [(c[0], c[3], c[4]) for c in children] for slug, *_r, children in CATEGORIES},
        names={slug: (zh, en) for slug, _icon, zh, en, *_r in CATEGORIES},
        industries=[("retail", "零售", "Retail"), ("manufacturing", "制造业", "Manufacturing")],
        regions=["east-china", "north-china", "europe"],
    )


def fake_partners(n=24) -> list[PartnerRef]:
    return [
        PartnerRef(i, KINDS[i % len(KINDS)], i % 3, f"p{i}", f"https://p{i}.example.com", f"伙伴{i}", f"P{i}")
        for i in range(1, n + 1)
    ]


def specs(seed="catalog.listings", total=160):
    return listing_specs(
        random.Random(seed),
        total=total,
        partners=fake_partners(),
        taxonomy=fake_taxonomy(),
        customers=list(range(100, 112)),
        flagship_id=3,
    )


def test_spec_generator_covers_every_type_and_top_level_category():
    made = specs()
    assert len(made) == 160
    assert {s.listing_type for s in made} == set(ListingType.values)
    assert {s.categories[0] for s in made} == {slug for slug, *_r in CATEGORIES}
    assert len({s.slug for s in made}) == 160


def test_spec_generator_is_deterministic():
    first, again, other = specs(), specs(), specs(seed="another")
    assert [(s.slug, s.plans, s.versions) for s in first] == [(s.slug, s.plans, s.versions) for s in again]
    assert [s.slug for s in first] != [s.slug for s in other]


def test_every_listing_tells_one_story():
    """A listing's product decides its child category, tagline and (for an industry solution)
    its industry: no hospital app filed under manufacturing, no store app with a factory tagline."""
    taxonomy = fake_taxonomy()
    taxonomy.industries.extend(
        [("healthcare", "医疗健康", "Healthcare"), ("energy", "能源", "Energy"),
         ("government", "政府", "Government"), ("construction", "建筑", "Construction")]
    )  # fmt: skip
    by_product = {zh: (top, child, industry, tagline) for top, products in PRODUCTS.items()
                  for zh, _en, child, industry, tagline in products}  # fmt: skip
    child_text = {c[0]: c[3] for *_r, children in CATEGORIES for c in children}
    seen_products = set()
    for spec in listing_specs(random.Random("story"), total=400, partners=fake_partners(),
                              taxonomy=taxonomy, customers=[1, 2])[:400]:  # fmt: skip
        product = next(zh for zh in sorted(by_product, key=len, reverse=True) if zh in spec.title)
        seen_products.add(product)
        top, child, industry, tagline = by_product[product]
        assert spec.categories == [top, child], (spec.title, spec.categories)
        expected_tagline = (tagline[0] if tagline else child_text[child]).rstrip("。")
        assert spec.tagline == expected_tagline, spec.title
        if industry:
            assert spec.industries[0] == industry, (spec.title, spec.industries)
        assert len(spec.industries) == len(set(spec.industries))
    assert len(seen_products) > 40  # the check ran over most of the products


def test_specs_are_bilingual_with_plans_versions_and_media():
    made = specs()
    for spec in made:
        assert CJK.search(spec.title) and spec.title_en.isascii()
        assert 1 <= len(spec.plans) <= 3 and 1 <= len(spec.versions) <= 3 and 1 <= spec.screenshots <= 4
        oldest = min(v.released_on for v in spec.versions)
        assert DEMO_TODAY - timedelta(days=731) <= oldest
        if spec.listing_type == ListingType.JOINT_SOLUTION:
            assert spec.co_partner_ids and spec.partner_id not in spec.co_partner_ids
    stale = [s for s in made if s.versions[0].released_on < DEMO_TODAY - timedelta(days=366)]
    assert 0.05 * len(made) < len(stale) < 0.3 * len(made)
    plans = [p for s in made for p in s.plans]
    assert any(p.price_usd for p in plans) and any(p.price_cny and not p.price_usd for p in plans)
    assert len({p.pricing_model for p in plans}) == 8


def test_flagship_gets_every_review_state():
    states = Counter(s.state for s in specs() if s.partner_id == 3)
    assert (
        states[State.SUBMITTED] == 1 and states[State.CHANGES_REQUESTED] == 1 and states[State.RETURNED] == 1
    )
    assert states[State.LIVE] + states[State.REVIEWED] >= 1


def _page_from(spec) -> ListingPage:
    fields = ("title", "title_en", "tagline", "tagline_en", "listing_type", "support_email", "support_url",
              "documentation_url", "privacy_url", "terms_url")  # fmt: skip
    page = ListingPage(
        **{name: getattr(spec, name) for name in fields},
        description=demo.listings._stream(spec.description),
        description_en=demo.listings._stream(spec.description_en),
        logo_id=1,
    )
    page.categories = [Category(slug=slug) for slug in spec.categories]
    page.co_partners = []
    page.plans = [ListingPlan(**vars(plan)) for plan in spec.plans]
    page.screenshots = [ListingScreenshot(image_id=1) for _ in range(spec.screenshots)]
    page.tags.add(*spec.tags)
    return page


@pytest.mark.django_db
def test_generated_listings_pass_the_pre_checks():
    settings = CatalogSettings()
    problems = {}
    for spec in specs():
        if spec.listing_type == ListingType.JOINT_SOLUTION or spec.state == State.RETURNED:
            continue  # co-partners are real rows; the returned one lacks its privacy policy on purpose
        found = [p.message for p in prechecks.run_prechecks(_page_from(spec), settings=settings)]
        if found:
            problems[spec.slug] = found
    assert problems == {}


# --- one real seed ------------------------------------------------------------------------------
@pytest.fixture
def seeded(demo_seed):
    """The session's one ``seed_demo`` (``tests/conftest.py``), its context."""
    return demo_seed.ctx


@pytest.mark.demo
@pytest.mark.django_db
def test_seed_publishes_at_least_150_listings_of_every_type_and_category(seeded):
    live = live_listings()
    assert live.count() >= 150
    assert set(live.values_list("listing_type", flat=True)) == set(ListingType.values)
    tops = Category.objects.filter(parent=None)
    assert all(top.listings.filter(live=True).exists() for top in tops)
    for page in live:
        assert CJK.search(page.title) and page.title_en and not CJK.search(page.title_en)
        assert page.description and page.description_en and page.partner_id
        assert page.get_parent().specific.partner_id == page.partner_id


@pytest.mark.demo
@pytest.mark.django_db
def test_seeded_listings_have_plans_versions_media_and_usages(seeded):
    counts = {
        "plans": Counter(ListingPlan.objects.values_list("listing", flat=True)),
        "versions": Counter(ListingVersion.objects.values_list("listing", flat=True)),
        "screenshots": Counter(ListingScreenshot.objects.values_list("listing", flat=True)),
    }
    for page in ListingPage.objects.all():
        assert 1 <= counts["plans"][page.pk] <= 3
        assert 1 <= counts["versions"][page.pk] <= 3
        assert 1 <= counts["screenshots"][page.pk] <= 4
        assert page.logo_id
    assert (
        ListingPlan.objects.exclude(price_cny=None).exists()
        and ListingPlan.objects.exclude(price_usd=None).exists()
    )
    assert ListingPlan.objects.values("pricing_model").distinct().count() >= 6
    collections = set(PartnerWorkspace.objects.values_list("collection_id", flat=True))
    assert set(get_image_model().objects.values_list("collection_id", flat=True)) <= collections | {
        Collection.get_first_root_node().pk
    }
    kinds = set(ListingUsage.objects.values_list("kind", flat=True))
    assert kinds == {UsageKind.TRIAL, UsageKind.SUBSCRIPTION}
    assert ListingPage.objects.filter(active_subscriptions__gt=0).exists()


@pytest.mark.demo
@pytest.mark.django_db
def test_seed_leaves_stale_listings_for_the_freshness_check(seeded):
    assert stale_listings().count() >= 5


@pytest.mark.demo
@pytest.mark.django_db
def test_seed_puts_listings_in_every_review_state(seeded):
    positions = queue_positions()
    assert sorted(positions.values()) == [1, 2, 3]
    flagship = seeded.registry["partners.flagship"]
    mine = list(ListingPage.objects.filter(partner_id=flagship))
    with translation.override("en"):
        statuses = review_statuses(mine)
    states = Counter(s.state for s in statuses.values())
    assert states[ReviewState.IN_REVIEW] == 1
    assert states[ReviewState.CHANGES_REQUESTED] == 1
    assert states[ReviewState.RETURNED] == 1
    assert [s.position for s in statuses.values() if s.state == ReviewState.IN_REVIEW] == [2]
    assert median_review_time() is not None


@pytest.mark.demo
@pytest.mark.django_db
def test_seeding_again_changes_nothing(seeded):
    before = (ListingPage.objects.count(), ListingPlan.objects.count(), get_image_model().objects.count())
    demo.catalog.seed(SeedContext())
    assert (
        ListingPage.objects.count(),
        ListingPlan.objects.count(),
        get_image_model().objects.count(),
    ) == before
