"""The search synonym and abbreviation dictionary staff edit in the Wagtail admin (Snippets).

Each ``SearchSynonym`` is a group of expressions that mean the same thing to a searcher, in
either language: ``SSO, single sign-on, 单点登录, 统一身份认证``. A query containing any of them
finds listings that contain any other (``catalog.search.synonyms``). Saving or deleting a group
drops the cached dictionary and the cached search results.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import TimeStampedModel

SEPARATORS = re.compile(r"[,，;；、\n]+")
MAX_TERM_LENGTH = 60


def split_terms(value: str) -> list[str]:
    """The group's expressions: separated by commas (either width), semicolons, 、 or new lines;
    whitespace collapsed, duplicates (ignoring case) dropped."""
    seen: dict[str, str] = {}
    for part in SEPARATORS.split(value or ""):
        term = " ".join(part.split())
        if term:
            seen.setdefault(term.casefold(), term)
    return list(seen.values())


class SearchSynonym(TimeStampedModel):
    terms = models.TextField(
        _("equivalent terms"),
        help_text=_(
            "Words, phrases or abbreviations that mean the same, in Chinese or English, separated "
            "by commas or new lines, e.g. SSO, single sign-on, 单点登录."
        ),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("search synonym")
        verbose_name_plural = _("search synonyms")
        ordering = ["pk"]

    def __str__(self) -> str:
        return " = ".join(self.term_list())[:120]

    def term_list(self) -> list[str]:
        return split_terms(self.terms)

    def clean(self):
        terms = self.term_list()
        if len(terms) < 2:
            raise ValidationError({"terms": _("Enter at least two different terms.")})
        too_long = [t for t in terms if len(t) > MAX_TERM_LENGTH]
        if too_long:
            raise ValidationError(
                {"terms": _("A term may be at most %(n)d characters long.") % {"n": MAX_TERM_LENGTH}}
            )
        self.terms = ", ".join(terms)
