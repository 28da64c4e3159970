"""The directory's minimum-stars filter reads only recent ratings: a ``delivery_stars`` fact
older than DIRECTORY_STARS_MAX_AGE_MONTHS (2 by default) months no longer counts, at the exact
boundary month included."""

from datetime import date

import pytest
from django.utils import timezone

from partners.models import PartnerKind
from partners.selectors.directory import stars_cutoff
from partners.services.facts import ensure_metric, report_facts
from tests.factories.partners import provisioned_partner

pytestmark = pytest.mark.django_db

DIRECTORY = "/en/partners/"


def _shift(month: date, n: int) -> date:
    index = month.year * 12 + month.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def test_cutoff_is_the_first_day_of_the_month_two_months_back(settings):
    assert stars_cutoff(date(2026, 12, 5)) == date(2026, 10, 1)
    assert stars_cutoff(date(2026, 1, 31)) == date(2025, 11, 1)  # across the year
    settings.DIRECTORY_STARS_MAX_AGE_MONTHS = 6
    assert stars_cutoff(date(2026, 3, 1)) == date(2025, 9, 1)


def test_stars_filter_ignores_ratings_older_than_the_age_limit(client, settings):
    settings.DIRECTORY_STARS_MAX_AGE_MONTHS = 2
    today = timezone.localdate().replace(day=1)
    boundary, too_old = _shift(today, -2), _shift(today, -3)
    partners = {
        slug: provisioned_partner(
            kind=PartnerKind.SERVICE, organisation__slug=slug, organisation__name_en=slug
        )
        for slug in ("at-boundary", "too-old", "recent", "old-then-low")
    }
    ensure_metric(slug="delivery_stars", name="delivery_stars")
    report_facts(
        source="test",
        rows=[
            (partners["at-boundary"].pk, "delivery_stars", boundary, 5),  # exactly 2 months: counts
            (partners["too-old"].pk, "delivery_stars", too_old, 5),  # 3 months: ignored
            (partners["recent"].pk, "delivery_stars", today, 4),
            (partners["old-then-low"].pk, "delivery_stars", too_old, 5),
            (partners["old-then-low"].pk, "delivery_stars", boundary, 2),  # the recent one counts
        ],
    )
    body = client.get(f"{DIRECTORY}?stars=4").content.decode()
    assert "/partners/at-boundary/" in body and "/partners/recent/" in body
    assert "/partners/too-old/" not in body and "/partners/old-then-low/" not in body

    # A longer age limit takes the three-month-old rating back in.
    settings.DIRECTORY_STARS_MAX_AGE_MONTHS = 3
    body = client.get(f"{DIRECTORY}?stars=4").content.decode()
    assert "/partners/too-old/" in body and "/partners/old-then-low/" not in body
