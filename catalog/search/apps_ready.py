"""``connect()`` wires the search receivers; ``CatalogConfig.ready()`` calls it. Idempotent."""

PUBLISHED_UID = "catalog.search.published"  # the listing-published receiver (demo.pages defers it)


def connect() -> None:
    from django.db.models.signals import post_delete, post_save
    from wagtail.signals import page_published, page_unpublished

    from catalog.models import Category, ListingPage, SearchSynonym
    from catalog.search import signals, synonyms
    from partners.models import Industry, Region, Tier
    from partners.programme_signals import partner_tier_changed

    page_published.connect(signals.on_listing_published, sender=ListingPage, dispatch_uid=PUBLISHED_UID)
    page_unpublished.connect(
        signals.on_listing_unpublished, sender=ListingPage, dispatch_uid="catalog.search.unpublished"
    )
    post_delete.connect(signals.on_listing_deleted, sender=ListingPage, dispatch_uid="catalog.search.deleted")
    partner_tier_changed.connect(signals.on_partner_tier_changed, dispatch_uid="catalog.search.tier_changed")
    for model in (Category, Industry, Region, Tier):
        label = model._meta.label_lower
        post_save.connect(
            signals.on_taxonomy_saved, sender=model, dispatch_uid=f"catalog.search.saved.{label}"
        )
        post_delete.connect(
            signals.on_taxonomy_deleted, sender=model, dispatch_uid=f"catalog.search.deleted.{label}"
        )
    post_save.connect(
        synonyms.on_dictionary_changed, sender=SearchSynonym, dispatch_uid="catalog.search.synonyms.saved"
    )
    post_delete.connect(
        synonyms.on_dictionary_changed, sender=SearchSynonym, dispatch_uid="catalog.search.synonyms.deleted"
    )
