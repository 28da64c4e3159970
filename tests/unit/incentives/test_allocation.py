"""Allocation: exact to the cent (property test), eligibility, weights, preview and publish."""

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from wagtail.models import ModelLogEntry

from core.exceptions import ApplicationError, NotAllowed
from health.models import AtRiskFlag, HealthSnapshot
from incentives.models import IncentiveLedgerEntry, IncentivePool, LedgerKind
from incentives.services import allocation, ledger
from incentives.services.allocation import largest_remainder
from partners.models import PartnerKind
from tests.factories.incentives import member_partner

amounts = st.decimals(min_value=Decimal("0"), max_value=Decimal("100000000"), places=2)
weights = st.dictionaries(
    keys=st.integers(min_value=1, max_value=10**6),
    values=st.decimals(min_value=Decimal("0"), max_value=Decimal("10000"), places=4),
    min_size=1,
    max_size=60,
).filter(lambda d: sum(d.values()) > 0)


@settings(max_examples=300, deadline=None)
@given(total=amounts, table=weights, currency=st.sampled_from(["CNY", "USD"]))
def test_allocations_sum_exactly_to_the_pool_and_none_is_negative(total, table, currency):
    shares = largest_remainder(total, table, currency)
    assert set(shares) == set(table)
    assert sum(shares.values()) == total
    assert all(share >= 0 for share in shares.values())
    assert all(share == share.quantize(Decimal("0.01")) for share in shares.values())
    # no partner is more than one cent away from its exact share
    weight_sum = sum(table.values())
    for key, share in shares.items():
        assert abs(share - total * table[key] / weight_sum) < Decimal("0.0100001")


def test_ties_go_to_the_lower_partner_id():
    shares = largest_remainder(Decimal("0.02"), {7: Decimal(1), 3: Decimal(1), 5: Decimal(1)}, "CNY")
    assert shares == {3: Decimal("0.01"), 5: Decimal("0.01"), 7: Decimal("0.00")}


def test_zero_weights_are_refused():
    with pytest.raises(ValueError):
        largest_remainder(Decimal("10"), {1: Decimal(0)}, "CNY")


@pytest.mark.django_db
def test_weights_are_tier_times_health_times_region_class(programme_manager):
    gold = member_partner(rank=2)
    entry = member_partner(rank=0)
    gold.regions.add(*[])
    HealthSnapshot.objects.create(
        partner=gold,
        month=date(2026, 1, 1),
        kind=gold.kind,
        composite=Decimal("80"),
        computed_at="2026-01-05T00:00Z",
    )
    from tests.factories.partners import RegionFactory

    entry.regions.add(RegionFactory(code="west"))
    pool = allocation.create_pool(
        name="P",
        period_start=date(2026, 1, 1),
        period_end=date(2026, 12, 31),
        amount=Decimal("1000.00"),
        currency="CNY",
        region_weights={"west": "1.5"},
    )
    rows = {a.partner_id: a for a in allocation.preview_allocation(pool=pool, user=programme_manager)}
    assert rows[gold.pk].weight == Decimal(3) * Decimal(80) * Decimal(1)  # rank 2 → 3, health 80
    assert rows[entry.pk].weight == Decimal(1) * Decimal(50) * Decimal("1.5")  # default health 50, west 1.5
    assert rows[gold.pk].amount + rows[entry.pk].amount == Decimal("1000.00")
    assert rows[gold.pk].amount == Decimal("761.90")  # 240 / 315


@pytest.mark.django_db
def test_eligibility_kinds_minimum_tier_and_open_at_risk_flags(programme_manager):
    keep = member_partner(rank=2)
    low = member_partner(rank=0)
    isv = member_partner(kind=PartnerKind.ISV, rank=2)
    risky = member_partner(rank=2)
    acknowledged = member_partner(rank=2)
    AtRiskFlag.objects.create(partner=risky, month=date(2026, 1, 1), composite=20, cause="floor")
    AtRiskFlag.objects.create(
        partner=acknowledged,
        month=date(2026, 1, 1),
        composite=20,
        cause="floor",
        acknowledged_at="2026-01-10T00:00Z",
    )
    pool = allocation.create_pool(
        name="P",
        period_start=date(2026, 1, 1),
        period_end=date(2026, 12, 31),
        amount=Decimal("10"),
        min_tier_rank=1,
    )
    ids = set(allocation.eligible_partners(pool).values_list("pk", flat=True))
    assert keep.pk in ids and acknowledged.pk in ids
    assert not ids & {low.pk, isv.pk, risky.pk}


@pytest.mark.django_db
def test_preview_then_publish_posts_one_allocation_entry_each_and_is_audited(pool, partner_a, partner_b):
    assert pool.status == IncentivePool.Status.PUBLISHED
    entries = IncentiveLedgerEntry.objects.filter(pool=pool, kind=LedgerKind.ALLOCATION)
    assert entries.count() == 2
    assert sum(e.amount for e in entries) == pool.amount
    for allocation_row in pool.allocations.all():
        assert ledger.balance(partner=allocation_row.partner, pool=pool) == allocation_row.amount
    actions = set(ModelLogEntry.objects.filter(object_id=str(pool.pk)).values_list("action", flat=True))
    assert {"incentives.pool_previewed", "incentives.pool_published"} <= actions


@pytest.mark.django_db
def test_a_published_pool_cannot_be_published_or_reallocated_again(pool, programme_manager):
    with pytest.raises(NotAllowed):
        allocation.publish_pool(pool=pool, user=programme_manager)
    with pytest.raises(NotAllowed):
        allocation.preview_allocation(pool=pool, user=programme_manager)
    assert IncentiveLedgerEntry.objects.filter(pool=pool).count() == 2


@pytest.mark.django_db
def test_publishing_without_a_preview_is_refused(partner_a, programme_manager):
    pool = allocation.create_pool(
        name="P", period_start=date(2026, 1, 1), period_end=date(2026, 12, 31), amount=Decimal("10")
    )
    with pytest.raises(NotAllowed):
        allocation.publish_pool(pool=pool, user=programme_manager)


@pytest.mark.django_db
def test_ledger_entries_cannot_be_changed_or_deleted(pool):
    entry = IncentiveLedgerEntry.objects.filter(pool=pool).first()
    entry.amount = Decimal("1")
    with pytest.raises(TypeError):
        entry.save()
    with pytest.raises(TypeError):
        entry.delete()
    with pytest.raises(TypeError):
        IncentiveLedgerEntry.objects.filter(pool=pool).update(amount=0)


@pytest.mark.django_db
def test_unused_allocation_expires_at_the_end_of_the_period(pool, partner_a):
    assert ledger.expire_pool(pool=pool, today=date(2026, 12, 31)) == 0  # not over yet
    assert ledger.expire_pool(pool=pool, today=date(2027, 1, 1)) == 2
    pool.refresh_from_db()
    assert pool.status == IncentivePool.Status.EXPIRED
    assert ledger.balance(partner=partner_a, pool=pool) == Decimal("0.00")
    assert ledger.totals_by_kind(partner=partner_a, pool=pool)[LedgerKind.EXPIRY] < 0


class _Rollback(Exception):
    pass


@pytest.mark.django_db
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    amount=st.decimals(min_value=Decimal("0.01"), max_value=Decimal("10000000"), places=2),
    partners=st.lists(
        st.tuples(
            st.sampled_from([PartnerKind.SERVICE, PartnerKind.CHANNEL]),
            st.integers(min_value=0, max_value=3),  # tier rank
            st.one_of(st.none(), st.decimals(min_value=Decimal("0"), max_value=Decimal("100"), places=2)),
            st.booleans(),  # in a region of a heavier class
        ),
        min_size=1,
        max_size=8,
    ),
)
def test_previewed_pools_over_random_partner_sets_allocate_every_cent(amount, partners, programme_manager):
    from django.db import transaction

    from tests.factories.partners import RegionFactory

    try:
        with transaction.atomic():
            west = RegionFactory(code="west")
            for kind, rank, health, heavy in partners:
                partner = member_partner(kind=kind, rank=rank)
                if health is not None:
                    HealthSnapshot.objects.create(
                        partner=partner,
                        month=date(2026, 1, 1),
                        kind=kind,
                        composite=health,
                        computed_at="2026-01-05T00:00Z",
                    )
                if heavy:
                    partner.regions.add(west)
            pool = allocation.create_pool(
                name="P",
                period_start=date(2026, 1, 1),
                period_end=date(2026, 12, 31),
                amount=amount,
                region_weights={"west": "1.5"},
            )
            try:
                rows = allocation.preview_allocation(pool=pool, user=programme_manager)
            except ApplicationError:
                assert all(h == 0 for _k, _r, h, _w in partners)  # every health score zero
                raise _Rollback from None
            assert len(rows) == len(partners)
            assert sum(row.amount for row in rows) == amount
            assert all(row.amount >= 0 for row in rows)
            raise _Rollback
    except _Rollback:
        pass


@pytest.mark.django_db
def test_publishing_sends_each_partner_one_balance_event_as_posting_one_by_one_would(
    pool, partner_a, partner_b, programme_manager
):
    """``publish_pool`` posts with ``ledger.post_many`` (one insert): each partner still gets its
    ``fund_balance.changed`` event, with the payload ``ledger.post`` + its ``post_save`` give."""
    from partners.models import Event

    events = {e.partner_id: e.payload for e in Event.objects.filter(type="fund_balance.changed")}
    assert set(events) == {partner_a.pk, partner_b.pk}
    for entry in IncentiveLedgerEntry.objects.filter(pool=pool, kind=LedgerKind.ALLOCATION):
        payload = events[entry.partner_id]
        assert payload["kind"] == "allocation" and payload["pool"] == str(pool.public_id)
        assert payload["amount"] == payload["balance"]
        assert Decimal(payload["balance"]["amount"]) == entry.amount
    # The same entries posted one at a time, in a second pool: the same payloads but the pool's id.
    second = allocation.create_pool(
        user=programme_manager,
        name="2026 MDF one by one",
        period_start=date(2026, 1, 1),
        period_end=date(2026, 12, 31),
        amount=pool.amount,
        currency="CNY",
    )
    for entry in IncentiveLedgerEntry.objects.filter(pool=pool, kind=LedgerKind.ALLOCATION):
        ledger.post(
            partner=entry.partner,
            pool=second,
            kind=LedgerKind.ALLOCATION,
            amount=entry.amount,
            reference=f"second:{entry.partner_id}",
        )
    one_by_one = Event.objects.filter(type="fund_balance.changed", payload__pool=str(second.public_id))
    for event in one_by_one:
        expected = {**events[event.partner_id], "pool": str(second.public_id)}
        assert {**event.payload, "created_at": None} == {**expected, "created_at": None}


@pytest.mark.django_db
def test_post_many_skips_references_already_posted_and_reports_running_balances(pool, partner_a):
    from partners.models import Event

    before = ledger.balance(partner=partner_a, pool=pool)
    reference = f"pool:{pool.public_id}:{partner_a.pk}"
    Event.objects.all().delete()
    entries = ledger.post_many(
        pool=pool,
        kind=LedgerKind.ALLOCATION,
        rows=[
            (partner_a, Decimal("10"), reference),
            (partner_a, Decimal("5"), "x1"),
            (partner_a, Decimal("2"), "x2"),
        ],
    )
    assert [e.reference for e in entries] == ["x1", "x2"]
    balances = [
        Decimal(e.payload["balance"]["amount"])
        for e in Event.objects.filter(type="fund_balance.changed").order_by("pk")
    ]
    assert balances == [before + 5, before + 7]
    assert ledger.balance(partner=partner_a, pool=pool) == before + 7
