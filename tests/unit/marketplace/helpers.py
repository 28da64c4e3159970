"""URL helpers of the marketplace tests (pages' paths in a given language)."""

from django.urls import reverse
from django.utils import translation


def en_reverse(name, args=()):
    """The English URL (``/en/…``) of a named view."""
    with translation.override("en"):
        return reverse(name, args=args)


def url_of(page, lang="zh-hans"):
    """A page's path in a language (``/en/…`` for English), whatever language is active."""
    with translation.override(lang):
        return page.url
