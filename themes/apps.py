from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ThemesConfig(AppConfig):
    name = "themes"
    verbose_name = _("Themes")

    def ready(self):
        from core.emails import set_brand_provider
        from themes.branding import site_name

        set_brand_provider(site_name)
