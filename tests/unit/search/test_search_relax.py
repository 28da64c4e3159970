"""Relaxing a query whose words together find too few listings (``catalog.search.relax``), for
every engine: with ``relax=True`` (the search page's) the listings with *some* of the words
follow those with every word; without it every word must still match."""

from __future__ import annotations

import pytest
from django.utils import translation

from catalog.search import search
from catalog.search.relax import RELAX_BELOW
from tests.unit.search.test_search_behaviour import _expected_counts, ids

pytestmark = pytest.mark.django_db


def test_without_relax_every_word_must_match(catalogue):
    result = search(text="员工 发票")
    assert ids(result) == [] and not result.relaxed


def test_relaxed_query_finds_the_listings_with_any_of_its_words(catalogue):
    result = search(text="员工 发票", relax=True, per_page=100)
    assert result.relaxed
    either = set(ids(search(text="员工", per_page=100))) | set(ids(search(text="发票", per_page=100)))
    assert set(ids(result)) == either
    assert result.total == len(either)
    assert catalogue.travel.pk in either and catalogue.invoice.pk in either


def test_listings_with_every_word_come_first_in_their_own_order(catalogue):
    strict = ids(search(text="报销 发票", per_page=100))
    assert 0 < len(strict) < RELAX_BELOW
    result = search(text="报销 发票", relax=True, per_page=100)
    assert result.relaxed and len(ids(result)) > len(strict)
    assert ids(result)[: len(strict)] == strict


def test_relaxed_facet_counts_are_those_of_the_relaxed_hits(catalogue):
    filters = {"region": ["east", "north"]}
    result = search(text="员工 发票", relax=True, filters=filters, per_page=100)
    unfiltered = set(ids(search(text="员工 发票", relax=True, per_page=100)))
    expected = _expected_counts(filters, matching_ids=unfiltered)
    region = {fv.value: fv.count for fv in result.facets["region"] if fv.count}
    assert region == {value: n for value, n in expected["region"].items() if n}


def test_one_word_and_enough_strict_hits_are_not_relaxed(catalogue):
    assert not search(text="发票", relax=True).relaxed
    assert not search(text="人事 薪资", relax=True).relaxed or search(text="人事 薪资").total < RELAX_BELOW


def test_search_page_says_the_results_are_relaxed(catalogue, client, search_urls):
    with translation.override("en"):
        response = client.get("/en" + search_urls, {"q": "员工 发票"})
    assert response.status_code == 200
    assert "followed by listings with some of them" in response.content.decode()
