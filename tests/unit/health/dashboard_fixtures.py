"""Fixtures of the health dashboard / reports tests (their builders: ``tests.factories.health``).

Import the fixtures you need into a test module::

    from tests.unit.health.dashboard_fixtures import *  # noqa: F403

``health_world`` builds two provisioned partners (A: ISV with an owner and a member, B: service
partner with an owner), three months of snapshots (2026-07 … 2026-09) with metric drill-down,
revenue / commission / trial facts, vendor revenue, a tier change and an at-risk flag for A.
Staff users: ``pm`` (Programme managers), ``finance``, ``reviewer``, ``eco_admin``.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from health.models import AtRiskFlag, HealthDimension, HealthMetric, VendorRevenue
from partners.models import Metric, Partner, PartnerFact, PartnerKind, PartnersIndexPage, TierChange
from partners.services.facts import ensure_metric
from tests.factories.accounts import UserFactory, staff_member
from tests.factories.health import MONTHS, health_metric, make_snapshot, snapshot_metrics
from tests.factories.partners import RegionFactory, TierFactory, provisioned_partner

__all__ = ["HealthWorld", "build_health_world", "eco_admin", "finance", "health_world", "pm", "reviewer_user"]


@pytest.fixture
def pm(db):
    return staff_member("programme_manager", email="pm@symbio.example.cn")


@pytest.fixture
def finance(db):
    return staff_member("finance", email="finance@symbio.example.cn")


@pytest.fixture
def reviewer_user(db):
    return staff_member("reviewer", email="reviewer@symbio.example.cn")


@pytest.fixture
def eco_admin(db):
    return staff_member("admin", email="admin@symbio.example.cn")


@dataclass
class HealthWorld:
    a: Partner
    b: Partner
    a_owner: object
    a_member: object
    b_owner: object


@pytest.fixture
def health_world(db):
    return build_health_world()


def build_health_world() -> HealthWorld:
    """What ``health_world`` holds (a module may build it once, see test_health_dashboard_access)."""
    assert PartnersIndexPage.objects.exists(), "partners.0005 creates the directory page"
    east = RegionFactory(code="east", name="华东", name_en="East China")
    north = RegionFactory(code="north", name="华北", name_en="North China")
    for kind in (PartnerKind.ISV, PartnerKind.SERVICE):
        for rank in range(2):
            TierFactory(kind=kind, rank=rank)
    a_owner = UserFactory(email="owner@huaxin.example.cn")
    a_member = UserFactory(email="member@huaxin.example.cn")
    b_owner = UserFactory(email="owner@yunfan.example.cn")
    a = provisioned_partner(
        owner=a_owner,
        members=[a_member],
        kind=PartnerKind.ISV,
        organisation__name="华信科技",
        organisation__name_en="Huaxin Tech",
        organisation__slug="huaxin",
        joined_on=date(2026, 7, 10),
    )
    b = provisioned_partner(
        owner=b_owner,
        kind=PartnerKind.SERVICE,
        organisation__name="云帆服务",
        organisation__name_en="Yunfan Services",
        organisation__slug="yunfan",
        joined_on=date(2026, 8, 3),
    )
    a.regions.add(east)
    b.regions.add(north)
    health_metric(
        "revenue",
        HealthDimension.PRODUCTIVITY,
        unit=Metric.Unit.CNY,
        name="营收",
        name_en="Revenue",
        weight=Decimal("2"),
        formula="窗口内营收总和",
        formula_en="Sum of revenue over the window",
        improvement_hint="扩大销售渠道。",
        improvement_hint_en="Widen your sales channels.",
    )
    health_metric(
        "churned_customers",
        HealthDimension.ROBUSTNESS,
        name="流失客户",
        name_en="Churned customers",
        direction=HealthMetric.Direction.LOWER,
        formula="流失客户数",
        formula_en="Customers lost",
        improvement_hint="跟进续费提醒。",
        improvement_hint_en="Follow up renewals before they lapse.",
    )
    health_metric(
        "avg_rating",
        HealthDimension.INNOVATION,
        unit=Metric.Unit.RATING,
        name="平均评分",
        name_en="Average rating",
        improvement_hint="邀请客户评价。",
        improvement_hint_en="Ask customers for reviews.",
    )
    # A: healthy in July, falls in September (at risk); B: steady.
    make_snapshot(a, MONTHS[0], "72.50", dims=("80", "70", "65"), metrics=snapshot_metrics(150000, "4.5", 1))
    make_snapshot(
        a,
        MONTHS[1],
        "70.00",
        previous="72.50",
        dims=("78", "66", "64"),
        metrics=snapshot_metrics(
            140000, "4.4", 2, {"revenue": "150000", "churned_customers": "1", "avg_rating": "4.5"}
        ),
    )
    make_snapshot(
        a,
        MONTHS[2],
        "55.25",
        previous="70.00",
        dims=("60.5", "38.25", "66"),
        metrics=snapshot_metrics(
            90000, "4.4", 6, {"revenue": "140000", "churned_customers": "2", "avg_rating": "4.4"}
        ),
    )
    make_snapshot(b, MONTHS[1], "61.00", dims=("62", "60", "61"), metrics=snapshot_metrics(80000, "4.0", 2))
    make_snapshot(
        b,
        MONTHS[2],
        "64.00",
        previous="61.00",
        dims=("65", "62", "64"),
        metrics=snapshot_metrics(
            85000, "4.1", 2, {"revenue": "80000", "churned_customers": "2", "avg_rating": "4.0"}
        ),
    )
    AtRiskFlag.objects.create(
        partner=a,
        month=MONTHS[2],
        composite=Decimal("55.25"),
        previous_composite=Decimal("70.00"),
        cause=AtRiskFlag.Cause.DROP,
        cause_detail={"dimension": "robustness", "threshold": "10.00", "metrics": ["churned_customers"]},
    )
    for slug, name, unit in (
        ("platform_commission", "平台佣金", Metric.Unit.CNY),
        ("trials_started", "试用开始", Metric.Unit.COUNT),
        ("trials_converted", "试用转化", Metric.Unit.COUNT),
    ):
        ensure_metric(slug=slug, name=name, name_en=slug, unit=unit)
    metrics = dict(Metric.objects.values_list("slug", "id"))
    facts = {
        # (partner, month): revenue, commission, trials started, converted
        (a, MONTHS[0]): (150000, 15000, 20, 5),
        (a, MONTHS[1]): (140000, 14000, 10, 4),
        (a, MONTHS[2]): (90000, 9000, 10, 2),
        (b, MONTHS[1]): (80000, 8000, 0, 0),
        (b, MONTHS[2]): (85000, 8500, 4, 2),
    }
    rows = []
    for (partner, month), values in facts.items():
        for slug, value in zip(
            ("revenue", "platform_commission", "trials_started", "trials_converted"), values, strict=True
        ):
            rows.append(
                PartnerFact(partner=partner, metric_id=metrics[slug], month=month, value=value, source="test")
            )
    PartnerFact.objects.bulk_create(rows)
    VendorRevenue.objects.create(month=MONTHS[0], amount=Decimal("60000"))
    VendorRevenue.objects.create(month=MONTHS[1], amount=Decimal("70000"))
    VendorRevenue.objects.create(month=MONTHS[2], amount=Decimal("50000"))
    TierChange.objects.create(
        partner=b,
        from_tier=TierFactory(kind=PartnerKind.SERVICE, rank=0),
        to_tier=TierFactory(kind=PartnerKind.SERVICE, rank=1),
        changed_at=datetime(2026, 8, 15, 4, 0, tzinfo=UTC),
        reason="test",
    )
    a.refresh_from_db()
    b.refresh_from_db()
    return HealthWorld(a=a, b=b, a_owner=a_owner, a_member=a_member, b_owner=b_owner)
