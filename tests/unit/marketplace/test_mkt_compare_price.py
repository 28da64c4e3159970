"""The compare table's price (issue #18): the cards' rule and label in the page's currency, a price
only in the other currency marked as the cards mark it (never a bare ¥ on an English page)."""

import re

import pytest

from marketplace.selectors.cards import listing_cards
from tests.factories.marketplace import make_listing, monthly_plan

pytestmark = pytest.mark.django_db


def _price_cells(html):
    row = re.search(r'<th scope="row">(?:Lowest price|价格最低|最低价格)</th>(.*?)</tr>', html, re.S).group(1)
    return [re.sub(r"\s+", " ", cell).strip() for cell in re.findall(r"<td>(.*?)</td>", row, re.S)]


def test_compare_price_column_marks_the_currency_as_the_cards_do(client, partner):
    both = make_listing(partner, title_en="Both", slug="both", plans=[monthly_plan(cny="99.00", usd="14.00")])
    cny_only = make_listing(
        partner, title_en="Yuan", slug="yuan", plans=[monthly_plan(cny="199.00", usd=None)]
    )
    ids = f"{both.pk},{cny_only.pk}"

    assert _price_cells(client.get("/en/compare/", {"ids": ids}).content.decode()) == [
        "From $14",
        "From ¥199 (Priced in CNY only)",
    ]
    cards = {card["pk"]: card for card in listing_cards([both.pk, cny_only.pk], currency="USD")}
    assert cards[cny_only.pk]["price_label"] == "From ¥199"
    assert cards[cny_only.pk]["price_note"] == "Priced in CNY only"

    zh = _price_cells(client.get("/compare/", {"ids": ids}).content.decode())
    assert zh == ["¥99 起", "¥199 起"]
