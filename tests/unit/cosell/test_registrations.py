"""The registration life: every transition, auto-approval and the conflict hold, staff decisions,
protection and expiry, field rules."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from wagtail.models import ModelLogEntry

from core.exceptions import NotAllowed
from cosell.models import Conflict, DealRegistration, KnownAccount, ProtectionRule, Status
from cosell.services import registrations as svc
from cosell.services.conflicts import store_keys
from tests.factories.cosell import VALID_USCC, deal_data
from tests.factories.partners import owner_of

pytestmark = pytest.mark.django_db


def draft(partner, listing, **overrides):
    return svc.create_registration(
        partner=partner, user=owner_of(partner), data=deal_data(listing, **overrides)
    )


def submitted(partner, listing, **overrides):
    return svc.submit(registration=draft(partner, listing, **overrides), user=owner_of(partner))


def test_no_conflict_and_tier_allows_is_approved_at_once_with_protection(partner_a, listing):
    reg = submitted(partner_a, listing)
    assert reg.status == Status.APPROVED and not reg.conflict_hold
    assert reg.protection_until == timezone.localdate() + timedelta(days=90)
    path = list(reg.transitions.values_list("from_status", "to_status", "code"))
    assert path == [("draft", "submitted", ""), ("submitted", "approved", "auto")]
    assert ModelLogEntry.objects.filter(action="cosell.transition", object_id=str(reg.pk)).count() == 2


def test_a_tier_without_auto_approval_goes_to_review(partner_a, listing):
    ProtectionRule.objects.create(partner_kind=partner_a.kind, auto_approve=False, protection_days=45)
    reg = submitted(partner_a, listing)
    assert reg.status == Status.IN_REVIEW and not reg.conflict_hold
    reg = svc.approve(registration=reg, user=None)
    assert reg.protection_until == timezone.localdate() + timedelta(days=45)


def test_same_customer_in_english_by_another_partner_is_held(partner_a, partner_b, listing):
    first = submitted(partner_a, listing, customer_domain="https://www.tencent.com")
    second = submitted(
        partner_b,
        listing,
        customer_name="",
        customer_name_en="Tencent Holdings Ltd.",
        contact_email="li@tencent.com",
    )
    assert first.status == Status.APPROVED
    assert second.status == Status.IN_REVIEW and second.conflict_hold
    conflict = second.conflicts.get()
    assert conflict.existing == first and conflict.account is None
    assert second.transitions.last().note == str(svc.HELD_MESSAGE)


def test_the_same_partner_registering_twice_is_not_a_conflict(partner_a, listing):
    submitted(partner_a, listing)
    assert submitted(partner_a, listing, customer_name="腾讯").status == Status.APPROVED


def test_a_direct_account_holds_and_rejection_says_so(partner_a, listing, programme_manager):
    account = KnownAccount.objects.create(name="华为技术有限公司", uscc=VALID_USCC)
    store_keys(account=account)
    reg = submitted(partner_a, listing, customer_name="華為", customer_uscc=VALID_USCC)
    assert reg.conflict_hold and reg.conflicts.get().account == account
    with pytest.raises(NotAllowed):
        svc.resolve_conflict(registration=reg, user=programme_manager, resolution="share", reason="x")
    reg = svc.resolve_conflict(
        registration=reg, user=programme_manager, resolution="reject", reason="直销客户"
    )
    assert reg.status == Status.REJECTED and reg.reject_reason == "direct_account"


@pytest.fixture
def held(partner_a, partner_b, listing):
    first = submitted(partner_a, listing)
    second = submitted(partner_b, listing, customer_name="騰訊")
    assert second.conflict_hold
    return first, second


def test_conflict_decision_needs_a_reason(held, programme_manager):
    _first, second = held
    with pytest.raises(ValidationError):
        svc.resolve_conflict(registration=second, user=programme_manager, resolution="approve", reason=" ")
    second.refresh_from_db()
    assert second.status == Status.IN_REVIEW


def test_conflict_reject_is_a_duplicate(held, programme_manager):
    first, second = held
    second = svc.resolve_conflict(
        registration=second, user=programme_manager, resolution="reject", reason="先到先得"
    )
    assert (second.status, second.reject_reason) == (Status.REJECTED, "duplicate")
    conflict = Conflict.objects.get(registration=second)
    assert (conflict.resolution, conflict.reason, conflict.resolved_by) == (
        "reject",
        "先到先得",
        programme_manager,
    )
    first.refresh_from_db()
    assert first.status == Status.APPROVED


def test_conflict_share_approves_both_and_links_them(held, programme_manager):
    first, second = held
    second = svc.resolve_conflict(
        registration=second, user=programme_manager, resolution="share", reason="联合"
    )
    first.refresh_from_db()
    assert second.status == Status.APPROVED and second.shared_with == first and first.shared_with == second


def test_conflict_transfer_moves_the_customer(held, programme_manager):
    first, second = held
    second = svc.resolve_conflict(
        registration=second, user=programme_manager, resolution="transfer", reason="客户指定"
    )
    first.refresh_from_db()
    assert second.status == Status.APPROVED and second.protection_until
    assert (first.status, first.reject_reason, first.protection_until) == (
        Status.REJECTED,
        "transferred",
        None,
    )
    assert ModelLogEntry.objects.filter(action="cosell.conflict", object_id=str(second.pk)).exists()


def test_review_action_required_and_resubmit(partner_a, listing, programme_manager):
    ProtectionRule.objects.create(partner_kind=partner_a.kind, auto_approve=False)
    reg = submitted(partner_a, listing)
    with pytest.raises(ValidationError):
        svc.request_action(registration=reg, user=programme_manager, note="")
    reg = svc.request_action(registration=reg, user=programme_manager, note="请补充信用代码")
    assert reg.status == Status.ACTION_REQUIRED
    # Only the whitelisted fields may change.
    with pytest.raises(NotAllowed) as refused:
        svc.update_registration(registration=reg, user=None, data={"customer_name": "别的公司"})
    assert refused.value.code == "fields_locked"
    reg = svc.update_registration(
        registration=reg, user=None, data={"customer_uscc": VALID_USCC, "notes": "已补"}
    )
    assert reg.customer_uscc == VALID_USCC
    reg = svc.submit(registration=reg, user=owner_of(partner_a))
    assert reg.status == Status.IN_REVIEW
    reg = svc.reject(registration=reg, user=programme_manager, code="ineligible", note="不符合")
    assert reg.status == Status.REJECTED


def test_final_states_allow_nothing(partner_a, listing):
    reg = submitted(partner_a, listing)
    reg = svc.close_lost(registration=reg, user=None, reason="price")
    assert reg.status == Status.LOST and reg.protection_until is None
    for call in (
        lambda: svc.close_won(registration=reg, user=None),
        lambda: svc.submit(registration=reg, user=None),
        lambda: svc.update_registration(registration=reg, user=None, data={"notes": "x"}),
        lambda: svc.request_extension(registration=reg, user=None, reason="x"),
    ):
        with pytest.raises(NotAllowed):
            call()


def test_won_from_approved_only(partner_a, listing):
    reg = draft(partner_a, listing)
    with pytest.raises(NotAllowed):
        svc.close_won(registration=reg, user=None)
    reg = svc.close_won(registration=svc.submit(registration=reg, user=None), user=None)
    assert reg.status == Status.WON


def test_one_extension_then_expiry_clears_protection(partner_a, listing, programme_manager):
    reg = submitted(partner_a, listing)
    until = reg.protection_until
    reg = svc.request_extension(registration=reg, user=None, reason="客户预算审批延后")
    with pytest.raises(NotAllowed):
        svc.request_extension(registration=reg, user=None, reason="again")
    reg = svc.decide_extension(registration=reg, user=programme_manager, grant=True)
    assert reg.protection_until == until + timedelta(days=30)
    with pytest.raises(NotAllowed):
        svc.decide_extension(registration=reg, user=programme_manager, grant=True)

    assert svc.expire_due(today=reg.protection_until) == 0
    assert svc.expire_due(today=reg.protection_until + timedelta(days=1)) == 1
    reg.refresh_from_db()
    assert reg.status == Status.EXPIRED and reg.protection_until is None
    # An expired registration no longer blocks another partner.


def test_expired_registration_no_longer_conflicts(partner_a, partner_b, listing):
    reg = submitted(partner_a, listing)
    svc.expire_due(today=reg.protection_until + timedelta(days=1))
    assert submitted(partner_b, listing).status == Status.APPROVED


def test_invalid_credit_code_is_a_field_error_saying_so(partner_a, listing, english):
    with pytest.raises(ValidationError) as error:
        draft(partner_a, listing, customer_uscc="911100008021004330")
    assert "not a valid unified social credit code" in error.value.message_dict["customer_uscc"][0]
    assert not DealRegistration.objects.exists()


def test_field_rules(partner_a, listing, english):
    far = timezone.localdate() + timedelta(days=181)
    with pytest.raises(ValidationError) as error:
        draft(partner_a, listing, expected_close=far, listings=[], customer_name="")
    fields = error.value.message_dict
    assert {"expected_close", "listings", "customer_name"} <= fields.keys()
    assert "180 days" in fields["expected_close"][0]
