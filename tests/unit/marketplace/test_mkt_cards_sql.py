"""``listing_cards`` reads its cards with one hand-written statement (issue #17) and builds the same
dicts as the ORM implementation it replaced (``reference_cards.py``, four queries): over listings
with and without plans, in one currency or both, free / contact-sales / trial plans, with and
without logos (a rendition made on first view), verified reviews, tiers, a partner-less listing,
unpublished, delisted and drafted pages, both languages, every currency a page asks for, the
order of the ids kept, duplicates, ``None`` and ids that are no live listing left out."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone, translation
from wagtail.images import get_image_model
from wagtail.images.tests.utils import get_test_image_file

from catalog.models import ListingPage, PricingModel, UsageKind
from marketplace.selectors import cards as selector
from marketplace.services import reviews as review_services
from tests.factories.accounts import buyer
from tests.factories.marketplace import (
    free_plan,
    give_usage,
    make_listing,
    make_review,
    monthly_plan,
    trial_plan,
)
from tests.factories.partners import TierFactory, provisioned_partner
from tests.unit.marketplace import reference_cards as reference

pytestmark = pytest.mark.django_db


def _logo(name: str, *, rendition: bool):
    image = get_image_model().objects.create(title=name, file=get_test_image_file(filename=f"{name}.png"))
    if rendition:
        image.get_rendition(selector.LOGO_SPEC)
    return image


def _verified_reviews(listing, kinds):
    for kind in kinds:
        _user, organisation = buyer()
        give_usage(listing, organisation, kind=kind, days_ago=100)
        make_review(listing, rating=4, organisation=organisation)


@pytest.fixture
def shelf(partner):
    """Listings of three partners covering what a card shows; returns the ids to ask for."""
    other = provisioned_partner(organisation__name="蓝海咨询", organisation__name_en="")
    other.tier = TierFactory(rank=3, name="金牌", name_en="", colour="#fde047")
    other.save()
    third = provisioned_partner(organisation__name="无等级", organisation__name_en="No Tier")
    third.tier = None
    third.save()
    now = timezone.now()
    logo_ready, logo_new = _logo("ready", rendition=True), _logo("new", rendition=False)

    both = make_listing(partner, title="双币", title_en="Both currencies", logo=logo_ready)
    _verified_reviews(both, (UsageKind.SUBSCRIPTION, UsageKind.SUBSCRIPTION, UsageKind.TRIAL))
    review_services.recompute_listing_rating(listing_id=both.pk, report=False)
    usd_only = make_listing(partner, title_en="Dollars", plans=[monthly_plan(cny=None, usd="19.50")])
    cny_trial = make_listing(
        other,
        title="人民币试用",
        title_en="",
        tagline_en="",
        plans=[monthly_plan(cny="1299.00", usd=None), trial_plan(days=30)],
        logo=logo_new,
    )
    free = make_listing(other, title_en="Free", plans=[free_plan(), monthly_plan(cny="10.00", usd="2.00")])
    contact = make_listing(
        third,
        title_en="Call us",
        plans=[monthly_plan(cny=None, usd=None, pricing_model=PricingModel.CONTACT_SALES)],
    )
    bare = make_listing(third, title="no-plans tool", title_en="", plans=[])
    _verified_reviews(bare, (UsageKind.SUBSCRIPTION,))  # reviews, but no rating recomputed: 0
    orphan = make_listing(partner, title_en="Orphan")
    drafted = make_listing(partner, title="已发布标题", title_en="Published title")
    revision = ListingPage.objects.get(pk=drafted.pk)
    revision.title, revision.title_en = "草稿标题", "Draft title"
    revision.save_revision()
    unpublished = make_listing(partner, title_en="Unpublished", live=False)
    delisted = make_listing(partner, title_en="Delisted")

    ListingPage.objects.filter(pk=orphan.pk).update(partner=None)
    ListingPage.objects.filter(pk=delisted.pk).update(delisted_at=now)
    ListingPage.objects.filter(pk=usd_only.pk).update(
        rating_average=Decimal("4.35"), rating_count=7, last_updated_at=now - timedelta(days=200)
    )
    ListingPage.objects.filter(pk=free.pk).update(last_updated_at=now - timedelta(days=400))
    ListingPage.objects.filter(pk=contact.pk).update(last_updated_at=now - timedelta(days=3))
    ListingPage.objects.filter(pk=bare.pk).update(
        last_updated_at=None, rating_average=Decimal("2.25"), rating_count=1
    )
    listings = [both, usd_only, cny_trial, free, contact, bare, orphan, drafted, unpublished, delisted]
    ids = [listing.pk for listing in listings]
    return [ids[3], None, ids[0], 999_999, ids[8], ids[1], ids[3], partner.page.pk, *ids[4:8], ids[2], ids[9]]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_cards_are_those_of_the_orm_implementation(shelf, language):
    with translation.override(language):
        for currency in (None, "CNY", "USD", "usd", "EUR", ""):
            new = selector.listing_cards(shelf, currency=currency)  # first: makes the missing rendition
            assert new == reference.listing_cards(shelf, currency=currency), currency
    assert len(new) == 8  # ten listings, without the unpublished and the delisted one
    assert [card["pk"] for card in new] == list(
        dict.fromkeys(pk for pk in shelf if pk in {c["pk"] for c in new})
    )
    assert sum(bool(card["logo"]) for card in new) == 2  # the ready rendition and the one made here
    assert {card["rating"].get("verified") for card in new} >= {2, 0}
    assert {card["price"]["kind"] for card in new} == {"free", "from", "other", "contact", ""}


def test_every_subset_and_order_of_the_ids_gives_the_reference_cards(shelf):
    ids = [pk for pk in shelf if pk is not None]
    for size in range(len(ids) + 1):
        chosen = list(reversed(ids))[:size]
        with translation.override("en"):
            assert selector.listing_cards(chosen) == reference.listing_cards(chosen)


def test_one_statement_for_any_number_of_cards(shelf, django_assert_num_queries):
    selector.listing_cards(shelf)  # the logo's rendition made on first view, the site root paths read
    with django_assert_num_queries(1):
        cards = selector.listing_cards(shelf)
    assert len(cards) == 8
    with django_assert_num_queries(0):
        assert selector.listing_cards([None]) == []
