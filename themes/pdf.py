"""PDF rendering shared by every app: ``render_pdf(template_name, context, *, language)``.

Templates extend ``themes/pdf/base.html`` (A4, brand-coloured header, footer with page
numbers, CJK font). The stylesheet is inlined from ``themes/pdf/base.css`` by the base
template, so no network or static-file lookup happens while rendering.

Font: "Noto Sans CJK SC" (Debian ``fonts-noto-cjk``) is the first family; WeasyPrint embeds
a subset of only the glyphs used, so the PDF carries Chinese text on machines without the
font. ``fonts-wqy-microhei`` is named as a fallback family.

WeasyPrint is imported lazily so importing this module costs nothing for web requests.
"""

from __future__ import annotations

import logging
from functools import lru_cache

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

logger = logging.getLogger(__name__)

PDF_FONT_FAMILY = '"Noto Sans CJK SC", "WenQuanYi Micro Hei", "Noto Sans", sans-serif'


@lru_cache(maxsize=1)
def _font_config():
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


def _base_url(base_url: str | None) -> str:
    if base_url:
        return base_url
    return str(getattr(settings, "SITE_URL", "") or "http://localhost/")


def render_html(template_name: str, context: dict | None = None, *, language: str | None = None) -> str:
    """The HTML a PDF is made from (in ``language``, or the active one)."""
    context = dict(context or {})
    lang = language or translation.get_language() or settings.LANGUAGE_CODE
    with translation.override(lang):
        context.setdefault("pdf_language", lang)
        context.setdefault("pdf_font_family", PDF_FONT_FAMILY)
        if not context.get("pdf_brand_name"):  # the site's brand, in the document's language
            from core.emails import brand_name

            context["pdf_brand_name"] = brand_name()
        return render_to_string(template_name, context)


def render_pdf(
    template_name: str,
    context: dict | None = None,
    *,
    language: str | None = None,
    base_url: str | None = None,
) -> bytes:
    """Render ``template_name`` with ``context`` in ``language`` and return the PDF bytes.

    ``language`` defaults to the active language. ``base_url`` resolves relative URLs in the
    HTML (default ``settings.SITE_URL``); prefer inline SVG and data URIs in PDF templates.
    """
    from weasyprint import HTML

    html = render_html(template_name, context, language=language)
    document = HTML(string=html, base_url=_base_url(base_url))
    return document.write_pdf(font_config=_font_config())
