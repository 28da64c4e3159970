"""When every word together finds too few listings: listings with *some* of the words.

A query of several terms (``catalog.search.synonyms.query_terms``) normally needs every term
("电子发票 connector": an e-invoicing product *and* a connector). When that finds fewer than
``RELAX_BELOW`` listings, and the request asks for it (``relax=True``: the search page does),
both engines search again for listings matching **at least one** term (minimum should match 1)
and say so (``SearchResult.relaxed``):

* listings with every term come first, in the order the strict search gives them;
* then the others, by the terms they have, each term weighted by its rarity (inverse document
  frequency: "电子发票" outweighs "connector", which half the connectors carry) and by where it
  sits (name, tagline, keywords, description), times the listing's quality boost.

Only for queries of token terms (a single Chinese character is a substring match: left strict)
and never after a spelling or typo correction.
"""

from __future__ import annotations

RELAX_BELOW = 5  # fewer strict hits than this: relax
STRICT_BONUS = 100.0  # Elasticsearch: what a listing with every term gets on top of its score


def relaxable(terms) -> bool:
    """At least two terms, none of them a single-character substring match."""
    return len(terms) >= 2 and not any(t and t[0] and t[0][0].startswith("=") for t in terms)


def wanted(request, total: int, *, corrected: bool) -> bool:
    return bool(request.relax and request.text and total < RELAX_BELOW and not corrected)
