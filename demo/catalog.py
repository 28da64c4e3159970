"""Demo catalogue: the category tree (the same at every size), the listing review workflow and
≥150 bilingual listings published under the seeded partners' pages.

Listings (``demo.listing_specs`` makes their specs) have 1–3 plans, 1–3 versions over the
last 24 months (some stale, for the freshness check), a logo and 1–4 screenshots (generated
PNGs in the partner's collection) and usage records by customer organisations. A few go
through the "Listing review" workflow instead: approved in the last 30 days (for the median
review time), waiting in the queue, with changes requested, returned by the pre-checks.
Idempotent: a listing whose slug exists is left alone.

Registry keys set here: ``catalog.categories`` — ``{slug: id}`` of every category;
``catalog.listings`` — ``{slug: id}`` of every demo listing.
"""

from __future__ import annotations

import json
from pathlib import Path

from catalog.models import Category
from catalog.services.review import ensure_listing_review
from demo.base import SeedContext
from demo.listings import reset_listings, seed_listings

_CHILD_KEYS = ("slug", "name", "name_en", "description", "description_en")
# The category tree, from demo/data/categories.json, as tuples:
# (slug, icon, Chinese, English, Chinese description, English description, children)
# children: (slug, Chinese, English, Chinese description, English description)
CATEGORIES = tuple(
    (
        *(top[key] for key in ("slug", "icon", "name", "name_en", "description", "description_en")),
        tuple(tuple(child[key] for key in _CHILD_KEYS) for child in top["children"]),
    )
    for top in json.loads((Path(__file__).parent / "data" / "categories.json").read_text(encoding="utf-8"))
)


def seed(ctx: SeedContext) -> None:
    seed_categories(ctx)
    with ctx.section("Listing review workflow"):
        ensure_listing_review()
    with ctx.section("Listings") as counts:
        counts.update(seed_listings(ctx))


def reset(ctx: SeedContext) -> None:
    with ctx.section("Reset: demo listings") as counts:
        counts.update(reset_listings(ctx))


def seed_categories(ctx: SeedContext) -> None:
    with ctx.section("Category tree") as counts:
        ids = {}
        for position, (slug, icon, zh, en, desc, desc_en, children) in enumerate(CATEGORIES):
            parent = _category(slug, zh, en, desc, desc_en, icon=icon, position=position)
            ids[slug] = parent.pk
            for child_position, child in enumerate(children):
                ids[child[0]] = _category(*child, icon=icon, position=child_position, parent=parent).pk
        ctx.registry["catalog.categories"] = ids
        counts["top-level categories"] = len(CATEGORIES)
        counts["categories"] = len(ids)


def _category(slug, name, name_en, description, description_en, *, icon, position, parent=None):
    category, _ = Category.objects.update_or_create(
        slug=slug,
        defaults={
            "name": name,
            "name_en": name_en,
            "description": description,
            "description_en": description_en,
            "parent": parent,
            "icon": icon,
            "position": position,
        },
    )
    return category
