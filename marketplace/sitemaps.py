"""``/sitemap.xml``: every live public page (home, landing, partner and listing pages) plus the
category and industry pages, each in both languages with ``hreflang`` alternates.

Simplified Chinese is served without a prefix, English under ``/en/``; each URL gets its own
``<url>`` entry listing both versions (and ``x-default``, the Chinese one) as alternates.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from wagtail.contrib.sitemaps import Sitemap

from catalog.models import Category
from partners.models import Industry


@dataclass(frozen=True)
class ViewItem:
    """A Django view's page (category, industry) in the sitemap."""

    url_name: str
    slug: str
    lastmod: datetime | None = None


def _bcp47(code: str) -> str:
    return translation.to_locale(code).replace("_", "-")


class MarketplaceSitemap(Sitemap):
    limit = 50000 // len(settings.LANGUAGES)  # entries per item = one per language

    def items(self):
        pages = list(super().items())
        categories = [
            ViewItem("marketplace:category", slug) for slug in Category.objects.values_list("slug", flat=True)
        ]
        industries = [
            ViewItem("marketplace:industry", slug) for slug in Industry.objects.values_list("slug", flat=True)
        ]
        return [*pages, ViewItem("marketplace:categories", ""), *categories, *industries]

    def _path(self, item) -> str | None:
        if isinstance(item, ViewItem):
            return reverse(item.url_name, args=[item.slug] if item.slug else [])
        parts = item.get_url_parts(self.request)
        if parts is None:
            return None
        _site_id, _root_url, page_path = parts
        return page_path

    def _root_url(self) -> str:
        return self.get_wagtail_site().root_url

    def _urls(self, page, protocol, domain):
        urls = []
        root = self._root_url()
        languages = [code for code, _name in settings.LANGUAGES]
        lastmods = set()
        for item in self.paginator.page(page).object_list:
            locations = {}
            for code in languages:
                with translation.override(code):
                    path = self._path(item)
                if path is not None:
                    locations[code] = path if path.startswith("http") else f"{root}{path}"
            if not locations:
                continue
            lastmod = (
                item.lastmod
                if isinstance(item, ViewItem)
                else (item.last_published_at or item.latest_revision_created_at)
            )
            lastmods.add(lastmod)
            alternates = [{"lang_code": _bcp47(code), "location": url} for code, url in locations.items()]
            default = locations.get(settings.LANGUAGE_CODE)
            if default:
                alternates.append({"lang_code": "x-default", "location": default})
            urls += [
                {"location": url, "lastmod": lastmod, "alternates": alternates} for url in locations.values()
            ]
        if lastmods and None not in lastmods:
            self.latest_lastmod = max(lastmods)
        return urls
