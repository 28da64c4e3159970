"""Text for the database engine: segmenting Chinese, folding English, and the query terms.

A listing's text becomes *tokens*: for each run of Chinese characters, jieba's search-mode
words (``cut_for_search``: long words and the shorter words inside them) plus every
two-character window of the run, so any two-character word a description contains is found
whatever jieba made of its context; for Latin script, lower-cased words, a conservative
plural fold (``integrations`` → ``integration``) and the English Snowball stem
(``manager`` / ``management`` / ``managing`` → ``manag``), so word forms meet. Tokens are
de-duplicated per field, so repeating a word does not make a listing more relevant.

A query becomes *terms* that must all match (AND). Each term is a list of alternatives (OR)
and each alternative a list of tokens that must all be present (AND): ``数字化`` is
``[["数字化"], ["数字", "字化"]]`` and ``invoices`` is ``[["invoices"], ["invoice"]]``
(plus the stem ``[["invoic"]]``).
A single Chinese character is not a token; it is matched as a substring of the text.
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from functools import lru_cache

MAX_QUERY_LENGTH = 200

CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002a6df"
CJK_RUN = re.compile(f"[{CJK}]+")
SCRIPT_RUN = re.compile(f"([{CJK}]+)|([a-z0-9]+(?:[._+#-][a-z0-9]+)*\\+*)")
HAS_CJK = re.compile(f"[{CJK}]")
LATIN_WORD = re.compile(r"[a-z0-9]")
SPACES = re.compile(r"\s+")
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

# English words too common to be worth a token (the query drops them as well).
STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "for",
        "from",
        "has",
        "in",
        "is",
        "it",
        "of",
        "on",
        "or",
        "that",
        "the",
        "to",
        "with",
        "your",
        "you",
        "our",
        "we",
    ]
)


@lru_cache(maxsize=1)
def _jieba():
    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba


def clean_query(text) -> str:
    """The query as searched: a string, NFKC-normalised (full-width letters become ASCII), control
    characters removed, whitespace collapsed, at most ``MAX_QUERY_LENGTH`` characters."""
    if not isinstance(text, str):
        text = "" if text is None else str(text)
    text = CONTROL.sub(" ", unicodedata.normalize("NFKC", text[: MAX_QUERY_LENGTH * 4]))
    return SPACES.sub(" ", text).strip()[:MAX_QUERY_LENGTH].strip()


def normalise(text: str) -> str:
    """Lower case, collapsed whitespace: how names are compared for an exact match and queries
    are grouped in the analytics."""
    return SPACES.sub(" ", clean_query(text).casefold()).strip()


def fold(word: str) -> str:
    """A conservative English plural fold: companies → company, integrations → integration."""
    if len(word) <= 3 or not word.isalpha():
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("sses"):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


_stemmers = threading.local()  # a Snowball stemmer keeps state while it works: one per thread


@lru_cache(maxsize=50_000)
def stem(word: str) -> str:
    """The English Snowball stem of a lower-case word (``management`` → ``manag``); short,
    non-alphabetic and non-ASCII words are kept as they are."""
    if len(word) <= 3 or not (word.isascii() and word.isalpha()):
        return word
    stemmer = getattr(_stemmers, "english", None)
    if stemmer is None:
        import snowballstemmer

        stemmer = _stemmers.english = snowballstemmer.stemmer("english")
    return stemmer.stemWord(word)


def word_forms(word: str) -> list[str]:
    """A Latin word, its plural fold and its stem, de-duplicated (order kept)."""
    return list(dict.fromkeys((word, fold(word), stem(word))))


def _bigrams(run: str) -> list[str]:
    return [run[i : i + 2] for i in range(len(run) - 1)]


def tokens(text: str) -> list[str]:
    """The de-duplicated tokens of ``text`` (order kept)."""
    if not text:
        return []
    text = unicodedata.normalize("NFKC", text).casefold()
    seen: dict[str, None] = {}
    for match in SCRIPT_RUN.finditer(text):
        chinese, latin = match.groups()
        if chinese:
            if len(chinese) >= 2:
                for word in _jieba().cut_for_search(chinese):
                    if len(word) >= 2:
                        seen.setdefault(word, None)
                for gram in _bigrams(chinese):
                    seen.setdefault(gram, None)
            else:
                seen.setdefault(chinese, None)  # a lone character between other scripts
        elif latin and latin not in STOPWORDS:
            for form in word_forms(latin):
                seen.setdefault(form, None)
            if any(sep in latin for sep in "._-+#"):  # "e-invoice" is also "e" "invoice"
                for part in re.split(r"[._+#-]+", latin):
                    if part and part not in STOPWORDS:
                        for form in word_forms(part):
                            seen.setdefault(form, None)
    return list(seen)


def token_string(*texts: str, limit: int = 4000) -> str:
    """Space-separated tokens, with a space at each end so ``" token "`` matches whole tokens."""
    merged: dict[str, None] = {}
    for text in texts:
        for token in tokens(text):
            merged.setdefault(token, None)
            if len(merged) >= limit:
                break
    return f" {' '.join(merged)} " if merged else ""


Term = list[list[str]]  # alternatives (OR) of token groups (AND)


def query_terms(text: str) -> list[Term]:
    """The terms of a query; every one must match. Single Chinese characters come back as
    ``[["=字"]]`` (the ``=`` prefix marks a substring match)."""
    text = unicodedata.normalize("NFKC", text or "").casefold()
    terms: list[Term] = []
    seen: set[tuple] = set()

    def add(term: Term):
        key = tuple(tuple(group) for group in term)
        if key not in seen:
            seen.add(key)
            terms.append(term)

    for match in SCRIPT_RUN.finditer(text):
        chinese, latin = match.groups()
        if chinese:
            words = [w for w in _jieba().cut(chinese) if w.strip()] if len(chinese) >= 2 else [chinese]
            for word in words:
                if len(word) == 1:
                    add([["=" + word]])
                elif len(word) == 2:
                    add([[word]])
                else:
                    add([[word], _bigrams(word)])
        elif latin and latin not in STOPWORDS:
            add([[form] for form in word_forms(latin)])
    return terms


def is_latin(text: str) -> bool:
    """True when the query has letters and none of them Chinese (typo tolerance applies)."""
    return bool(text) and not HAS_CJK.search(text) and bool(LATIN_WORD.search(text.casefold()))


def plain_words(text: str) -> list[str]:
    """The words of a query as typed, for highlighting (Chinese runs are kept whole and also
    split by jieba; English words lower-cased, with their plural fold and stem)."""
    text = unicodedata.normalize("NFKC", text or "").casefold()
    words: dict[str, None] = {}
    for match in SCRIPT_RUN.finditer(text):
        chinese, latin = match.groups()
        if chinese:
            words.setdefault(chinese, None)
            if len(chinese) > 2:
                for word in _jieba().cut(chinese):
                    if len(word) >= 1:
                        words.setdefault(word, None)
        elif latin and latin not in STOPWORDS:
            for form in word_forms(latin):
                if len(form) >= 4 or form == latin:  # a stem marks the start of its word forms
                    words.setdefault(form, None)
    return sorted(words, key=len, reverse=True)
