"""Per-site branding, read by base.html so a second Site can look different."""

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting

from core.i18n import TranslatedField

hex_colour = RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Enter a colour as #RRGGBB, for example #2563eb."))


@register_setting(icon="palette")
class BrandingSettings(BaseSiteSetting):
    site_name = models.CharField(_("site name"), max_length=60, default="Symbio 生态市场")
    site_name_en = models.CharField(_("site name (English)"), max_length=60, default="Symbio Marketplace")
    tagline = models.CharField(_("tagline"), max_length=120, default="连接伙伴，共创价值", blank=True)
    tagline_en = models.CharField(
        _("tagline (English)"), max_length=120, default="Where partners and customers meet", blank=True
    )
    logo = models.ForeignKey(
        "wagtailimages.Image", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    primary_colour = models.CharField(
        _("primary colour"), max_length=7, default="#1f5eff", validators=[hex_colour]
    )
    accent_colour = models.CharField(
        _("accent colour"), max_length=7, default="#12b886", validators=[hex_colour]
    )
    footer_text = models.CharField(_("footer text"), max_length=200, blank=True)
    footer_text_en = models.CharField(_("footer text (English)"), max_length=200, blank=True)
    support_email = models.EmailField(_("support email"), default="support@symbio.example")

    t_site_name = TranslatedField("site_name", "site_name_en")
    t_tagline = TranslatedField("tagline", "tagline_en")
    t_footer_text = TranslatedField("footer_text", "footer_text_en")

    panels = [
        MultiFieldPanel(
            [
                FieldPanel("site_name"),
                FieldPanel("site_name_en"),
                FieldPanel("tagline"),
                FieldPanel("tagline_en"),
            ],
            heading=_("Name"),
        ),
        MultiFieldPanel(
            [FieldPanel("logo"), FieldPanel("primary_colour"), FieldPanel("accent_colour")],
            heading=_("Look"),
        ),
        MultiFieldPanel(
            [FieldPanel("footer_text"), FieldPanel("footer_text_en"), FieldPanel("support_email")],
            heading=_("Footer"),
        ),
    ]

    class Meta:
        verbose_name = _("branding")

    @classmethod
    def for_request(cls, request):
        """Wagtail's lookup (the request's Site, then its settings: two queries on every page),
        served from one cache entry instead (issue #17): ``{(host, port): Site}`` and
        ``{site id: settings with its logo}``, emptied whenever a Site, a branding or an image
        is saved or deleted (``themes.apps``). Kept on the request like Wagtail does."""
        attr_name = cls.get_cache_attr_name()
        if hasattr(request, attr_name):
            return getattr(request, attr_name)
        site = site_for_request(request)
        if site is None:
            raise cls.DoesNotExist(f"{cls} does not exist for site None.")
        branding = _cached_branding(cls, site)
        branding._request = request
        setattr(request, attr_name, branding)
        return branding


SHELL_KEY = "themes.shell"
SHELL_TIMEOUT = 300
SHELL_MAX_HOSTS = 64


def _shell() -> dict:
    from django.core.cache import cache

    from core.cache import per_request

    return per_request(SHELL_KEY, lambda: cache.get(SHELL_KEY) or {"sites": {}, "branding": {}})


def _store_shell(shell: dict) -> None:
    from django.core.cache import cache

    cache.set(SHELL_KEY, shell, SHELL_TIMEOUT)


def site_for_request(request):
    """The request's Site as Wagtail's ``Site.find_for_request`` finds it, from the themes cache,
    kept on the request where Wagtail looks for it (``_wagtail_site``)."""
    if not hasattr(request, "_wagtail_site"):
        request._wagtail_site = _cached_site(request)
    return request._wagtail_site


def _cached_site(request):
    from django.http.request import split_domain_port
    from wagtail.models import Site

    shell = _shell()
    key = (split_domain_port(request._get_raw_host())[0], request.get_port())
    try:
        return shell["sites"][key]
    except KeyError:
        pass
    site = Site._find_for_request(request)
    if len(shell["sites"]) < SHELL_MAX_HOSTS:
        shell["sites"][key] = site
        _store_shell(shell)
    return site


def _cached_branding(cls, site):
    import copy

    shell = _shell()
    branding = shell["branding"].get(site.pk)
    if branding is None:
        branding = cls.for_site(site)
        branding.logo  # noqa: B018 - loaded now, so it is cached with the settings
        shell["branding"][site.pk] = branding
        _store_shell(shell)
    return copy.copy(branding)  # this request's own instance (Wagtail sets ``_request`` on it)


def forget_shell(**_kwargs) -> None:
    """Receiver: a Site, a branding or an image changed."""
    from django.core.cache import cache

    from core.cache import forget_request_reads

    cache.delete(SHELL_KEY)
    forget_request_reads()
