""" "What you need for the next tier": each criterion of the next tier, required vs actual, %."""

from decimal import Decimal

import pytest

from partners.selectors.programme import Status, next_tier_progress, progress_percent
from tests.factories.programme import AS_OF, report_months, service_ladder, service_partner

pytestmark = pytest.mark.django_db


@pytest.fixture
def ladder():
    return service_ladder()


def test_next_tier_progress_gives_required_actual_and_percentages(ladder):
    partner = service_partner(ladder[1])  # silver → gold: revenue ≥ 1,000, people ≥ 5
    report_months(partner, "revenue", 25)  # 300
    report_months(partner, "certified_people", 5)

    progress = next_tier_progress(partner=partner, as_of=AS_OF)

    assert progress.current == ladder[1] and progress.next_tier == ladder[2]
    revenue, people = progress.items
    assert (revenue.required, revenue.actual, revenue.percent) == (Decimal(1000), Decimal(300), 30)
    assert revenue.status == Status.UNMET and revenue.required_display == "¥1,000"
    assert (people.actual, people.percent, people.met) == (Decimal(5), 100, True)
    assert progress.percent == 65


def test_progress_of_an_unreported_metric_is_zero(ladder):
    partner = service_partner(ladder[1])
    report_months(partner, "revenue", 100)

    people = next_tier_progress(partner=partner, as_of=AS_OF).items[1]

    assert (people.status, people.actual, people.percent, people.actual_display) == (
        Status.MISSING,
        None,
        0,
        "—",
    )


def test_progress_counts_the_review_minimum_too(ladder):
    partner = service_partner(ladder[2])  # gold → platinum: revenue ≥ 5,000, rating ≥ 4.5 (10 reviews)
    report_months(partner, "revenue", 1000)
    report_months(partner, "avg_rating", "4.8")
    report_months(partner, "review_count", 4)

    revenue, rating = next_tier_progress(partner=partner, as_of=AS_OF).items

    assert revenue.percent == 100
    # The rating itself is there (4.8 ≥ 4.5): its bar is full; the sample has its own bar.
    assert (rating.status, rating.percent, rating.sample_percent) == (Status.SMALL_SAMPLE, 100, 40)
    assert revenue.sample_percent is None


def test_the_bar_is_the_figure_over_the_requirement_rounded_down(ladder):
    """3.84 against a 4.2 requirement is 91 %, not 50 % (issue #18)."""
    partner = service_partner(ladder[2])
    report_months(partner, "revenue", 1000)
    report_months(partner, "avg_rating", "3.84")
    report_months(partner, "review_count", 5)  # 5 of 10 reviews: only the sample bar is at 50

    rating = next_tier_progress(partner=partner, as_of=AS_OF).items[1]

    assert rating.required == Decimal("4.5") and rating.actual == Decimal("3.84")
    assert (rating.percent, rating.sample_percent) == (85, 50)  # 3.84 / 4.5 = 85.3 %


@pytest.mark.parametrize(
    ("actual", "required", "percent"),
    [
        ("3.84", "4.2", 91),
        ("0", "4.2", 0),
        ("-5", "10", 0),  # a negative figure (a loss) is no progress, not a negative bar
        ("4.1999", "4.2", 99),  # short of the threshold is never a full bar
        ("4.2", "4.2", 100),
        ("9", "4.2", 100),  # beyond the threshold stays at 100
        ("1", "0", 100),  # a zero requirement is met by anything
        ("0.5", "1", 50),
    ],
)
def test_progress_percent_on_edge_values(actual, required, percent):
    assert progress_percent(Decimal(actual), Decimal(required)) == percent


def test_an_unmet_criterion_never_shows_a_full_bar(ladder):
    partner = service_partner(ladder[1])
    report_months(partner, "revenue", "83.3")  # 999.6 of 1,000

    revenue = next_tier_progress(partner=partner, as_of=AS_OF).items[0]

    assert not revenue.met and revenue.percent == 99


def test_the_top_tier_has_no_next_tier(ladder):
    partner = service_partner(ladder[4])
    progress = next_tier_progress(partner=partner, as_of=AS_OF)
    assert progress.next_tier is None and progress.items == []
