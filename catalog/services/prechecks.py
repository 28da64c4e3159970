"""Automatic checks a listing must pass before a reviewer sees it (``PreCheckTask``).

Drafts may be incomplete; a submission may not. Each rule adds a :class:`Problem` with a code
(for tests and templates) and a message in the active language. Limits and the banned-word
list come from ``CatalogSettings`` (Settings → Catalogue settings).
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from catalog.blocks import stream_text
from catalog.models import CatalogSettings, ListingPage, ListingType, plan_errors
from catalog.models.review import problems_from_comment

# --- messages ------------------------------------------------------------------------------
REQUIRED = _("Fill in “%(field)s”.")
NO_SCREENSHOT = _("Add at least one screenshot.")
NO_PLAN = _("Add at least one plan.")
NO_CATEGORY = _("Choose at least one category.")
NO_SUPPORT_CONTACT = _("Give a support email address or a support page.")
JOINT_NEEDS_CO_PARTNER = _("A joint solution names at least one co-partner.")
URL_NOT_HTTPS = _("“%(field)s” must be an https:// address.")
DESCRIPTION_TOO_SHORT = _(
    "The %(language)s description has %(length)d characters; write at least %(minimum)d."
)
DESCRIPTION_TOO_LONG = _("The %(language)s description has %(length)d characters; the limit is %(maximum)d.")
BANNED_WORD = _("Remove the banned word “%(word)s” (found in “%(field)s”).")
TOO_MANY_TAGS = _("Use at most %(maximum)d tags (this listing has %(count)d).")
WORD_REPEATED = _(
    "“%(word)s” makes up %(share)s%% of the %(language)s description; the limit is %(limit)d%%: "
    "write for people, not for search engines."
)
PLAN_PROBLEM = _("Plan “%(plan)s”: %(problem)s")
RETURNED = _("The automatic pre-checks returned this listing. Fix these problems and submit it again:")

LANGUAGE_LABELS = {"description": _("Chinese"), "description_en": _("English")}
REQUIRED_FIELDS = ("tagline", "description", "logo", "privacy_url", "terms_url")
HTTPS_FIELDS = ("video_url", "support_url", "documentation_url", "privacy_url", "terms_url")
TEXT_FIELDS = ("title", "title_en", "tagline", "tagline_en")

# Words too common to count as stuffing (tokens shorter than two characters never count).
STOPWORDS = frozenset(
    (
        "the", "and", "for", "with", "your", "you", "our", "are", "this", "that", "from", "can", "all",
        "into", "more", "than", "their", "them", "they", "its", "it's", "was", "were", "will", "have",
        "has", "not", "but", "use", "using", "also", "any", "each", "per", "via",
        "我们", "您的", "你的", "以及", "可以", "通过", "支持", "进行", "帮助", "提供", "实现", "一个",
        "没有", "已经", "如果", "因为", "所以", "就是",
    )
)  # fmt: skip
WORD = re.compile(r"[0-9a-z\u4e00-\u9fff]", re.IGNORECASE)
LATIN_WORD = re.compile(r"[0-9a-z][0-9a-z'’\-]*", re.IGNORECASE)
CJK = re.compile(r"[\u4e00-\u9fff]")


@dataclass(frozen=True)
class Problem:
    code: str
    message: str


def _label(field: str) -> str:
    return capfirst(str(ListingPage._meta.get_field(field).verbose_name))


def run_prechecks(listing: ListingPage, *, settings: CatalogSettings | None = None) -> list[Problem]:
    """Every problem with ``listing`` (a page or a revision's copy of one); empty when it may go
    to a reviewer."""
    settings = settings or CatalogSettings.load()
    texts = {field: getattr(listing, field) or "" for field in TEXT_FIELDS}
    texts["description"] = stream_text(listing.description)
    texts["description_en"] = stream_text(listing.description_en)
    plans = list(listing.plans.all())
    problems: list[Problem] = []
    problems += _required(listing, texts, plans)
    problems += _urls(listing)
    problems += _lengths(texts, settings)
    problems += _banned_words(texts, plans, settings)
    problems += _stuffing(listing, texts, settings)
    problems += _plans(plans)
    return problems


def _required(listing, texts, plans) -> list[Problem]:
    problems = []
    for field in REQUIRED_FIELDS:
        value = texts[field] if field in texts else getattr(listing, "logo_id" if field == "logo" else field)
        if not value:
            problems.append(Problem(f"required:{field}", str(REQUIRED % {"field": _label(field)})))
    if not listing.support_email and not listing.support_url:
        problems.append(Problem("required:support", str(NO_SUPPORT_CONTACT)))
    if not list(listing.categories.all()):
        problems.append(Problem("required:categories", str(NO_CATEGORY)))
    if not plans:
        problems.append(Problem("required:plans", str(NO_PLAN)))
    if not list(listing.screenshots.all()):
        problems.append(Problem("screenshots", str(NO_SCREENSHOT)))
    if listing.listing_type == ListingType.JOINT_SOLUTION and not list(listing.co_partners.all()):
        problems.append(Problem("required:co_partners", str(JOINT_NEEDS_CO_PARTNER)))
    return problems


def _urls(listing) -> list[Problem]:
    return [
        Problem(f"https:{field}", str(URL_NOT_HTTPS % {"field": _label(field)}))
        for field in HTTPS_FIELDS
        if getattr(listing, field) and not getattr(listing, field).lower().startswith("https://")
    ]


def _length(text: str) -> int:
    return len(re.sub(r"\s+", " ", text).strip())


def _lengths(texts, settings) -> list[Problem]:
    problems = []
    for field, language in LANGUAGE_LABELS.items():
        text = texts[field]
        if not text:
            continue  # a missing Chinese description is reported as required; English is optional
        length = _length(text)
        params = {"language": language, "length": length}
        if length < settings.description_min_length:
            message = DESCRIPTION_TOO_SHORT % {**params, "minimum": settings.description_min_length}
            problems.append(Problem(f"too_short:{field}", str(message)))
        elif length > settings.description_max_length:
            message = DESCRIPTION_TOO_LONG % {**params, "maximum": settings.description_max_length}
            problems.append(Problem(f"too_long:{field}", str(message)))
    return problems


def _banned_words(texts, plans, settings) -> list[Problem]:
    places = [(_label(field), text) for field, text in texts.items()]
    for plan in plans:
        places.append(
            (str(plan.t_name), " ".join([plan.name, plan.name_en, plan.features, plan.features_en]))
        )
    problems = []
    for word in settings.banned_word_list():
        needle = word.casefold()
        where = next((label for label, text in places if needle in text.casefold()), None)
        if where is not None:
            problems.append(Problem("banned_word", str(BANNED_WORD % {"word": word, "field": where})))
    return problems


def words(text: str) -> list[str]:
    """Word tokens of ``text`` (lower case): jieba segments Chinese, a regex the rest."""
    text = text.casefold()
    tokens = _jieba().lcut(text) if CJK.search(text) else LATIN_WORD.findall(text)
    return [token.strip() for token in tokens if WORD.search(token)]


def _jieba():
    import jieba

    jieba.setLogLevel(logging.WARNING)
    return jieba


def most_repeated(text: str) -> tuple[str, float, int]:
    """(word, share of all words in percent, number of words) for the most frequent real word."""
    tokens = words(text)
    candidates = Counter(t for t in tokens if len(t) >= 2 and t not in STOPWORDS)
    if not tokens or not candidates:
        return "", 0.0, len(tokens)
    word, count = candidates.most_common(1)[0]
    return word, 100.0 * count / len(tokens), len(tokens)


def _stuffing(listing, texts, settings) -> list[Problem]:
    problems = []
    tag_count = len(list(listing.tags.all()))
    if tag_count > settings.max_tags:
        message = TOO_MANY_TAGS % {"maximum": settings.max_tags, "count": tag_count}
        problems.append(Problem("stuffing:tags", str(message)))
    for field, language in LANGUAGE_LABELS.items():
        if not texts[field]:
            continue
        word, share, total = most_repeated(texts[field])
        if total >= settings.repetition_min_words and share > settings.max_word_share:
            message = WORD_REPEATED % {
                "word": word,
                "share": f"{share:.1f}",
                "language": language,
                "limit": settings.max_word_share,
            }
            problems.append(Problem(f"stuffing:{field}", str(message)))
    return problems


def _plans(plans) -> list[Problem]:
    problems = []
    for plan in plans:
        for messages in plan_errors(plan).values():
            for message in messages:
                text = PLAN_PROBLEM % {"plan": plan.name or "—", "problem": message}
                problems.append(Problem("plan", str(text)))
    return problems


# --- presentation -----------------------------------------------------------------------------
# The task's comment (``format_problems`` / ``problems_from_comment``) is written by the task in
# ``catalog.models.review``.
def problems_html(comment: str):
    return format_html(
        "{}<ul>{}</ul>",
        RETURNED,
        format_html_join("", "<li>{}</li>", ((line,) for line in problems_from_comment(comment))),
    )
