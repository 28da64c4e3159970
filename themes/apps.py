from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ThemesConfig(AppConfig):
    name = "themes"
    verbose_name = _("Themes")

    def ready(self):
        from core.emails import set_brand_provider
        from themes.branding import site_name

        set_brand_provider(site_name)

        from django.db.models.signals import post_delete, post_save
        from wagtail.images import get_image_model
        from wagtail.models import Site

        from themes.models import BrandingSettings, forget_shell

        for model in (Site, BrandingSettings, get_image_model()):
            for name, signal in (("save", post_save), ("delete", post_delete)):
                uid = f"themes.shell.{model.__name__}.{name}"
                signal.connect(forget_shell, sender=model, dispatch_uid=uid)
