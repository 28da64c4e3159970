"""Spelling correction for queries that found nothing, on any database (SQLite included).

``correct(query)`` returns a ``Correction`` (the corrected, normalised query and whether pinyin
was turned into Chinese) or ``None``. Each Latin-script word of the query that the catalogue
does not contain is replaced by:

1. the Chinese word whose toneless pinyin it is (``caiwu`` → 财务, ``cai wu`` → 财务, and a run
   of syllables split into known words: ``caiwuruanjian`` → 财务 软件);
2. else the closest catalogue word within a small edit distance (optimal string alignment,
   rapidfuzz: 1 edit up to five letters, 2 beyond; the more frequent word wins a tie);
3. else, for longer words, pinyin one edit away from a known word.

Words of three letters or fewer are only ever read as pinyin, never "corrected" into another
English word. The vocabulary is the indexed catalogue's own: English words and Chinese words
(jieba) of the names, taglines and keywords of the best-ranked documents, plus the category
names; it is cached until the index changes (``catalog.search.base.index_version``).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from django.core.cache import cache

from catalog.search import text as text_mod

VOCABULARY_DOCUMENTS = 5000  # the best-ranked documents the vocabulary is read from
CACHE_SECONDS = 3600
WORD = re.compile(r"[a-z][a-z0-9]*(?:[-'][a-z]+)*")
CHINESE = re.compile(f"[{text_mod.CJK}]{{2,}}")
LATIN_OR_CJK = re.compile(f"([{text_mod.CJK}]+)|([^\\s{text_mod.CJK}]+)")


@dataclass(frozen=True)
class Correction:
    text: str  # the corrected query (normalised)
    pinyin: bool  # some pinyin became Chinese


@dataclass
class Vocabulary:
    words: dict[str, int]  # English word → documents
    pinyin: dict[str, tuple[str, int]]  # toneless pinyin → (Chinese word, documents)
    stems: frozenset[str]

    @property
    def longest_pinyin(self) -> int:
        return max((len(k) for k in self.pinyin), default=0)


def _pinyin(word: str) -> str:
    from pypinyin import lazy_pinyin

    return "".join(lazy_pinyin(word))


def build_vocabulary() -> Vocabulary:
    from catalog.models import SearchDocumentText
    from catalog.search.facets import taxonomy

    english: Counter = Counter()
    chinese: Counter = Counter()
    rows = SearchDocumentText.objects.order_by("-document__boost", "document_id").values_list(
        "title", "title_en", "tagline", "tagline_en", "tokens_meta"
    )[:VOCABULARY_DOCUMENTS]
    jieba = text_mod._jieba()
    for title, title_en, tagline, tagline_en, meta in rows:
        latin = " ".join((title, title_en, tagline, tagline_en, meta)).casefold()
        english.update(set(WORD.findall(latin)))
        found: set[str] = set()
        for run in CHINESE.findall(" ".join((title, tagline, meta))):
            found.update(w for w in jieba.cut(run) if len(w) >= 2 and CHINESE.fullmatch(w))
            if len(run) <= 4:
                found.add(run)
        chinese.update(found)
    for _value, zh, en, _depth, _parent in taxonomy()["category"]:
        english.update(set(WORD.findall((en or "").casefold())))
        for run in CHINESE.findall(zh or ""):
            chinese.update({run, *(w for w in jieba.cut(run) if len(w) >= 2)})
    pinyin: dict[str, tuple[str, int]] = {}
    for word, n in chinese.items():
        key = _pinyin(word)
        if key.isascii() and key.isalpha() and (key not in pinyin or pinyin[key][1] < n):
            pinyin[key] = (word, n)
    words = {w: n for w, n in english.items() if len(w) >= 2}
    return Vocabulary(words=words, pinyin=pinyin, stems=frozenset(text_mod.stem(w) for w in words))


def vocabulary() -> Vocabulary:
    from catalog.search.base import index_version

    key = f"catalog.search.spelling.vocabulary.{index_version()}"
    data = _memo.get(key)
    if data is None:
        data = cache.get(key)
        if data is None:
            data = build_vocabulary()
            cache.set(key, data, CACHE_SECONDS)
        _memo.clear()
        _memo[key] = data
    return data


_memo: dict[str, Vocabulary] = {}


def _known(word: str, vocab: Vocabulary) -> bool:
    return word in vocab.words or text_mod.stem(word) in vocab.stems or word in text_mod.STOPWORDS


def _pinyin_words(word: str, vocab: Vocabulary) -> str | None:
    """``word`` read as pinyin of one known Chinese word, or of several (longest first)."""
    if word in vocab.pinyin:
        return vocab.pinyin[word][0]
    out, i, longest = [], 0, vocab.longest_pinyin
    while i < len(word):
        for end in range(min(len(word), i + longest), i + 1, -1):
            if word[i:end] in vocab.pinyin:
                out.append(vocab.pinyin[word[i:end]][0])
                i = end
                break
        else:
            return None
    return " ".join(out) if len(out) > 1 else None


def _closest(word: str, choices: dict, *, max_edits: int) -> str | None:
    from rapidfuzz import process
    from rapidfuzz.distance import OSA

    found = process.extract(word, list(choices), scorer=OSA.distance, score_cutoff=max_edits, limit=10)
    if not found:
        return None

    def weight(key):
        value = choices[key]
        return value[1] if isinstance(value, tuple) else value

    best = min(found, key=lambda item: (item[1], -weight(item[0]), item[0]))
    return best[0]


def correct(query: str) -> Correction | None:
    """The query with its unknown Latin-script words corrected, or ``None`` when nothing changed
    (see the module docstring)."""
    normalised = text_mod.normalise(query)
    if not normalised or not re.search(r"[a-z]", normalised):
        return None
    vocab = vocabulary()
    parts = [m.group(0) for m in LATIN_OR_CJK.finditer(normalised)]
    out: list[str] = []
    changed = pinyin = False
    i = 0
    while i < len(parts):
        part = parts[i]
        if not part.isascii() or not part.isalpha() or _known(part, vocab):
            out.append(part)
            i += 1
            continue
        # Syllables typed apart ("cai wu"): the longest run of unknown words that is one word.
        joined = None
        for end in range(min(len(parts), i + 4), i + 1, -1):
            run = parts[i:end]
            if all(p.isascii() and p.isalpha() and not _known(p, vocab) for p in run):
                candidate = "".join(run)
                if candidate in vocab.pinyin:
                    joined = (vocab.pinyin[candidate][0], end)
                    break
        if joined:
            out.append(joined[0])
            changed = pinyin = True
            i = joined[1]
            continue
        as_pinyin = _pinyin_words(part, vocab)
        if as_pinyin:
            out.append(as_pinyin)
            changed = pinyin = True
            i += 1
            continue
        replacement = None
        if len(part) >= 4:
            replacement = _closest(part, vocab.words, max_edits=1 if len(part) <= 5 else 2)
        if replacement is None and len(part) >= 6:
            near = _closest(part, vocab.pinyin, max_edits=1)
            if near:
                replacement = vocab.pinyin[near][0]
                pinyin = True
        if replacement and replacement != part:
            changed = True
            out.append(replacement)
        else:
            out.append(part)
        i += 1
    if not changed:
        return None
    return Correction(text=" ".join(out), pinyin=pinyin)
