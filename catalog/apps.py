from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "catalog"
    verbose_name = _("Catalogue")

    def ready(self):
        from wagtail.signals import page_published

        from catalog.models import ListingPage
        from catalog.services.listings import listing_published

        page_published.connect(
            listing_published, sender=ListingPage, dispatch_uid="catalog.listing_published"
        )

        from catalog.search.apps_ready import connect as connect_search

        connect_search()
