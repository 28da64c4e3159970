from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "catalog"
    verbose_name = _("Catalogue")

    def ready(self):
        from django.db.models.signals import post_migrate
        from wagtail.signals import page_published

        from catalog.services.facts import ensure_metrics

        post_migrate.connect(ensure_metrics, sender=self, dispatch_uid="catalog.ensure_metrics")

        from catalog.models import ListingPage
        from catalog.services.listings import listing_published

        page_published.connect(
            listing_published, sender=ListingPage, dispatch_uid="catalog.listing_published"
        )

        from catalog.search.apps_ready import connect as connect_search

        connect_search()
