"""Shared template tags for the site shell: language-aware paths, icons, branding colours.

Load with ``{% load symbio %}``. Contracts:

``{% language_switch_url 'en' %}``
    The current page (path and query string) in another language: ``/en/foo/?q=x`` for
    ``en`` from ``/foo/?q=x``, ``/foo/`` for ``zh-hans`` from ``/en/foo/``. ``absolute=True``
    gives a full URL. Accepts ``as var``.
``{% lang_prefix %}``
    ``''`` for the default language (served without prefix), ``'/en'`` for English.
``{% lang_path '/search/' %}``
    A plain site path with the active language's prefix: ``/search/`` or ``/en/search/``.
``{% nav_section %}``
    Which main-navigation section the request is in: ``home``, ``search``, ``partners``,
    ``apply`` or ``''``. Use with ``as``.
``{% icon 'search' %}``
    An inline ``<svg>`` referencing the static sprite (``themes/icons/sprite.svg``).
    Optional ``class_name`` and ``label`` (a label makes it ``role="img"``, otherwise it is
    ``aria-hidden``).
``{% category_icon category.icon %}``
    Like ``icon`` for a Category.icon name (``crm``, ``finance``, ``hr``…, with aliases),
    falling back to a generic grid icon.
``{% brand_style branding %}``
    A ``<style>`` block setting ``--brand-primary`` / ``--brand-accent`` and derived tokens
    (``-contrast`` text colour, ``-ink`` AA-safe text on white, ``-strong``, ``-soft``,
    ``--brand-primary-deep`` / ``--brand-hero-end`` dark enough for white text).
``{% user_memberships user as memberships %}``
    The user's memberships with their organisations (one query), or an empty list.
``{{ colour|safe_colour }}`` / ``{{ colour|contrast_text }}``
    A validated ``#rrggbb`` (grey fallback) / the readable text colour on it.
``{{ url|lang_url }}``
    An editor-entered site path (``/x/``) with the active language prefix; others unchanged.
``{{ language_code|short_language_name }}``
    ``中文`` / ``EN`` for the compact header switcher.
``{{ language_code|bcp47 }}``
    ``zh-hans`` → ``zh-Hans`` for ``lang`` / ``hreflang`` attributes.
``{{ page.body|has_block:"hero" }}``
    Whether a StreamField value holds a block of that type.
``{{ user|can_access_admin }}``
    Staff, superuser or holder of ``wagtailadmin.access_admin``.
``{{ name|monogram }}``
    One or two letters for an avatar.
``{{ text|cjk_spacing }}``
    Drops the spaces a translation leaves between two Chinese characters (a placeholder
    between spaces, filled with a name that ends in Chinese): ``成为 Symbio 生态市场 伙伴`` →
    ``成为 Symbio 生态市场伙伴``; spaces beside Latin letters and English text stay.
"""

import re
from functools import lru_cache
from urllib.parse import unquote, urlsplit, urlunsplit

from django import template
from django.conf import settings
from django.templatetags.static import static
from django.urls import Resolver404, get_urlconf, resolve, translate_url
from django.utils import translation
from django.utils.html import format_html

register = template.Library()

HEX_RE = re.compile(r"^#[0-9a-fA-F]{6}$")
DEFAULT_PRIMARY = "#1f5eff"
DEFAULT_ACCENT = "#12b886"
NEUTRAL = "#64748b"
DARK_TEXT = "#0f172a"
LIGHT_TEXT = "#ffffff"
PAGE_BG = "#f5f7fb"  # --c-bg in symbio.css


_CJK = "\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef"
_CJK_GAP = re.compile(f"(?<=[{_CJK}])[ \u00a0]+(?=[{_CJK}])")


@register.filter(is_safe=True)
def cjk_spacing(value):
    return _CJK_GAP.sub("", str(value))


# --- languages and paths ---------------------------------------------------------------


def _default_language() -> str:
    return settings.LANGUAGE_CODE


def _prefix_for(lang: str) -> str:
    return "" if lang == _default_language() else f"/{lang}"


def _language_codes():
    return [code for code, _name in settings.LANGUAGES]


def _strip_language_prefix(path: str) -> tuple[str, str]:
    """Split ``/en/foo/`` into (``en``, ``/foo/``); unprefixed paths are in the default language."""
    for code in _language_codes():
        if code == _default_language():
            continue
        if path == f"/{code}":
            return code, "/"
        if path.startswith(f"/{code}/"):
            return code, path[len(code) + 1 :]
    return _default_language(), path or "/"


def switch_language_path(full_path: str, lang: str) -> str:
    """``full_path`` (path + query) as it reads in ``lang``.

    Uses ``django.urls.translate_url`` (so translated URL patterns keep working), resolving
    in the language the path itself is written in; falls back to swapping the prefix when
    the path does not resolve. Paths outside ``i18n_patterns`` (``/admin/``) stay as they are.
    """
    if lang not in _language_codes():
        return full_path
    parts = urlsplit(full_path)
    current, _bare = _strip_language_prefix(parts.path)
    if current == lang:
        return full_path
    urlconf = get_urlconf() or settings.ROOT_URLCONF
    path = _switch_path(parts.path, lang, urlconf)  # the query string does not change the path
    return urlunsplit(("", "", path, parts.query, parts.fragment))


@lru_cache(maxsize=4096)
def _switch_path(path: str, lang: str, urlconf) -> str:
    """A path (no query) as it reads in ``lang``; memoised: every page shows it six times."""
    current, bare = _strip_language_prefix(path)
    with translation.override(current):
        try:
            resolve(unquote(path))
        except Resolver404:
            return _prefix_for(lang) + bare
        return urlsplit(translate_url(path, lang)).path


@register.simple_tag(takes_context=True)
def language_switch_url(context, lang, absolute=False):
    request = context.get("request")
    if request is None:
        return _prefix_for(lang) + "/"
    url = switch_language_path(request.get_full_path(), lang)
    return request.build_absolute_uri(url) if absolute else url


@register.simple_tag
def lang_prefix():
    return _prefix_for(translation.get_language() or _default_language())


@register.simple_tag
def lang_path(path="/"):
    if not path.startswith("/"):
        path = f"/{path}"
    return lang_prefix() + path


# The header's sections by path prefix, the first match wins; a partner's own console and API
# keys are not the public partner directory. A page that belongs elsewhere than its URL says
# names its section itself (``nav_section`` on the page class: a listing lives under its
# partner's URL but is an app, so "Browse apps").
NAV_SECTIONS = (
    ("", "/partners/console/"),
    ("", "/partners/api/"),
    ("apply", "/partners/apply/"),
    ("partners", "/partners/"),
    ("search", "/search/"),
)


@register.simple_tag(takes_context=True)
def nav_section(context):
    request = context.get("request")
    if request is None:
        return ""
    page_section = getattr(context.get("page"), "nav_section", None)
    if page_section is not None:
        return page_section
    _lang, path = _strip_language_prefix(request.path)
    if path == "/":
        return "home"
    for name, prefix in NAV_SECTIONS:
        if path.startswith(prefix):
            return name
    return ""


# --- icons -----------------------------------------------------------------------------

CATEGORY_ICONS = {
    "crm": "crm",
    "customers": "crm",
    "sales": "sales",
    "marketing": "marketing",
    "finance": "finance",
    "accounting": "finance",
    "payments": "finance",
    "hr": "hr",
    "people": "hr",
    "hcm": "hr",
    "collab": "collab",
    "collaboration": "collab",
    "communication": "collab",
    "office": "collab",
    "security": "security",
    "analytics": "analytics",
    "bi": "analytics",
    "reporting": "analytics",
    "dev": "dev",
    "developer": "dev",
    "devops": "dev",
    "code": "dev",
    "industry": "industry",
    "manufacturing": "industry",
    "erp": "erp",
    "supply": "supply",
    "supply-chain": "supply",
    "logistics": "supply",
    "ai": "ai",
    "cloud": "cloud",
    "infrastructure": "cloud",
    "service": "service",
    "support": "service",
    "services": "service",
    "commerce": "commerce",
    "ecommerce": "commerce",
    "data": "data",
    "database": "data",
    "integration": "integration",
    "integrations": "integration",
    "education": "education",
    "health": "health",
    "healthcare": "health",
    "legal": "legal",
    "compliance": "legal",
    "tax": "tax",
    "procurement": "procurement",
    "project": "project",
    "projects": "project",
    "docs": "docs",
    "documents": "docs",
    "iot": "iot",
    "retail": "retail",
}


def _svg(sprite_id, class_name="", label=""):
    href = f"{static('themes/icons/sprite.svg')}#i-{sprite_id}"
    classes = f"icon {class_name}".strip()
    if label:
        return format_html(
            '<svg class="{}" role="img" aria-label="{}" focusable="false"><use href="{}"></use></svg>',
            classes,
            label,
            href,
        )
    return format_html(
        '<svg class="{}" aria-hidden="true" focusable="false"><use href="{}"></use></svg>', classes, href
    )


@register.simple_tag
def icon(name, class_name="", label=""):
    return _svg(name, class_name, label)


@register.filter
def category_icon_id(name):
    key = (name or "").strip().lower().replace("_", "-")
    return f"cat-{CATEGORY_ICONS.get(key, 'default')}"


@register.simple_tag
def category_icon(name, class_name="", label=""):
    return _svg(category_icon_id(name), class_name, label)


# --- colours ---------------------------------------------------------------------------


def _rgb(hex_colour):
    return tuple(int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))


def _hex(rgb):
    return "#" + "".join(f"{max(0, min(255, round(c))):02x}" for c in rgb)


def _luminance(hex_colour):
    def channel(c):
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in _rgb(hex_colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(a, b):
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def _mix(colour, other, amount):
    """``amount`` (0..1) of ``other`` mixed into ``colour``."""
    return _hex(tuple(c + (o - c) * amount for c, o in zip(_rgb(colour), _rgb(other), strict=True)))


@register.filter
def safe_colour(value, fallback=NEUTRAL):
    value = (value or "").strip()
    return value.lower() if HEX_RE.match(value) else fallback


@register.filter
def contrast_text(value):
    colour = safe_colour(value)
    light = contrast_ratio(colour, LIGHT_TEXT)
    dark = contrast_ratio(colour, DARK_TEXT)
    return LIGHT_TEXT if light >= 4.5 or light >= dark else DARK_TEXT


def ink_on(colour, backgrounds=(LIGHT_TEXT,), target=4.5):
    """The colour darkened just enough to be AA-readable as text on every background given."""
    ink = colour
    step = 0
    while min(contrast_ratio(ink, bg) for bg in backgrounds) < target and step < 20:
        step += 1
        ink = _mix(colour, "#000000", step * 0.05)
    return ink


def brand_tokens(primary, accent):
    primary = safe_colour(primary, DEFAULT_PRIMARY)
    accent = safe_colour(accent, DEFAULT_ACCENT)
    primary_soft = _mix(primary, "#ffffff", 0.9)
    accent_soft = _mix(accent, "#ffffff", 0.88)
    # Ink (text) colours stay AA-readable on white, the page background and their soft tint.
    return {
        "--brand-primary": primary,
        "--brand-primary-contrast": contrast_text(primary),
        "--brand-primary-ink": ink_on(primary, (LIGHT_TEXT, PAGE_BG, primary_soft)),
        "--brand-primary-strong": _mix(primary, "#000000", 0.22),
        # Dark surfaces (hero, call-to-action band) carry white text whatever the brand colour.
        "--brand-primary-deep": ink_on(_mix(primary, "#0b1020", 0.55), (LIGHT_TEXT,), 7),
        "--brand-hero-end": ink_on(_mix(primary, "#000000", 0.22), (LIGHT_TEXT,), 4.5),
        "--brand-primary-soft": primary_soft,
        "--brand-primary-ring": _mix(primary, "#ffffff", 0.55),
        "--brand-accent": accent,
        "--brand-accent-contrast": contrast_text(accent),
        "--brand-accent-ink": ink_on(accent, (LIGHT_TEXT, PAGE_BG, accent_soft)),
        "--brand-accent-soft": accent_soft,
    }


@register.simple_tag
def brand_style(branding=None):
    primary = getattr(branding, "primary_colour", None)
    accent = getattr(branding, "accent_colour", None)
    return _brand_style(str(primary or ""), str(accent or ""))


@lru_cache(maxsize=64)
def _brand_style(primary: str, accent: str):
    """Memoised: the contrast arithmetic cost ~1 ms on every page."""
    declarations = ";".join(f"{k}:{v}" for k, v in brand_tokens(primary or None, accent or None).items())
    # Every value is a validated #rrggbb, so nothing user-controlled reaches the CSS.
    return format_html("<style>:root{{{}}}</style>", declarations)


# --- people ----------------------------------------------------------------------------


@register.filter
def can_access_admin(user):
    if not getattr(user, "is_authenticated", False):
        return False
    return bool(user.is_staff or user.is_superuser or user.has_perm("wagtailadmin.access_admin"))


@register.simple_tag
def user_memberships(user):
    if not getattr(user, "is_authenticated", False) or not hasattr(user, "memberships"):
        return []
    return list(user.memberships.select_related("organisation").order_by("organisation__name"))


@register.filter
def monogram(value):
    text = str(value or "").strip()
    if not text:
        return "?"
    if not text[0].isascii():
        return text[0]
    words = [w for w in re.split(r"[\s\-_.@]+", text) if w]
    letters = "".join(w[0] for w in words[:2]) if len(words) > 1 else text[:2]
    return letters.upper()


@register.filter
def bcp47(language_code):
    """``zh-hans`` → ``zh-Hans`` for ``<html lang>`` and ``hreflang``."""
    return translation.to_locale(language_code or settings.LANGUAGE_CODE).replace("_", "-")


@register.filter
def lang_url(value):
    """An editor-entered link in the active language: ``/partners/apply/`` → ``/en/partners/apply/``.

    Absolute URLs, protocol-relative ones, anchors and already-prefixed paths pass through.
    """
    url = str(value or "").strip()
    if not url.startswith("/") or url.startswith("//"):
        return url
    current, _bare = _strip_language_prefix(urlsplit(url).path)
    if current != _default_language():
        return url
    return lang_prefix() + url


SHORT_LANGUAGE_NAMES = {"zh-hans": "中文", "en": "EN"}


@register.filter
def short_language_name(language_code):
    """A compact label for the header switcher: ``中文`` / ``EN``."""
    return SHORT_LANGUAGE_NAMES.get(language_code, str(language_code).upper())


@register.filter
def has_block(stream, block_type):
    """Whether a StreamField value contains a block of that type (``body|has_block:'hero'``)."""
    return any(getattr(block, "block_type", None) == block_type for block in (stream or ()))
