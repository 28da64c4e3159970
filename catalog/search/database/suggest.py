"""Suggestions in the database engine: "did you mean" for a query that found nothing, and
autocomplete over the listing and category names; plus the helpers the Elasticsearch engine
shares (``closest``, ``category_suggestions``, ``listing_suggestion``).
"""

from __future__ import annotations

import difflib

from django.contrib.postgres.search import TrigramWordSimilarity
from django.db.models import Case, F, Q, Value, When

from catalog.models import SearchDocument, SearchDocumentText
from catalog.search import text as text_mod
from catalog.search.database.backend import WordSimilar, is_postgres
from catalog.search.database.query import with_text
from catalog.search.facets import taxonomy


def did_you_mean(query: str) -> str | None:
    normalised = text_mod.normalise(query)
    if not normalised:
        return None
    candidates: list[str] = []
    for _value, zh, en, _depth, _parent in taxonomy()["category"]:
        candidates.extend(n for n in (zh, en) if n)
    if is_postgres():
        rows = (
            SearchDocument.objects.filter(WordSimilar(Value(normalised), F("suggest_text")))
            .annotate(similarity=TrigramWordSimilarity(normalised, "suggest_text"))
            .order_by("-similarity", "listing_id")
            .values_list("text__title", "text__title_en")[:5]
        )
    else:
        rows = SearchDocumentText.objects.order_by("-document__boost").values_list("title", "title_en")[:5000]
    for title, title_en in rows:
        candidates.extend(n for n in (title, title_en) if n)
    return closest(normalised, candidates)


def suggest(prefix: str, *, language: str, limit: int = 10) -> list[dict]:
    needle = text_mod.normalise(prefix)[:50]
    if not needle:
        return []
    english = language.startswith("en")
    categories = category_suggestions(needle, english=english, limit=3)
    rows = (
        SearchDocument.objects.filter(suggest_text__contains=needle)
        .annotate(
            starts=Case(
                When(Q(name_norm__startswith=needle) | Q(name_en_norm__startswith=needle), then=Value(1)),
                default=Value(0),
            )
        )
        .order_by("-starts", F("active_subscriptions").desc(), F("boost").desc(), "listing_id")
        .values("listing_id")[: max(0, limit - len(categories))]
    )
    listings = [listing_suggestion(row, english) for row in with_text(list(rows))]
    return (listings + categories)[:limit]


# --- helpers shared with the Elasticsearch engine and the benchmark --------------------------
def closest(normalised: str, candidates: list[str]) -> str | None:
    """What the visitor probably meant: a listing or category name very close to the whole query
    (difflib ratio ≥ 0.75, case-insensitive); else the query with each Latin word replaced by the
    closest word of those names (≥ 0.75); else a name fairly close to the query (≥ 0.6)."""
    folded: dict[str, str] = {}
    words: set[str] = set()
    for candidate in candidates:
        folded.setdefault(candidate.casefold(), candidate)
        for word in text_mod.SPACES.split(candidate.casefold()):
            if len(word) >= 3 and word.isascii() and word.isalpha():
                words.add(word)
    folded.pop(normalised, None)  # the query itself is no suggestion
    scored = sorted(
        ((difflib.SequenceMatcher(None, normalised, name).ratio(), name) for name in folded),
        key=lambda pair: (-pair[0], pair[1]),
    )
    if scored and scored[0][0] >= 0.75:
        return folded[scored[0][1]]
    corrected, changed = [], False
    for word in normalised.split():
        if word in words or len(word) < 3 or not (word.isascii() and word.isalpha()):
            corrected.append(word)
            continue
        match = difflib.get_close_matches(word, sorted(words), n=1, cutoff=0.75)
        corrected.append(match[0] if match else word)
        changed = changed or bool(match)
    if changed:
        return " ".join(corrected)
    if scored and scored[0][0] >= 0.6:
        return folded[scored[0][1]]
    return None


def category_suggestions(needle: str, *, english: bool, limit: int) -> list[dict]:
    out = []
    for value, zh, en, _depth, _parent in taxonomy()["category"]:
        if needle in (zh or "").casefold() or needle in (en or "").casefold():
            label, alt = (en or zh, zh) if english else (zh or en, en)
            out.append(
                {"kind": "category", "value": value, "label": label, "alt": alt if alt != label else ""}
            )
            if len(out) >= limit:
                break
    return out


def listing_suggestion(row: dict, english: bool) -> dict:
    if english:
        label, alt, url = row["title_en"] or row["title"], row["title"], row["url_en"] or row["url"]
        partner = row["partner_name_en"] or row["partner_name"]
    else:
        label, alt, url = row["title"] or row["title_en"], row["title_en"], row["url"] or row["url_en"]
        partner = row["partner_name"] or row["partner_name_en"]
    return {
        "kind": "listing",
        "value": str(row["listing_id"]),
        "label": label,
        "alt": alt if alt != label else "",
        "url": url,
        "partner": partner,
    }
