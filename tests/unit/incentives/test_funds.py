"""Market development funds: every transition, separation of duties, deadlines, claim limits,
upload errors, and balances that always equal the sum of the ledger entries."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Sum

from billing.models.ledger import LedgerEntry
from core.exceptions import ApplicationError, NotAllowed
from incentives.models import (
    ActivityType,
    ClaimDocument,
    FraudCheck,
    FundRequestEvent,
    IncentiveLedgerEntry,
    LedgerKind,
    RequestState,
)
from incentives.services import funds, ledger
from tests.factories.incentives import invoice_pdf, photo, upload
from tests.unit.incentives.conftest import TODAY

pytestmark = pytest.mark.django_db

CLAIM_DAY = date(2026, 4, 10)


def draft(partner, pool, *, budget="20000", start=date(2026, 4, 1), end=date(2026, 4, 2)):
    return funds.create_request(
        partner=partner,
        pool=pool,
        user=partner.owner,
        activity_type=ActivityType.EVENT,
        title="华东用户大会",
        plan="Two-day user conference in Shanghai.",
        expected_results="200 attendees, 30 qualified leads.",
        start_date=start,
        end_date=end,
        budget=Decimal(budget),
    )


def submitted(partner, pool, **kwargs):
    return funds.submit_request(request=draft(partner, pool, **kwargs), user=partner.owner, today=TODAY)


def approved(partner, pool, manager, amount=None, **kwargs):
    return funds.pre_approve(request=submitted(partner, pool, **kwargs), user=manager, amount=amount)


def claim(request, *, amount="15000", invoices=None, photos=None, today=CLAIM_DAY, **kwargs):
    return funds.submit_claim(
        request=request,
        user=request.requested_by,
        amount=Decimal(amount),
        summary="230 attendees, 41 leads.",
        invoices=invoices
        if invoices is not None
        else [{"file": invoice_pdf(), "code": "031001900111", "number": "12345678"}],
        photos=photos if photos is not None else [photo()],
        today=today,
        **kwargs,
    )


def assert_reconciles(partner, pool):
    total = IncentiveLedgerEntry.objects.filter(partner=partner, pool=pool).aggregate(s=Sum("amount"))["s"]
    assert ledger.balance(partner=partner, pool=pool) == total


def test_full_flow_moves_money_only_through_the_ledger(pool, partner_a, programme_manager, finance):
    allocated = ledger.balance(partner=partner_a, pool=pool)
    assert allocated == Decimal("60000.00")  # channel rank 2 (×3) vs service rank 1 (×2)
    request = submitted(partner_a, pool)
    assert request.state == RequestState.SUBMITTED
    assert ledger.balance(partner=partner_a, pool=pool) == allocated - Decimal("20000")
    assert_reconciles(partner_a, pool)

    request = funds.pre_approve(request=request, user=programme_manager, amount=Decimal("18000"))
    assert ledger.balance(partner=partner_a, pool=pool) == allocated - Decimal("18000")
    assert_reconciles(partner_a, pool)

    request = claim(request)
    assert request.state == RequestState.CLAIM_SUBMITTED
    assert request.documents.count() == 2
    request = funds.approve_claim(request=request, user=programme_manager)
    request = funds.pay_claim(request=request, user=finance)
    assert request.state == RequestState.PAID
    assert ledger.balance(partner=partner_a, pool=pool) == allocated - Decimal("15000")
    assert_reconciles(partner_a, pool)
    kinds = ledger.totals_by_kind(partner=partner_a, pool=pool)
    assert kinds[LedgerKind.PAYMENT] == Decimal("-15000.00")
    assert kinds[LedgerKind.HOLD] + kinds[LedgerKind.RELEASE] == Decimal("0.00")
    credit = LedgerEntry.objects.get(partner=partner_a, stripe_object_id=f"mdf:{request.public_id}")
    assert credit.amount == Decimal("15000.00")

    states = list(request.events.values_list("to_state", flat=True))
    assert states == ["draft", "submitted", "pre_approved", "claim_submitted", "claim_approved", "paid"]

    # the period ends: what is left expires, and the balance is still the sum of entries
    ledger.expire_pool(pool=pool, today=date(2027, 1, 1))
    assert ledger.balance(partner=partner_a, pool=pool) == Decimal("0.00")
    assert_reconciles(partner_a, pool)


def test_rejection_releases_the_hold(pool, partner_a, programme_manager):
    request = submitted(partner_a, pool)
    with pytest.raises(ApplicationError):
        funds.reject_request(request=request, user=programme_manager, note=" ")
    request = funds.reject_request(request=request, user=programme_manager, note="Not a fit.")
    assert request.state == RequestState.REJECTED
    assert ledger.balance(partner=partner_a, pool=pool) == Decimal("60000.00")
    with pytest.raises(NotAllowed):
        funds.pre_approve(request=request, user=programme_manager)


def test_claim_rejection_releases_the_approved_amount(pool, partner_a, programme_manager):
    request = claim(approved(partner_a, pool, programme_manager))
    request = funds.reject_claim(request=request, user=programme_manager, note="Invoices unreadable.")
    assert request.state == RequestState.CLAIM_REJECTED
    assert ledger.balance(partner=partner_a, pool=pool) == Decimal("60000.00")
    with pytest.raises(NotAllowed):
        funds.approve_claim(request=request, user=programme_manager)


def test_unclaimed_requests_expire_after_the_claim_window(pool, partner_a, programme_manager):
    request = approved(partner_a, pool, programme_manager)
    assert funds.expire_overdue(today=date(2026, 5, 2)) == 0  # 2 April + 30 days = 2 May
    assert funds.expire_overdue(today=date(2026, 5, 3)) == 1
    request.refresh_from_db()
    assert request.state == RequestState.EXPIRED
    assert ledger.balance(partner=partner_a, pool=pool) == Decimal("60000.00")
    with pytest.raises(NotAllowed):
        claim(request, today=date(2026, 5, 3))


def test_a_release_after_the_pool_expired_expires_at_once(pool, partner_a, programme_manager):
    request = claim(approved(partner_a, pool, programme_manager))
    ledger.expire_pool(pool=pool, today=date(2027, 1, 1))
    assert ledger.balance(partner=partner_a, pool=pool) == Decimal("0.00")
    funds.reject_claim(request=request, user=programme_manager, note="No proof.")
    assert ledger.balance(partner=partner_a, pool=pool) == Decimal("0.00")
    assert_reconciles(partner_a, pool)


@pytest.mark.parametrize(
    ("state_path", "action"),
    [
        ([], "pre_approve"),
        ([], "approve_claim"),
        (["submit"], "approve_claim"),
        (["submit"], "pay_claim"),
        (["submit", "pre_approve"], "reject_request"),
        (["submit", "pre_approve"], "pay_claim"),
        (["submit", "pre_approve", "claim"], "pre_approve"),
        (["submit", "pre_approve", "claim"], "pay_claim"),
        (["submit", "pre_approve", "claim", "approve_claim"], "reject_claim"),
        (["submit", "pre_approve", "claim", "approve_claim", "pay_claim"], "pay_claim"),
    ],
)
def test_transitions_outside_the_state_machine_are_refused(
    pool, partner_a, programme_manager, finance, state_path, action
):
    request = draft(partner_a, pool)
    steps = {
        "submit": lambda r: funds.submit_request(request=r, user=partner_a.owner, today=TODAY),
        "pre_approve": lambda r: funds.pre_approve(request=r, user=programme_manager),
        "reject_request": lambda r: funds.reject_request(request=r, user=programme_manager, note="no"),
        "claim": lambda r: claim(r),
        "approve_claim": lambda r: funds.approve_claim(request=r, user=programme_manager),
        "reject_claim": lambda r: funds.reject_claim(request=r, user=programme_manager, note="no"),
        "pay_claim": lambda r: funds.pay_claim(request=r, user=finance),
    }
    for step in state_path:
        request = steps[step](request)
    before = IncentiveLedgerEntry.objects.count(), FundRequestEvent.objects.count()
    with pytest.raises(NotAllowed):
        steps[action](request)
    request.refresh_from_db()
    assert (IncentiveLedgerEntry.objects.count(), FundRequestEvent.objects.count()) == before


def test_submitting_twice_is_refused(pool, partner_a):
    request = submitted(partner_a, pool)
    with pytest.raises(NotAllowed):
        funds.submit_request(request=request, user=partner_a.owner, today=TODAY)


def test_the_requester_or_a_colleague_cannot_pre_approve(pool, partner_a, programme_manager):
    from accounts.models import Role
    from tests.factories.accounts import MembershipFactory

    request = submitted(partner_a, pool)
    with pytest.raises(NotAllowed):
        funds.pre_approve(request=request, user=partner_a.owner)
    # a programme manager who is also a member of the partner is not independent either
    MembershipFactory(user=programme_manager, organisation=partner_a.organisation, role=Role.MEMBER)
    with pytest.raises(NotAllowed):
        funds.pre_approve(request=request, user=programme_manager)
    request.refresh_from_db()
    assert request.state == RequestState.SUBMITTED


def test_requests_need_enough_working_days_ahead(pool, partner_a, settings):
    settings.INCENTIVES_MIN_WORKING_DAYS_AHEAD = 10
    request = draft(partner_a, pool, start=date(2026, 3, 13), end=date(2026, 3, 13))  # 9 working days
    with pytest.raises(ApplicationError) as refused:
        funds.submit_request(request=request, user=partner_a.owner, today=TODAY)
    assert refused.value.field == "start_date"
    assert funds.working_days_between(TODAY, date(2026, 3, 16)) == 10
    ok = draft(partner_a, pool, start=date(2026, 3, 16), end=date(2026, 3, 16))
    assert funds.submit_request(request=ok, user=partner_a.owner, today=TODAY).state == RequestState.SUBMITTED


def test_budget_above_the_remaining_allocation_is_refused(pool, partner_a):
    submitted(partner_a, pool, budget="50000")
    with pytest.raises(ApplicationError) as refused:
        submitted(partner_a, pool, budget="10000.01")
    assert refused.value.field == "budget"
    assert ledger.balance(partner=partner_a, pool=pool) == Decimal("10000.00")


def test_claim_above_the_approved_amount_is_refused(pool, partner_a, programme_manager):
    request = approved(partner_a, pool, programme_manager, amount=Decimal("12000"))
    with pytest.raises(ApplicationError) as refused:
        claim(request, amount="12000.01")
    assert refused.value.field == "amount"
    request.refresh_from_db()
    assert request.state == RequestState.PRE_APPROVED
    assert not ClaimDocument.objects.exists()


def test_claim_after_the_deadline_or_before_the_end_is_refused(pool, partner_a, programme_manager):
    request = approved(partner_a, pool, programme_manager)
    with pytest.raises(NotAllowed):
        claim(request, today=date(2026, 5, 3))
    with pytest.raises(NotAllowed):
        claim(request, today=date(2026, 4, 1))
    assert claim(request, today=date(2026, 5, 2)).state == RequestState.CLAIM_SUBMITTED


def test_upload_of_the_wrong_type_or_too_large_gives_field_errors(
    pool, partner_a, programme_manager, settings
):
    request = approved(partner_a, pool, programme_manager)
    with pytest.raises(ValidationError) as bad:
        claim(
            request,
            invoices=[{"file": upload("invoice.exe", b"MZ"), "code": "12", "number": "x"}],
            photos=[upload("fake.jpg", b"not a jpeg")],
        )
    errors = bad.value.message_dict
    assert set(errors) == {"invoice_file", "invoice_code", "invoice_number", "photos"}
    settings.INCENTIVES_MAX_UPLOAD_BYTES = 100
    with pytest.raises(ValidationError) as large:
        claim(request, photos=[photo()])
    assert "photos" in large.value.message_dict
    request.refresh_from_db()
    assert request.state == RequestState.PRE_APPROVED
    assert not ClaimDocument.objects.exists()


def test_proof_files_go_to_private_storage(pool, partner_a, programme_manager, settings):
    from pathlib import Path

    request = claim(approved(partner_a, pool, programme_manager))
    for document in request.documents.all():
        assert Path(document.file.path).is_relative_to(Path(settings.PRIVATE_MEDIA_ROOT))
        assert len(document.sha256) == 64
        with pytest.raises(ValueError):
            document.file.url  # noqa: B018 - private files have no public URL


def test_sanction_holds_future_requests(pool, partner_a, programme_manager):
    funds.impose_sanction(partner=partner_a, user=programme_manager, reason="Faked photos in Q1.")
    request = submitted(partner_a, pool)
    assert request.on_hold
    flag = request.flags.get()
    assert flag.check_name == FraudCheck.SANCTIONED
    with pytest.raises(NotAllowed):
        funds.pre_approve(request=request, user=programme_manager)
    funds.resolve_flag(flag=flag, user=programme_manager, note="Checked the plan with the partner.")
    assert funds.pre_approve(request=request, user=programme_manager).state == RequestState.PRE_APPROVED
    funds.lift_sanction(partner=partner_a, user=programme_manager)
    assert not submitted(partner_a, pool).on_hold


def test_mdf_received_and_utilisation_are_reported_as_facts(pool, partner_a, programme_manager, finance):
    from django.utils import timezone

    from incentives.services.facts import report_mdf_facts
    from partners.models import PartnerFact

    request = claim(approved(partner_a, pool, programme_manager))
    funds.approve_claim(request=request, user=programme_manager)
    funds.pay_claim(request=request, user=finance)
    month = timezone.localdate().replace(day=1)
    report_mdf_facts(month=month)
    facts = dict(
        PartnerFact.objects.filter(partner=partner_a, month=month).values_list("metric__slug", "value")
    )
    assert facts["mdf_received"] == Decimal("15000")
    assert facts["mdf_utilisation"] == Decimal("25")  # 15,000 of 60,000
