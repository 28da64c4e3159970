"""The partner directory (/partners/) and partner profile pages."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from partners.models import Certification, CertifiedPerson, Partner, PartnerPage
from partners.selectors.directory import directory_filterset
from tests.factories.partners import provisioned_partner
from tests.unit.accounts.helpers import built_once_per_module, copies
from tests.unit.partners.conftest import make_industries, make_regions, make_tiers, the_directory

pytestmark = pytest.mark.django_db

DIRECTORY = "/en/partners/"


def make_partner(slug, name_en, *, kind="isv", rank=0, regions=(), industries=(), name=None, **kwargs):
    from tests.factories.partners import TierFactory

    partner = provisioned_partner(
        kind=kind,
        tier=TierFactory(kind=kind, rank=rank),
        organisation__slug=slug,
        organisation__name=name or f"{name_en} 中文",
        organisation__name_en=name_en,
        **kwargs,
    )
    partner.regions.set(regions)
    partner.industries.set(industries)
    return partner


def slugs(response):
    return [p.slug for p in response.context["partners"]]


def make_ecosystem():
    """Five partners across kinds, tiers, regions and industries."""
    the_directory()
    make_tiers()
    regions, industries = make_regions(), make_industries()
    east, north, europe = regions["east"], regions["north"], regions["europe"]
    retail, finance = industries["retail"], industries["finance"]
    return {
        "alpha": make_partner("alpha", "Alpha Apps", kind="isv", rank=2, regions=[east], industries=[retail]),
        "bravo": make_partner("bravo", "Bravo Build", kind="service", rank=1, regions=[east, north]),
        "charlie": make_partner(
            "charlie", "Charlie Cloud", kind="isv", rank=0, regions=[north], industries=[retail, finance]
        ),
        "delta": make_partner(
            "delta", "Delta Data", kind="service", rank=2, regions=[europe], industries=[finance]
        ),
        "echo": make_partner(
            "echo", "Echo Edge", kind="channel", rank=0, regions=[east], industries=[finance]
        ),
    }


# Built once for the module: each test runs in a savepoint and gets its own copies.
_ecosystem_built_once = built_once_per_module(make_ecosystem)


@pytest.fixture
def ecosystem(_ecosystem_built_once):
    return copies(_ecosystem_built_once)


# --- listing, filters, sorts ---------------------------------------------------------------


def test_directory_lists_active_partners_with_live_pages_highest_tier_first(client, ecosystem):
    Partner.objects.filter(pk=ecosystem["echo"].pk).update(status=Partner.Status.SUSPENDED)
    PartnerPage.objects.filter(partner=ecosystem["charlie"]).update(live=False)

    response = client.get(DIRECTORY)

    assert response.status_code == 200
    assert slugs(response) == ["alpha", "delta", "bravo"]
    html = response.content.decode()
    assert 'href="/en/partners/alpha/"' in html
    assert '<link rel="canonical" href="http://testserver/en/partners/">' in html
    assert "badge--tier" in html


@pytest.mark.parametrize(
    "query, expected",
    [
        ("kind=isv", ["alpha", "charlie"]),
        ("kind=service", ["delta", "bravo"]),
        ("region=east", ["alpha", "bravo", "echo"]),
        ("industry=finance", ["delta", "charlie", "echo"]),
        ("kind=isv&region=north", ["charlie"]),
        ("kind=service&region=east&industry=finance", []),
        ("region=east&industry=retail", ["alpha"]),
        ("q=cloud", ["charlie"]),
    ],
)
def test_directory_filters_combine(client, ecosystem, query, expected):
    response = client.get(f"{DIRECTORY}?{query}")
    assert response.status_code == 200
    assert slugs(response) == expected


TIER_ORDER = ["alpha", "delta", "bravo", "charlie", "echo"]


@pytest.mark.parametrize("holder", ["alpha", "charlie"])
def test_directory_filters_by_tier_alone_and_with_other_filters(client, ecosystem, holder):
    slug = ecosystem[holder].tier.slug
    with_tier = [name for name in TIER_ORDER if ecosystem[name].tier.slug == slug]
    assert holder in with_tier

    assert slugs(client.get(f"{DIRECTORY}?tier={slug}")) == with_tier
    kind = ecosystem[holder].kind
    assert slugs(client.get(f"{DIRECTORY}?tier={slug}&kind={kind}")) == [
        name for name in with_tier if ecosystem[name].kind == kind
    ]


@pytest.mark.parametrize(
    "sort, expected",
    [
        ("tier", ["alpha", "delta", "bravo", "charlie", "echo"]),
        ("rating", ["alpha", "delta", "bravo", "charlie", "echo"]),  # ratings come later: tier, then name
        ("name", ["alpha", "bravo", "charlie", "delta", "echo"]),
    ],
)
def test_directory_sorts(client, ecosystem, sort, expected):
    assert slugs(client.get(f"{DIRECTORY}?sort={sort}")) == expected


def test_name_sort_follows_the_language(client, directory, tiers):
    make_partner("zz", "Aardvark", name="乙公司")
    make_partner("aa", "Zebra", name="甲公司")
    assert slugs(client.get("/en/partners/?sort=name")) == ["zz", "aa"]


def test_unknown_filter_values_are_ignored_not_errors(client, ecosystem):
    response = client.get(f"{DIRECTORY}?kind=bogus&region=nowhere&sort=sideways&stars=9&page=99")
    assert response.status_code == 200
    assert len(slugs(response)) == 5


def test_directory_paginates_and_keeps_the_filters(client, directory, tiers, regions):
    for n in range(26):
        make_partner(f"p{n:02d}", f"Partner {n:02d}", regions=[regions["east"]])
    first = client.get(f"{DIRECTORY}?region=east&sort=name")
    second = client.get(f"{DIRECTORY}?region=east&sort=name&page=2")

    assert len(slugs(first)) == 24
    assert slugs(second) == ["p24", "p25"]
    assert "region=east&amp;sort=name&amp;page=2" in first.content.decode()


def test_certification_filter_finds_partners_with_a_valid_certificate(client, ecosystem):
    cert = Certification.objects.create(slug="cloud-architect", name="云架构师", name_en="Cloud architect")
    today = timezone.localdate()
    CertifiedPerson.objects.create(
        partner=ecosystem["bravo"],
        name="A",
        email="a@bravo.cn",
        certification=cert,
        issued_on=today - timedelta(days=30),
        expires_on=today + timedelta(days=300),
    )
    CertifiedPerson.objects.create(
        partner=ecosystem["charlie"],
        name="B",
        email="b@charlie.cn",
        certification=cert,
        issued_on=today - timedelta(days=800),
        expires_on=today - timedelta(days=1),
    )
    response = client.get(f"{DIRECTORY}?certification=cloud-architect")
    assert slugs(response) == ["bravo"]
    profile = client.get("/en/partners/bravo/")
    assert 'data-certified-people="1"' in profile.content.decode()


def test_certification_parameter_is_accepted_whatever_its_value(client, ecosystem):
    assert client.get(f"{DIRECTORY}?certification=unknown").status_code == 200


# --- bounded queries ---------------------------------------------------------------------


def test_directory_query_count_does_not_grow_with_the_number_of_partners(
    client, directory, tiers, regions, industries, settings
):
    settings.FRAGMENT_CACHE_SECONDS = 0  # the rendering itself (a cached body costs no query)
    make_partner("first", "First", regions=[regions["east"]], industries=[industries["retail"]])
    client.get(DIRECTORY)  # warm Wagtail's site-root cache
    with CaptureQueriesContext(connection) as few:
        client.get(DIRECTORY)

    for n in range(20):
        make_partner(
            f"more{n}",
            f"More {n}",
            kind=["isv", "service", "channel"][n % 3],
            rank=n % 3,
            regions=list(regions.values()),
            industries=list(industries.values()),
        )
    with CaptureQueriesContext(connection) as many:
        client.get(DIRECTORY)

    assert len(many) == len(few)


def test_directory_page_runs_a_bounded_number_of_queries(
    client, directory, tiers, regions, industries, django_assert_max_num_queries
):
    for n in range(24):
        make_partner(
            f"b{n}", f"Bounded {n}", regions=list(regions.values()), industries=list(industries.values())
        )
    client.get(DIRECTORY)
    with django_assert_max_num_queries(20):
        response = client.get(f"{DIRECTORY}?region=east&industry=retail&sort=tier")
    assert len(slugs(response)) == 24


def test_filterset_queryset_is_a_single_query_plus_two_prefetches(ecosystem, django_assert_num_queries):
    filterset = directory_filterset({"kind": "isv"})
    with django_assert_num_queries(3):
        partners = list(filterset.qs)
        for partner in partners:
            (
                list(partner.regions.all()),
                list(partner.industries.all()),
                partner.tier,
                partner.organisation,
                partner.page,
            )


# --- the partner page -----------------------------------------------------------------------


def test_partner_page_shows_the_profile_in_the_visitors_language(client, ecosystem, regions):
    alpha = ecosystem["alpha"]
    Partner.objects.filter(pk=alpha.pk).update(description="中文介绍", description_en="English about")

    english = client.get("/en/partners/alpha/")
    chinese = client.get("/partners/alpha/")

    assert english.status_code == chinese.status_code == 200
    en, zh = english.content.decode(), chinese.content.decode()
    assert "English about" in en and "中文介绍" not in en
    assert "中文介绍" in zh
    assert "<h1>Alpha Apps</h1>" in en
    assert "<h1>Alpha Apps 中文</h1>" in zh
    assert '<link rel="canonical" href="http://testserver/en/partners/alpha/">' in en
    assert '<link rel="canonical" href="http://testserver/partners/alpha/">' in zh
    assert "East China" in en
    assert "badge--tier" in en
    assert 'id="listings-heading"' in en and 'id="ratings-heading"' in en  # marketplace's sections
    assert 'data-certified-people="0"' in en


def test_partner_page_without_a_partner_is_not_found(client, ecosystem):
    Partner.objects.filter(pk=ecosystem["echo"].pk).delete()
    assert client.get("/en/partners/echo/").status_code == 404


def test_suspended_partner_page_is_not_found(client, ecosystem):
    Partner.objects.filter(pk=ecosystem["echo"].pk).update(status=Partner.Status.SUSPENDED)
    assert client.get("/en/partners/echo/").status_code == 404
    assert client.get("/en/partners/alpha/").status_code == 200


def test_partner_page_has_bounded_queries(client, ecosystem, django_assert_max_num_queries):
    client.get("/en/partners/alpha/")
    with django_assert_max_num_queries(16):  # 15 + the delivery stars section (incentives)
        assert client.get("/en/partners/alpha/").status_code == 200


# --- minimum delivery stars (the latest ``delivery_stars`` fact, reported by incentives) -------


def report_stars(rows):
    from partners.services.facts import ensure_metric, report_facts

    ensure_metric(slug="delivery_stars", name="delivery_stars")
    report_facts(source="test", rows=rows)


def test_minimum_stars_filter_reads_the_latest_stars_fact(client, ecosystem):
    feb = timezone.localdate().replace(day=1)  # this month and the one before (within the age limit)
    jan = (feb - timedelta(days=1)).replace(day=1)
    report_stars(
        [
            (ecosystem["bravo"].pk, "delivery_stars", jan, 2),
            (ecosystem["bravo"].pk, "delivery_stars", feb, 5),  # latest counts
            (ecosystem["delta"].pk, "delivery_stars", jan, 5),
            (ecosystem["delta"].pk, "delivery_stars", feb, 3),
            (ecosystem["echo"].pk, "delivery_stars", feb, 4),
        ]
    )
    assert slugs(client.get(f"{DIRECTORY}?stars=4")) == ["bravo", "echo"]
    assert slugs(client.get(f"{DIRECTORY}?stars=3&kind=service")) == ["delta", "bravo"]
    assert slugs(client.get(f"{DIRECTORY}?stars=5")) == ["bravo"]
    # No filter: partners without stars are listed too.
    assert len(slugs(client.get(DIRECTORY))) == 5
    html = client.get(DIRECTORY).content.decode()
    assert "Minimum delivery stars" in html and "4 stars or more" in html


def test_minimum_stars_filter_is_one_query_plus_two_prefetches(ecosystem, django_assert_num_queries):
    month = timezone.localdate().replace(day=1)
    report_stars([(p.pk, "delivery_stars", month, 4) for p in ecosystem.values()])
    filterset = directory_filterset({"stars": "4"})
    with django_assert_num_queries(3):
        partners = list(filterset.qs)
        for partner in partners:
            list(partner.regions.all()), list(partner.industries.all())
    assert len(partners) == 5
