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

        from catalog.models import ListingPage, PreCheckTask
        from catalog.selectors.listings import listing_detail
        from catalog.services.prechecks import run_prechecks

        # What the page and the workflow task run, from the layers above the models.
        ListingPage.listing_detail = staticmethod(listing_detail)
        PreCheckTask.run_prechecks = staticmethod(run_prechecks)

        from catalog.services.listings import (
            listing_published,
            listing_published_event,
            listing_workflow_event,
        )

        page_published.connect(
            listing_published, sender=ListingPage, dispatch_uid="catalog.listing_published"
        )
        # Partner events for webhooks (listing.published / submitted / approved / rejected).
        from wagtail.signals import workflow_approved, workflow_rejected, workflow_submitted

        page_published.connect(
            listing_published_event, sender=ListingPage, dispatch_uid="catalog.listing_event"
        )
        for signal in (workflow_submitted, workflow_approved, workflow_rejected):
            signal.connect(
                listing_workflow_event, dispatch_uid=f"catalog.listing_workflow_event.{id(signal)}"
            )

        from catalog.search.apps_ready import connect as connect_search

        connect_search()

        # Cached page fragments made from search results or taxonomy labels follow their versions.
        from catalog.search.base import INDEX_VERSION_KEY
        from catalog.search.facets import LABELS_VERSION_KEY
        from core.fragments import register_version

        register_version("index", INDEX_VERSION_KEY)
        register_version("labels", LABELS_VERSION_KEY)

        from catalog import review_notifications

        review_notifications.connect()

        from catalog import partner_todos
        from partners.console_todos import register

        register("catalog", partner_todos.todos)
