"""Catalogue facts about partners, reported monthly into ``partners`` (source ``catalog``).

For each month (its last day is the "as of" day) and each partner with at least one live
listing published by then:

* ``published_listings`` — live, listed listings it owns first published by then;
* ``listing_releases`` — versions of its listings released during the month;
* ``fresh_listings_pct`` — share (%) of those listings updated within the freshness window
  (``CatalogSettings.stale_after_months``) before the as-of day; an update is a publication,
  a version release or the listing's ``last_updated_at``;
* ``joint_solutions`` — live joint-solution listings it owns or co-delivers.

History is rebuilt from today's live listings and their versions (a listing delisted since is
not counted in the past either). Three queries whatever the number of months; the monthly
task ``catalog.report_catalog_facts`` reports the last complete month and the current one.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from dateutil.relativedelta import relativedelta
from django.utils import timezone

from catalog.models import CatalogSettings, ListingPage, ListingType, ListingVersion
from catalog.selectors.listings import live_listings
from partners.services.facts import FactRow, ensure_metric, report_facts

SOURCE = "catalog"
METRICS = (
    # slug, Chinese, English, unit
    ("published_listings", "已发布商品", "Published listings", "count"),
    ("listing_releases", "版本发布", "Listing releases", "count"),
    ("fresh_listings_pct", "商品新鲜度", "Fresh listings", "percent"),
    ("joint_solutions", "联合解决方案", "Joint solutions", "count"),
)


def ensure_metrics(**kwargs) -> None:
    """post_migrate handler: the catalogue's metrics exist (names staff changed are kept)."""
    for slug, name, name_en, unit in METRICS:
        ensure_metric(slug=slug, name=name, name_en=name_en, unit=unit, source=SOURCE)


def _months(last: date, count: int) -> list[date]:
    last = last.replace(day=1)
    return [last - relativedelta(months=count - 1 - i) for i in range(count)]


def catalog_fact_rows(*, months: list[date]) -> list[FactRow]:
    stale_months = CatalogSettings.load().stale_after_months
    tz = timezone.get_current_timezone()

    def day(value):
        return timezone.localtime(value, tz).date() if value else None

    listings = {
        pk: {
            "partner": partner_id,
            "joint": kind == ListingType.JOINT_SOLUTION,
            "published": day(first) or day(last_pub),
            "updates": [d for d in (day(first), day(last_pub), day(updated)) if d],
            "co": [],
        }
        for pk, partner_id, kind, first, last_pub, updated in live_listings()
        .filter(partner__isnull=False)
        .order_by()
        .values_list(
            "pk", "partner_id", "listing_type", "first_published_at", "last_published_at", "last_updated_at"
        )
    }
    live_ids = live_listings().filter(partner__isnull=False).values("pk")
    for listing_id, partner_id in (
        ListingPage.co_partners.through.objects.filter(listingpage_id__in=live_ids)
        .order_by()
        .values_list("listingpage_id", "partner_id")
    ):
        if listing_id in listings:
            listings[listing_id]["co"].append(partner_id)
    releases = defaultdict(list)
    for listing_id, released in (
        ListingVersion.objects.filter(listing_id__in=live_ids)
        .order_by()
        .values_list("listing_id", "released_on")
    ):
        if listing_id in listings:
            releases[listing_id].append(released)
            listings[listing_id]["updates"].append(released)

    rows: list[FactRow] = []
    for month in months:
        end = month + relativedelta(months=1) - timedelta(days=1)
        fresh_from = end - relativedelta(months=stale_months)
        counts: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0, 0])  # published, releases, fresh, joint
        for pk, listing in listings.items():
            if listing["published"] is None or listing["published"] > end:
                continue
            c = counts[listing["partner"]]
            c[0] += 1
            c[1] += sum(1 for d in releases.get(pk, ()) if month <= d <= end)
            last_update = max((d for d in listing["updates"] if d <= end), default=None)
            if last_update and last_update > fresh_from:
                c[2] += 1
            if listing["joint"]:
                c[3] += 1
                for co in listing["co"]:
                    counts[co][3] += 1
        for partner_id, (published, released, fresh, joint) in counts.items():
            rows.append(FactRow(partner_id, "joint_solutions", month, joint))
            if published:
                pct = (Decimal(fresh) * 100 / published).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
                rows += [
                    FactRow(partner_id, "published_listings", month, published),
                    FactRow(partner_id, "listing_releases", month, released),
                    FactRow(partner_id, "fresh_listings_pct", month, pct),
                ]
    return rows


def report_catalog_facts(*, months: int = 2, last: date | None = None) -> int:
    """Report the facts of the ``months`` months ending with ``last`` (default: this month);
    returns how many facts were written. Idempotent (facts are upserted)."""
    ensure_metrics()
    last = last or timezone.localdate()
    return report_facts(source=SOURCE, rows=catalog_fact_rows(months=_months(last, months)))
