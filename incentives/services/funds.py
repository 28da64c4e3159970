"""Market development funds: the one state machine of a fund request and its claim.

    draft → submitted → pre_approved | rejected
    pre_approved → claim_submitted | expired
    claim_submitted → claim_approved | claim_rejected
    claim_approved → paid

Every change goes through :func:`_move` (``NotAllowed`` for anything else) and is recorded as
a ``FundRequestEvent`` and in Wagtail's log. Money moves only as incentive-ledger entries:
submitting holds the budget, pre-approval releases what was not approved, a rejection, a
rejected claim or an expiry releases the hold, payment releases it and posts the payment.
Staff who decide are never the requester nor a member of the requesting partner.

One module because it is one state machine: every transition goes through ``_move`` and the ledger
holds and releases it makes must be read together.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.log_actions import log

from accounts.models import Membership
from core.exceptions import ApplicationError, NotAllowed
from core.money import quantize
from incentives import conf
from incentives.models import (
    Allocation,
    FraudCheck,
    FraudFlag,
    FundRequest,
    FundRequestEvent,
    IncentivePool,
    LedgerKind,
    PaymentMethod,
    RequestState,
    Sanction,
)
from incentives.services import documents, fraud, ledger

S = RequestState
TRANSITIONS = {
    S.DRAFT: {S.SUBMITTED},
    S.SUBMITTED: {S.PRE_APPROVED, S.REJECTED},
    S.PRE_APPROVED: {S.CLAIM_SUBMITTED, S.EXPIRED},
    S.CLAIM_SUBMITTED: {S.CLAIM_APPROVED, S.CLAIM_REJECTED},
    S.CLAIM_APPROVED: {S.PAID},
}
LOG_TRANSITION = "incentives.request_transition"
LOG_FLAG_RESOLVED = "incentives.flag_resolved"
LOG_SANCTION = "incentives.sanction"
LOG_SANCTION_LIFTED = "incentives.sanction_lifted"


def working_days_between(start: date, end: date) -> int:
    """Monday-to-Friday days after ``start`` up to and including ``end``."""
    days, current = 0, start
    while current < end:
        current += timedelta(days=1)
        if current.weekday() < 5:
            days += 1
    return days


def _move(request: FundRequest, to: str, *, user, note: str = "") -> None:
    allowed = TRANSITIONS.get(request.state, set())
    if to not in allowed:
        raise NotAllowed(
            _("A request that is “%(state)s” cannot become “%(to)s”.")
            % {"state": request.get_state_display(), "to": S(to).label}
        )
    from_state = request.state
    request.state = to
    request.save()
    FundRequestEvent.objects.create(
        request=request, from_state=from_state, to_state=to, actor=user, note=note
    )
    log(
        instance=request,
        action=LOG_TRANSITION,
        user=user,
        data={"from": from_state, "to": to, "note": note},
    )


def _locked(request: FundRequest) -> FundRequest:
    return FundRequest.objects.select_for_update().select_related("pool", "partner").get(pk=request.pk)


def _require_separation(request: FundRequest, user) -> None:
    """The person deciding is neither the requester nor a member of the requesting partner."""
    if (
        user.pk == request.requested_by_id
        or Membership.objects.filter(user=user, organisation_id=request.partner.organisation_id).exists()
    ):
        raise NotAllowed(_("You cannot decide on a request of your own organisation."))


def _release(request: FundRequest, amount: Decimal, *, reason: str, user) -> None:
    if amount <= 0:
        return
    ref = f"request:{request.public_id}:{reason}"
    ledger.post(
        partner=request.partner,
        pool=request.pool,
        kind=LedgerKind.RELEASE,
        amount=amount,
        reference=ref,
        fund_request=request,
        user=user,
    )
    if request.pool.status == IncentivePool.Status.EXPIRED:
        # released after the period ended: it expires at once
        ledger.expire_remaining(
            partner=request.partner, pool=request.pool, reference=f"{ref}:expiry", user=user
        )


def active_sanction(partner) -> Sanction | None:
    return Sanction.objects.filter(partner=partner, lifted_at=None).first()


def remaining(*, partner, pool) -> Decimal:
    return ledger.balance(partner=partner, pool=pool)


def _fill(request: FundRequest, *, pool, budget, start_date, end_date, **fields) -> None:
    """Set a draft's fields and check them (dates within the pool's period, budget > 0):
    ``ValidationError`` by field."""
    request.pool = pool
    request.currency = pool.currency
    request.start_date, request.end_date = start_date, end_date
    request.budget = quantize(Decimal(budget), pool.currency)
    for name, value in fields.items():
        setattr(request, name, value)
    errors = {}
    if end_date < start_date:
        errors["end_date"] = _("The activity cannot end before it starts.")
    if start_date < pool.period_start or end_date > pool.period_end:
        errors["start_date"] = _(
            "The activity must take place within the pool's period (%(start)s – %(end)s)."
        ) % {
            "start": pool.period_start,
            "end": pool.period_end,
        }
    if budget <= 0:
        errors["budget"] = _("The budget must be more than zero.")
    if errors:
        raise ValidationError(errors)
    request.full_clean()


# --- partner side --------------------------------------------------------------------------------
@transaction.atomic
def create_request(
    *,
    partner,
    pool: IncentivePool,
    user,
    activity_type: str,
    title: str,
    plan: str,
    expected_results: str,
    start_date: date,
    end_date: date,
    budget: Decimal,
) -> FundRequest:
    if pool.status != IncentivePool.Status.PUBLISHED:
        raise NotAllowed(_("This pool is not open for requests."))
    if not Allocation.objects.filter(pool=pool, partner=partner).exists():
        raise NotAllowed(_("Your organisation has no allocation in this pool."))
    request = FundRequest(partner=partner, requested_by=user)
    _fill(
        request,
        pool=pool,
        activity_type=activity_type,
        title=title,
        plan=plan,
        expected_results=expected_results,
        start_date=start_date,
        end_date=end_date,
        budget=budget,
    )
    request.full_clean()
    request.save()
    FundRequestEvent.objects.create(request=request, from_state="", to_state=S.DRAFT, actor=user)
    return request


EDITABLE_FIELDS = (
    "pool",
    "activity_type",
    "title",
    "plan",
    "expected_results",
    "start_date",
    "end_date",
    "budget",
)
LOG_EDITED = "incentives.request_edited"


@transaction.atomic
def update_request(*, request: FundRequest, user, **data) -> FundRequest:
    """Change a draft (the partner's own, before it is submitted; nothing is held yet). Any other
    state → ``NotAllowed``; the same checks as a new request; the change is logged."""
    request = _locked(request)
    if request.state != S.DRAFT:
        raise NotAllowed(
            _("Only a draft can be changed; this request is “%(state)s”.")
            % {"state": request.get_state_display()}
        )
    pool = data["pool"]
    if pool.pk != request.pool_id:
        if pool.status != IncentivePool.Status.PUBLISHED:
            raise NotAllowed(_("This pool is not open for requests."))
        if not Allocation.objects.filter(pool=pool, partner=request.partner).exists():
            raise NotAllowed(_("Your organisation has no allocation in this pool."))
    before = {name: str(getattr(request, name if name != "pool" else "pool_id")) for name in EDITABLE_FIELDS}
    _fill(request, **{name: data[name] for name in EDITABLE_FIELDS})
    request.save()
    changed = sorted(
        name
        for name in EDITABLE_FIELDS
        if before[name] != str(getattr(request, name if name != "pool" else "pool_id"))
    )
    log(instance=request, action=LOG_EDITED, user=user, data={"fields": changed})
    return request


@transaction.atomic
def submit_request(*, request: FundRequest, user, today: date | None = None) -> FundRequest:
    """Submit a draft: the activity starts far enough ahead, the budget fits in what remains
    (held at once), and a sanctioned partner's request is held for review."""
    request = _locked(request)
    today = today or timezone.localdate()
    if request.state != S.DRAFT:
        _move(request, S.SUBMITTED, user=user)  # raises NotAllowed
    ahead = conf.get("MIN_WORKING_DAYS_AHEAD")
    if working_days_between(today, request.start_date) < ahead:
        raise ApplicationError(
            _("The activity must start at least %(days)s working days from today.") % {"days": ahead},
            field="start_date",
        )
    Allocation.objects.select_for_update().get(pool=request.pool, partner=request.partner)
    left = remaining(partner=request.partner, pool=request.pool)
    if request.budget > left:
        raise ApplicationError(
            _("The budget (%(budget)s) is more than the remaining allocation (%(left)s).")
            % {"budget": request.budget, "left": left},
            field="budget",
        )
    ledger.post(
        partner=request.partner,
        pool=request.pool,
        kind=LedgerKind.HOLD,
        amount=-request.budget,
        reference=f"request:{request.public_id}",
        fund_request=request,
        user=user,
    )
    request.submitted_at = timezone.now()
    sanction = active_sanction(request.partner)
    if sanction is not None:
        request.on_hold = True
        FraudFlag.objects.create(
            request=request,
            check_name=FraudCheck.SANCTIONED,
            params={"since": sanction.created_at.date().isoformat(), "reason": sanction.reason},
        )
    _move(request, S.SUBMITTED, user=user)
    return request


def _open_flags(request: FundRequest):
    return request.flags.filter(resolved_at=None)


# --- programme manager ---------------------------------------------------------------------------
@transaction.atomic
def pre_approve(*, request: FundRequest, user, amount: Decimal | None = None, note: str = "") -> FundRequest:
    request = _locked(request)
    _require_separation(request, user)
    if request.state == S.SUBMITTED and _open_flags(request).exists():
        raise NotAllowed(_("Resolve the open flags of this request before approving it."))
    amount = request.budget if amount is None else quantize(Decimal(amount), request.currency)
    if request.state == S.SUBMITTED and not (0 < amount <= request.budget):
        raise ApplicationError(
            _("The approved amount must be more than zero and at most the budget."), field="amount"
        )
    _move(request, S.PRE_APPROVED, user=user, note=note)
    request.approved_amount = amount
    request.decided_by, request.decided_at, request.decision_note = user, timezone.now(), note
    request.on_hold = False
    request.save()
    _release(request, request.budget - amount, reason="approval", user=user)
    return request


@transaction.atomic
def reject_request(*, request: FundRequest, user, note: str) -> FundRequest:
    request = _locked(request)
    _require_separation(request, user)
    if not note.strip():
        raise ApplicationError(_("Say why the request is rejected."), field="note")
    _move(request, S.REJECTED, user=user, note=note)
    request.decided_by, request.decided_at, request.decision_note = user, timezone.now(), note
    request.save()
    _release(request, request.budget, reason="rejected", user=user)
    return request


# --- claims ----------------------------------------------------------------------------------------
@transaction.atomic
def submit_claim(
    *,
    request: FundRequest,
    user,
    amount: Decimal,
    summary: str,
    invoices=(),
    photos=(),
    attendee_lists=(),
    today: date | None = None,
) -> FundRequest:
    """Claim after the activity, within the claim window, at most the approved amount, with
    proof of performance (at least one invoice with its code and number, and photos or an
    attendee list). Files are checked (type, size → field errors) and the fraud checks run."""
    request = _locked(request)
    today = today or timezone.localdate()
    if request.state != S.PRE_APPROVED:
        _move(request, S.CLAIM_SUBMITTED, user=user)  # raises NotAllowed
    if today < request.end_date:
        raise NotAllowed(
            _("A claim can be made once the activity has ended (%(end)s).") % {"end": request.end_date}
        )
    if today > request.claim_deadline:
        raise NotAllowed(
            _("The claim deadline (%(deadline)s) has passed; this request can no longer be claimed.")
            % {"deadline": request.claim_deadline}
        )
    amount = quantize(Decimal(amount), request.currency)
    if amount <= 0:
        raise ApplicationError(_("The claimed amount must be more than zero."), field="amount")
    if amount > request.approved_amount:
        raise ApplicationError(
            _("The claim (%(amount)s) is more than the approved amount (%(approved)s).")
            % {"amount": amount, "approved": request.approved_amount},
            field="amount",
        )
    checked = documents.validate_claim_documents(
        invoices=invoices, photos=photos, attendee_lists=attendee_lists
    )
    request.claim_amount = amount
    request.claim_summary = summary
    request.claim_submitted_at = timezone.now()
    _move(request, S.CLAIM_SUBMITTED, user=user)
    saved = documents.store(request, checked)
    fraud.run_claim_checks(request, saved)
    return request


@transaction.atomic
def approve_claim(*, request: FundRequest, user, note: str = "") -> FundRequest:
    request = _locked(request)
    _require_separation(request, user)
    if request.state == S.CLAIM_SUBMITTED and _open_flags(request).exists():
        raise NotAllowed(_("Resolve the open flags of this claim before approving it."))
    _move(request, S.CLAIM_APPROVED, user=user, note=note)
    request.claim_reviewed_by, request.claim_reviewed_at, request.claim_note = user, timezone.now(), note
    request.save()
    return request


@transaction.atomic
def reject_claim(*, request: FundRequest, user, note: str) -> FundRequest:
    request = _locked(request)
    _require_separation(request, user)
    if not note.strip():
        raise ApplicationError(_("Say why the claim is rejected."), field="note")
    _move(request, S.CLAIM_REJECTED, user=user, note=note)
    request.claim_reviewed_by, request.claim_reviewed_at, request.claim_note = user, timezone.now(), note
    request.save()
    _release(request, request.approved_amount, reason="claim_rejected", user=user)
    return request


NO_CONNECT_ACCOUNT = gettext_lazy(
    "This partner has no Stripe Connect account with payouts enabled: credit the next statement instead."
)


@transaction.atomic
def pay_claim(*, request: FundRequest, user, method: str = PaymentMethod.STATEMENT_CREDIT) -> FundRequest:
    """Finance approves payment: the hold is released and the payment posted in the incentive
    ledger, and the partner is paid in one of two ways (``method``):

    - a statement credit: the amount is credited to the partner in billing's ledger (an
      adjustment owed to the partner, paid out with its next payout statement);
    - a Stripe Connect transfer to the partner's connected account (billing's gateway, with an
      idempotency key per request, so a retry never pays twice). Nothing is posted to billing's
      ledger then: an adjustment there would be gathered into the next statement and paid again.
      A refused transfer refuses the payment and changes nothing.
    """
    from billing import gateway
    from billing.models import ConnectAccount
    from billing.services import ledger as billing_ledger

    if method not in PaymentMethod.values:
        raise ApplicationError(_("Choose how to pay."), field="method")
    request = _locked(request)
    _require_separation(request, user)
    _move(request, S.PAID, user=user)
    _release(request, request.approved_amount, reason="paid", user=user)
    ledger.post(
        partner=request.partner,
        pool=request.pool,
        kind=LedgerKind.PAYMENT,
        amount=-request.claim_amount,
        reference=f"request:{request.public_id}",
        fund_request=request,
        user=user,
    )
    reference = f"mdf:{request.public_id}"
    if method == PaymentMethod.CONNECT_TRANSFER:
        account = ConnectAccount.objects.filter(partner=request.partner, payouts_enabled=True).first()
        if account is None:
            raise NotAllowed(NO_CONNECT_ACCOUNT)
        try:
            transfer = gateway.create_transfer(
                amount=request.claim_amount,
                currency=request.currency,
                destination=account.stripe_account_id,
                idempotency_key=reference,
                description=f"MDF {request.title}"[:255],
                metadata={"fund_request": str(request.public_id)},
            )
        except gateway.TransferFailed as exc:
            raise ApplicationError(exc.message) from exc  # the gateway's sentence for finance
        request.stripe_transfer_id = transfer["id"]
        reference = f"stripe:{transfer['id']}"
    else:
        billing_ledger.post_adjustment(
            partner=request.partner,
            amount=request.claim_amount,
            currency=request.currency,
            description=f"MDF {request.title}"[:255],
            reference=reference,
        )
    request.payment_method = method
    request.paid_by, request.paid_at, request.billing_reference = user, timezone.now(), reference
    request.save()
    return request


@transaction.atomic
def expire_overdue(*, today: date | None = None) -> int:
    """Pre-approved requests whose claim deadline passed without a claim expire (hold released)."""
    today = today or timezone.localdate()
    window = timedelta(days=conf.get("CLAIM_WINDOW_DAYS"))
    count = 0
    for request in FundRequest.objects.filter(state=S.PRE_APPROVED, end_date__lt=today - window):
        request = _locked(request)
        _move(request, S.EXPIRED, user=None, note=_("The claim deadline passed."))
        _release(request, request.approved_amount, reason="expired", user=None)
        count += 1
    return count


# --- flags and sanctions ---------------------------------------------------------------------------
@transaction.atomic
def resolve_flag(*, flag: FraudFlag, user, note: str) -> FraudFlag:
    flag = FraudFlag.objects.select_for_update().select_related("request__partner").get(pk=flag.pk)
    _require_separation(flag.request, user)
    if flag.resolved_at is not None:
        raise NotAllowed(_("This flag is already resolved."))
    if not note.strip():
        raise ApplicationError(_("Say what you found."), field="note")
    flag.resolved_by, flag.resolved_at, flag.resolution_note = user, timezone.now(), note
    flag.save()
    log(
        instance=flag.request,
        action=LOG_FLAG_RESOLVED,
        user=user,
        data={"check": flag.check_name, "note": note},
    )
    return flag


@transaction.atomic
def impose_sanction(*, partner, user, reason: str) -> Sanction:
    if not reason.strip():
        raise ApplicationError(_("Say why the partner is sanctioned."), field="reason")
    sanction = active_sanction(partner) or Sanction.objects.create(
        partner=partner, reason=reason, created_by=user
    )
    log(instance=partner, action=LOG_SANCTION, user=user, data={"reason": reason})
    return sanction


@transaction.atomic
def lift_sanction(*, partner, user) -> int:
    count = Sanction.objects.filter(partner=partner, lifted_at=None).update(
        lifted_at=timezone.now(), lifted_by=user
    )
    if count:
        log(instance=partner, action=LOG_SANCTION_LIFTED, user=user, data={})
    return count
