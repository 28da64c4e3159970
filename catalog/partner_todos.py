"""The partner console's to-dos that the catalogue knows about (registered in ``CatalogConfig.ready``)."""

from django.utils.translation import ngettext

from catalog.selectors.listings import partner_listings
from catalog.selectors.review import State, review_statuses
from partners.console_todos import Severity, Todo, safe_reverse

NEEDS_ACTION = (State.RETURNED, State.CHANGES_REQUESTED)


def todos(*, partner, membership=None) -> list[Todo]:
    """Listings returned by the pre-checks or by a reviewer (what "My listings" shows)."""
    listings = list(partner_listings(partner))
    statuses = review_statuses(listings)
    returned = sum(1 for status in statuses.values() if status.state in NEEDS_ACTION)
    if not returned:
        return []
    return [
        Todo(
            "catalog.listings_need_changes",
            Severity.WARNING,
            ngettext(
                "%(n)d listing needs changes before it can be published.",
                "%(n)d listings need changes before they can be published.",
                returned,
            )
            % {"n": returned},
            safe_reverse("catalog_my_listings"),
            returned,
        )
    ]
