"""Query-time synonyms and abbreviations, from the dictionary staff edit in the Wagtail admin
(``catalog.models.SearchSynonym``: groups of equivalent expressions such as
``SSO, single sign-on, 单点登录, 统一身份认证``).

The API, for either engine::

    from catalog.search import synonyms

    found = synonyms.expand("sso 集成")
    found.rest      # "集成": the query outside the recognised expressions (search it as usual)
    found.groups    # [Group(matched="sso", terms=("SSO", "single sign-on", "单点登录", "统一身份认证"))]
    found.variants()  # whole-query rewrites, at most ``limit``: ["sso 集成", "single sign-on 集成", …]

Each ``Group`` is one clause of the query: a listing matches it when it contains *any* of the
group's ``terms`` (the matched one included); every group *and* the words of ``rest`` must match,
as every word of an ordinary query must. The Elasticsearch engine can turn each group into a
``bool.should`` of ``match_phrase`` queries (one per term, over the Chinese and English fields)
beside its usual query for ``rest``; the database engine uses ``query_terms`` below.

Recognition works on the normalised query: English words compare by their Snowball stem
(``contract managers`` matches ``contract management``; ``hr`` never matches inside ``hrm``), Chinese by
characters (``客户关系管理系统`` contains ``客户关系管理``). The longest expression wins, left to
right, without overlaps; an expression found in several groups stands for all their terms.
The dictionary is cached (Django's cache) until a group is saved or deleted; saving also bumps
the search index version, so cached search results are dropped.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from django.core.cache import cache

from catalog.search import text as text_mod
from core.cache import per_request

CACHE_KEY = "catalog.search.synonyms.v1"
PIECES = re.compile(f"([{text_mod.CJK}])|([a-z0-9]+(?:[+#][a-z0-9]*)*\\+*)")


@dataclass(frozen=True)
class Group:
    matched: str  # the expression as it stands in the (normalised) query
    terms: tuple[str, ...]  # every equivalent expression of the group, as staff wrote them


@dataclass(frozen=True)
class Expansion:
    query: str
    rest: str
    groups: tuple[Group, ...] = field(default_factory=tuple)

    def variants(self, limit: int = 8) -> list[str]:
        """Whole-query rewrites with each recognised expression replaced by each of its
        equivalents (the query itself first), at most ``limit``."""
        if not self.groups:
            return [self.query]
        choices = [
            (g.matched, *(t for t in g.terms if text_mod.normalise(t) != g.matched)) for g in self.groups
        ]
        out: list[str] = []
        for combo in itertools.islice(itertools.product(*choices), limit):
            out.append(" ".join([*combo, self.rest]).strip())
        return out


def _pieces(value: str) -> list[tuple[str, int, int]]:
    """``(key, start, end)`` per English word (key: its stem; separators split words) and per
    Chinese character, over ``value`` as given (already normalised by the caller)."""
    out = []
    for match in PIECES.finditer(value):
        chinese, latin = match.groups()
        if chinese:
            out.append(("c" + chinese, match.start(), match.end()))
        elif latin:
            out.append(("w" + text_mod.stem(latin), match.start(), match.end()))
    return out


def _fold(value: str) -> str:
    return unicodedata.normalize("NFKC", value or "").casefold()


@lru_cache(maxsize=8)
def _compile(groups: tuple[tuple[str, ...], ...]):
    """first piece → [(pieces, equivalent terms)], longest first. An expression that stands in
    several groups is equivalent to every term of all of them."""
    equivalents: dict[tuple[str, ...], dict[str, None]] = {}
    for terms in groups:
        for term in terms:
            keys = tuple(key for key, _s, _e in _pieces(_fold(term)))
            if keys:
                equivalents.setdefault(keys, {}).update(dict.fromkeys(terms))
    index: dict[str, list[tuple[tuple[str, ...], tuple[str, ...]]]] = {}
    for keys, terms in equivalents.items():
        index.setdefault(keys[0], []).append((keys, tuple(terms)))
    for entries in index.values():
        entries.sort(key=lambda entry: -len(entry[0]))
    return index


def dictionary() -> tuple[tuple[str, ...], ...]:
    """The active groups' terms, from the cache (one query to fill it; one read per request)."""
    return per_request(CACHE_KEY, _read_dictionary)


def _read_dictionary() -> tuple[tuple[str, ...], ...]:
    groups = cache.get(CACHE_KEY)
    if groups is None:
        from catalog.models import SearchSynonym

        groups = [
            tuple(row.term_list())
            for row in SearchSynonym.objects.filter(active=True).order_by("pk").only("terms")
        ]
        groups = [g for g in groups if len(g) >= 2]
        cache.set(CACHE_KEY, groups, None)
    return tuple(tuple(g) for g in groups)


def invalidate() -> None:
    """Drop the cached dictionary and every cached search result (the receivers call it)."""
    from catalog.search.base import bump_index_version

    cache.delete(CACHE_KEY)
    bump_index_version()


def on_dictionary_changed(sender=None, **kwargs) -> None:
    """post_save / post_delete of ``SearchSynonym`` (``catalog.search.apps_ready``)."""
    invalidate()


def expand(query: str, groups=None) -> Expansion:
    """The recognised expressions of ``query`` and the rest of it (see the module docstring).
    ``groups`` overrides the dictionary (tuples of equivalent terms), for tests and benchmarks."""
    normalised = text_mod.normalise(query)
    groups = dictionary() if groups is None else tuple(tuple(g) for g in groups)
    if not normalised or not groups:
        return Expansion(query=normalised, rest=normalised)
    index = _compile(groups)
    pieces = _pieces(normalised)
    keys = [key for key, _s, _e in pieces]
    found: list[Group] = []
    spans: list[tuple[int, int]] = []
    i = 0
    while i < len(pieces):
        for candidate, terms in index.get(keys[i], ()):
            if tuple(keys[i : i + len(candidate)]) == candidate:
                end = i + len(candidate) - 1
                start_char, end_char = pieces[i][1], pieces[end][2]
                found.append(Group(matched=normalised[start_char:end_char], terms=terms))
                spans.append((start_char, end_char))
                i = end + 1
                break
        else:
            i += 1
    if not found:
        return Expansion(query=normalised, rest=normalised)
    rest, last = [], 0
    for start, end in spans:
        rest.append(normalised[last:start])
        last = end
    rest.append(normalised[last:])
    merged: dict[tuple[str, ...], Group] = {}
    for group in found:
        merged.setdefault(group.terms, group)
    return Expansion(query=normalised, rest=text_mod.normalise(" ".join(rest)), groups=tuple(merged.values()))


def phrase_tokens(term: str) -> list[str]:
    """The index tokens a document containing ``term`` certainly has: each Chinese run's
    two-character windows (the run itself when it is two characters), each English word's
    stem (stop words and lone characters left out)."""
    out: dict[str, None] = {}
    for match in text_mod.SCRIPT_RUN.finditer(_fold(term)):
        chinese, latin = match.groups()
        if chinese:
            for gram in [chinese] if len(chinese) == 2 else text_mod._bigrams(chinese):
                out.setdefault(gram, None)
        elif latin:
            for part in re.split(r"[._+#-]+", latin) if re.search(r"[._#-]", latin) else [latin]:
                if part and part not in text_mod.STOPWORDS and len(part) >= 2:
                    out.setdefault(text_mod.stem(part), None)
    return list(out)


def query_terms(query: str) -> list[text_mod.Term]:
    """The database engine's terms for ``query`` (``catalog.search.text.query_terms``) with each
    recognised expression made one term whose alternatives are its group's terms."""
    expansion = expand(query)
    if not expansion.groups:
        return text_mod.query_terms(query)
    terms = text_mod.query_terms(expansion.rest)
    for group in expansion.groups:
        alternatives: list[list[str]] = []
        for term in (group.matched, *group.terms):
            tokens = phrase_tokens(term)
            if tokens and tokens not in alternatives:
                alternatives.append(tokens)
        if alternatives:
            terms.append(alternatives)
    return terms


def highlight_words(query: str) -> list[str]:
    """The words to mark in a result for ``query``: its own (``text.plain_words``) plus every
    expression of the synonym groups it contains, longest first."""
    words = dict.fromkeys(text_mod.plain_words(query))
    for group in expand(query).groups:
        for term in group.terms:
            words.setdefault(_fold(term), None)
    return sorted(words, key=len, reverse=True)
