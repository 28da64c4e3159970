from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import StreamField
from wagtail.models import Page

from core.i18n import TranslatedField
from marketplace import selectors
from marketplace.blocks import HomeStreamBlock


class HomePage(Page):
    """The site root. Chinese blocks in ``body``, English in ``body_en`` (falls back to Chinese)."""

    title_en = models.CharField(_("title (English)"), max_length=255, blank=True)
    body = StreamField(HomeStreamBlock(), blank=True, verbose_name=_("body (Chinese)"))
    body_en = StreamField(HomeStreamBlock(), blank=True, verbose_name=_("body (English)"))

    t_title = TranslatedField("title", "title_en")
    t_body = TranslatedField("body", "body_en")

    content_panels = [*Page.content_panels, FieldPanel("title_en"), FieldPanel("body"), FieldPanel("body_en")]
    parent_page_types = ["wagtailcore.Page"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("home page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["home"] = selectors.home_page_data()
        return context
