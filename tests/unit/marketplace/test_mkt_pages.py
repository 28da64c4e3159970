"""The customer pages over the demo catalogue (issues #17 and #18): honest "from" prices that the
price sort follows, bounded SQL per page, search snippets inside their cards, the freshness badge.

The demo is seeded once per run (``demo_seed`` in ``tests/conftest.py``) inside a transaction
rolled back after its last user. Timings live in ``benchmarks/pages.py``, never here.
"""

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from catalog.models import Category, ListingPage, PricingModel
from catalog.pricing import from_price, other_currency
from catalog.selectors.listings import live_listings

pytestmark = [pytest.mark.demo, pytest.mark.django_db]


@pytest.fixture(autouse=True)
def seeded(demo_seed):
    """The session's one ``seed_demo`` (``tests/conftest.py``; it rebuilds the search index)."""
    return demo_seed.ctx


@pytest.fixture(autouse=True)
def no_page_cache(settings):
    settings.SEARCH_PAGE_CACHE_SECONDS = 0


def _all_cards(client, url):
    """The card dicts of every result page of ``url`` (search context), in order."""
    cards, page = [], 1
    while True:
        response = client.get(f"{url}&page={page}")
        assert response.status_code == 200
        cards.extend(entry["card"] for entry in response.context["cards"])
        if not response.context["result"].has_next:
            return cards
        page += 1


def _sort_key(price, currency):
    kind = price["kind"]
    if kind in ("free", "from") and price["currency"] == currency:
        return (0, price["amount"])
    if kind in ("free", "other"):
        return (1, price["amount"])
    return (2, Decimal(0))


@pytest.mark.parametrize(("prefix", "currency"), [("", "CNY"), ("/en", "USD"), ("/en", "CNY"), ("", "USD")])
def test_price_sort_follows_the_cards_prices_in_the_page_currency(client, prefix, currency):
    default = "USD" if prefix else "CNY"
    query = "sort=price" + ("" if currency == default else f"&currency={currency}")
    cards = _all_cards(client, f"{prefix}/search/?{query}")
    assert len(cards) == live_listings().count() >= 150
    keys = [_sort_key(card["price"], currency) for card in cards]
    assert keys == sorted(keys), [(c["title"], c["price_label"]) for c in cards[:40]]
    # Every card's price is the lowest price the customer can pay, in the page's currency first.
    plans = {}
    for page in live_listings().prefetch_related("plans"):
        plans[page.pk] = list(page.plans.all())
    for card in cards:
        own = plans[card["pk"]]
        expected = from_price(own, currency)
        if expected is not None:
            assert card["price"]["currency"] == currency
            assert card["price"]["amount"] == expected
        elif from_price(own, other_currency(currency)) is not None:
            assert card["price"]["kind"] in ("other", "free") and card["price"]["currency"] != currency
            assert card["price_note"]  # marked: "priced in … only"
        if any(p.pricing_model == PricingModel.FREE for p in own):
            assert card["price"]["kind"] == "free"
    # The free ones come first, and the page shows only the page's currency symbol on the others.
    assert cards[0]["price"]["kind"] == "free"
    symbol, foreign = ("¥", "$") if currency == "CNY" else ("$", "¥")
    for card in cards:
        if card["price"]["kind"] == "from":
            assert symbol in card["price_label"] and foreign not in card["price_label"]


def test_a_listing_with_a_free_plan_shows_free_not_its_paid_price(client):
    page = live_listings().filter(plans__pricing_model=PricingModel.FREE, plans__price_cny__gt=0).first()
    if page is None:  # the demo always has one; make sure of it
        page = live_listings().filter(plans__pricing_model=PricingModel.FREE).first()
    assert page is not None
    with translation.override("zh-hans"):
        from marketplace.selectors.cards import listing_cards

        (card,) = listing_cards([page.pk])
    assert card["price"]["kind"] == "free"
    assert card["price_label"] == "免费"


def _queries(client, url) -> int:
    client.get(url)  # warm the per-process caches (site root paths, labels)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries.captured_queries)


def test_customer_pages_run_a_bounded_number_of_queries(client):
    category = Category.objects.filter(parent=None).order_by("pk").first()
    listing = live_listings().order_by("pk").first()
    bounds = {
        "/search/": 12,
        "/search/?q=财务&sort=price": 12,
        "/en/search/?q=finance": 12,
        f"/categories/{category.slug}/": 14,
        "/": 16,
        "/partners/": 16,
        listing.url: 40,
    }
    counts = {url: _queries(client, url) for url in bounds}
    assert all(counts[url] <= bound for url, bound in bounds.items()), counts


def test_twenty_result_cards_cost_no_more_queries_than_one(client):
    one = ListingPage.objects.live().order_by("pk").first()
    narrow = _queries(client, f"/search/?q={one.title_en}")
    wide = _queries(client, "/search/")
    assert wide <= narrow + 1  # the no-text page skips nothing the narrow one does


def test_search_snippets_render_inside_their_cards(client):
    page = live_listings().exclude(description_en=None).order_by("pk").first()
    words = re.findall(r"[A-Za-z]{6,}", " ".join(str(b.value) for b in page.description_en))
    html = ""
    for word in words:  # a word of the description that is not in the title or tagline
        if word.lower() in (page.title_en + page.tagline_en).lower():
            continue
        html = client.get(f"/en/search/?q={word}").content.decode()
        if "search-hit__snippet" in html:
            break
    assert "search-hit__snippet" in html
    for item in re.findall(r'<li class="search-hit".*?</li>', html, re.S):
        if "search-hit__snippet" in item:
            card = re.search(r"<article.*?</article>", item, re.S).group(0)
            assert "search-hit__snippet" in card  # inside the card, not after it


def test_cards_show_a_freshness_badge(client):
    html = client.get("/en/search/").content.decode()
    assert re.search(
        r'class="badge freshness freshness--(fresh|recent|stale)" title="Last updated \d{4}-', html
    )
