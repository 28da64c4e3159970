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
