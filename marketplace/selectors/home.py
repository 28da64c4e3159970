"""Read-side queries for the customer pages; bounded queries whatever the data size."""

from django.db.models import Count, Q

from accounts.models import Organisation
from catalog.models import Category
from partners.models import Partner


def top_categories(limit: int = 8):
    return list(Category.objects.filter(parent__isnull=True).order_by("position", "slug")[:limit])


def spotlight_partners(limit: int = 4):
    return list(
        Partner.objects.filter(status=Partner.Status.ACTIVE)
        .select_related("organisation", "tier")
        .order_by("-tier__rank", "organisation__name")[:limit]
    )


def home_page_data():
    counts = Organisation.objects.aggregate(
        partners=Count("pk", filter=Q(kind=Organisation.Kind.PARTNER)),
        customers=Count("pk", filter=Q(kind=Organisation.Kind.CUSTOMER)),
    )
    return {
        "categories": top_categories(24),
        "partners": spotlight_partners(12),
        "partner_count": counts["partners"],
        "customer_count": counts["customers"],
        "category_count": Category.objects.count(),
    }
