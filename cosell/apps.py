from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CosellConfig(AppConfig):
    name = "cosell"
    verbose_name = _("Co-sell")

    def ready(self):
        from cosell import receivers  # noqa: F401 - known-account keys, attribution of paid invoices
