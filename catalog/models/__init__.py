"""What is sold: categories, listings (Wagtail pages) with plans, screenshots, versions and usage
records, the listing review task, delistings and the catalogue settings."""

from catalog.models.categories import Category
from catalog.models.freshness import ListingDelisting
from catalog.models.listings import (
    LISTING_LANGUAGES,
    Deployment,
    ListingPage,
    ListingPlan,
    ListingScreenshot,
    ListingTag,
    ListingType,
    ListingUsage,
    ListingVersion,
    PricingModel,
    UsageKind,
    plan_errors,
)
from catalog.models.review import PreCheckTask
from catalog.models.search import SearchClick, SearchDocument, SearchDocumentText, SearchQueryLog  # noqa: F401
from catalog.models.settings import CatalogSettings
from catalog.models.synonyms import SearchSynonym

__all__ = [
    "LISTING_LANGUAGES",
    "CatalogSettings",
    "Category",
    "Deployment",
    "ListingDelisting",
    "ListingPage",
    "ListingPlan",
    "ListingScreenshot",
    "ListingTag",
    "ListingType",
    "ListingUsage",
    "ListingVersion",
    "PreCheckTask",
    "PricingModel",
    "SearchSynonym",
    "UsageKind",
    "plan_errors",
]
