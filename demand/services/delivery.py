"""Delivery: start, milestone payment requests (amount ≤ what remains, idempotency key) and
the customer's acceptance (immutable records; all milestones accepted → acceptance → closed).

An approved request is charged through billing: a PaymentIntent on the customer organisation's
card (``billing.gateway``), then the charge and the platform commission on the partner's ledger
(``billing.services.ledger.post_sale``). When Stripe fails the request stays approved and unpaid
with the reason kept; approving again retries, and a paid request is never charged twice.
"""

import hashlib
from datetime import timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Subquery, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core.exceptions import ApplicationError, NotAllowed
from core.money import quantize
from demand.models import (
    AcceptanceOutcome,
    Milestone,
    MilestoneAcceptance,
    PaymentRequest,
    PaymentRequestState,
    ProposalState,
    Requirement,
    RequirementTransition,
)
from demand.models import RequirementState as S
from demand.services import notify
from demand.services import requirements as requirement_services

ABOVE_REMAINING = gettext_noop("%(amount)s is more than the %(remaining)s that remains on this milestone.")
KEY_REUSED = gettext_noop("This idempotency key was already used for a different payment request.")
KEY_NEEDED = gettext_noop("A payment request needs an idempotency key.")
NOT_IN_DELIVERY = gettext_noop("Payments can be requested only while the work is being delivered.")
NOT_YOURS = gettext_noop("This milestone is not part of your awarded proposal.")
ALREADY_DECIDED = gettext_noop("This payment request was already decided.")
ALREADY_ACCEPTED = gettext_noop("This milestone is already accepted.")
NO_CARD = gettext_noop(
    "Your organisation has no card on file. Add one in billing, then approve the payment again; "
    "nothing was charged."
)
BAD_AMOUNT = gettext_noop("Amounts must be positive numbers.")
ALREADY_PAID = gettext_noop("This payment request is already paid.")
CARD_NEEDED = gettext_noop("Enter your card details.")
OPEN_REQUEST_STATES = (PaymentRequestState.PENDING, PaymentRequestState.APPROVED)


def start_delivery(*, requirement: Requirement, by) -> Requirement:
    """Awarded → in delivery. With a split award the second partner to start finds it started."""
    if requirement.state == S.IN_DELIVERY:
        return requirement
    return requirement_services.transition(requirement=requirement, to_state=S.IN_DELIVERY, by=by)


def remaining_on(milestone: Milestone) -> Decimal:
    asked = (
        PaymentRequest.objects.filter(milestone=milestone, state__in=OPEN_REQUEST_STATES).aggregate(
            s=Sum("amount")
        )["s"]
        or 0
    )
    return milestone.amount - asked


@transaction.atomic
def request_payment(*, milestone: Milestone, partner, user, amount, idempotency_key: str) -> PaymentRequest:
    """A payment request, or — for a key already used with the same milestone and amount — the
    first one again. The milestone row is locked while what remains is computed."""
    key = (idempotency_key or "").strip()
    if not key:
        raise ApplicationError(_(KEY_NEEDED), field="idempotency_key")
    milestone = (
        Milestone.objects.select_for_update().select_related("proposal__requirement").get(pk=milestone.pk)
    )
    proposal = milestone.proposal
    if proposal.partner_id != partner.pk or proposal.state != ProposalState.ACCEPTED:
        raise NotAllowed(_(NOT_YOURS))
    try:
        amount = quantize(amount if isinstance(amount, Decimal) else Decimal(str(amount)), proposal.currency)
    except ArithmeticError as exc:
        raise ApplicationError(_(BAD_AMOUNT), field="amount") from exc
    existing = PaymentRequest.objects.filter(partner=partner, idempotency_key=key).first()
    if existing is not None:
        if existing.milestone_id == milestone.pk and existing.amount == amount:
            return existing
        raise ApplicationError(_(KEY_REUSED), code="idempotency_key_reused", field="idempotency_key")
    if proposal.requirement.state not in (S.IN_DELIVERY, S.ACCEPTANCE):
        raise NotAllowed(_(NOT_IN_DELIVERY))
    if amount <= 0:
        raise ApplicationError(_(BAD_AMOUNT), field="amount")
    remaining = remaining_on(milestone)
    if amount > remaining:
        raise ApplicationError(
            _(ABOVE_REMAINING) % {"amount": amount, "remaining": remaining},
            code="above_remaining",
            field="amount",
        )
    try:
        with transaction.atomic():
            return PaymentRequest.objects.create(
                milestone=milestone,
                partner=partner,
                amount=amount,
                currency=proposal.currency,
                idempotency_key=key,
                requested_by=user,
            )
    except IntegrityError:  # the same key raced in: answer with the first result
        return PaymentRequest.objects.get(partner=partner, idempotency_key=key)


def decide_payment(
    *, payment_request: PaymentRequest, by, approve: bool, charge: bool = True
) -> PaymentRequest:
    """Approve (and charge) or reject a pending request. Approving an approved but unpaid request
    retries the charge; approving a paid one returns it unchanged (never a second charge).
    ``charge=False`` only approves (the demo seed, which records its payment with fake ids)."""
    with transaction.atomic():
        locked = PaymentRequest.objects.select_for_update().get(pk=payment_request.pk)
        retry = approve and locked.state == PaymentRequestState.APPROVED
        if locked.state != PaymentRequestState.PENDING and not retry:
            raise NotAllowed(_(ALREADY_DECIDED))
        if not retry:
            locked.state = PaymentRequestState.APPROVED if approve else PaymentRequestState.REJECTED
            locked.decided_by, locked.decided_at = by, timezone.now()
            locked.save(update_fields=["state", "decided_by", "decided_at", "updated_at"])
    if approve and charge:
        return charge_payment(payment_request=locked)
    return locked


def pay_with_card(*, payment_request: PaymentRequest, by, payment_method_id: str) -> PaymentRequest:
    """The customer approves a pending (or retries an approved, unpaid) request with a card entered
    in the browser (a PaymentMethod confirmed by Stripe.js): the card is attached to the
    organisation's Stripe customer and becomes its default (a declined card fails here, before
    anything is approved), then the request is approved and charged as ``decide_payment`` does."""
    from billing import gateway
    from billing.services import customers

    current = PaymentRequest.objects.select_related("milestone__proposal__requirement").get(
        pk=payment_request.pk
    )
    if current.paid_at is not None:
        raise NotAllowed(_(ALREADY_PAID))
    if current.state == PaymentRequestState.REJECTED:
        raise NotAllowed(_(ALREADY_DECIDED))
    if not (payment_method_id or "").strip():
        raise ApplicationError(_(CARD_NEEDED), code="no_card", field="payment_method")
    organisation = current.milestone.proposal.requirement.customer_organisation
    try:
        customer = customers.ensure_customer(organisation, email=getattr(by, "email", "") or "")
        customers.save_card(customer, payment_method_id.strip())
    except gateway.BillingGatewayError as exc:
        raise ApplicationError(exc.message, code="card_failed", field="payment_method") from exc
    return decide_payment(payment_request=current, by=by, approve=True)


def charge_payment(*, payment_request: PaymentRequest) -> PaymentRequest:
    """Charge an approved request once: the row stays locked during the PaymentIntent (with an
    idempotency key per request) so concurrent approvals wait and then see it paid. On failure
    nothing is recorded but the reason, and ``ApplicationError`` carries it."""
    from billing import gateway
    from billing.services import customers

    organisation = payment_request.milestone.proposal.requirement.customer_organisation
    try:
        customer = customers.ensure_customer(organisation)  # its own transaction (see billing)
        with transaction.atomic():
            locked = (
                PaymentRequest.objects.select_for_update()
                .select_related("milestone__proposal__requirement__customer_organisation", "partner")
                .get(pk=payment_request.pk)
            )
            if locked.paid_at is not None or locked.state != PaymentRequestState.APPROVED:
                return locked
            requirement = locked.milestone.proposal.requirement
            if not customer.default_payment_method_id:
                raise ApplicationError(_(NO_CARD), code="no_card")
            description = f"{requirement.public_id} · {locked.milestone.title}"[:200]
            intent = gateway.create_payment(
                customer_id=customer.stripe_customer_id,
                payment_method_id=customer.default_payment_method_id,
                amount=locked.amount,
                currency=locked.currency,
                description=description,
                metadata={"symbio_payment_request": str(locked.public_id)},
                idempotency_key=f"symbio-demand-pay-{locked.public_id}",
            )
            return _record_paid(locked, reference=intent["id"], description=description)
    except gateway.BillingGatewayError as exc:
        message = exc.message
    except ApplicationError as exc:
        message = exc.message
    PaymentRequest.objects.filter(pk=payment_request.pk, paid_at__isnull=True).update(
        charge_error=str(message)[:300], updated_at=timezone.now()
    )
    raise ApplicationError(message, code="payment_failed")


def _record_paid(locked: PaymentRequest, *, reference: str, description: str) -> PaymentRequest:
    from billing.services import ledger

    locked.paid_at = timezone.now()
    locked.stripe_payment_intent_id = reference
    locked.charge_error = ""
    locked.save(update_fields=["paid_at", "stripe_payment_intent_id", "charge_error", "updated_at"])
    ledger.post_sale(
        partner=locked.partner,
        amount=locked.amount,
        currency=locked.currency,
        reference=reference,
        description=description,
        when=locked.paid_at,
    )
    return locked


@transaction.atomic
def record_external_payment(*, payment_request: PaymentRequest, reference: str) -> PaymentRequest:
    """Mark an approved request paid under ``reference`` without calling Stripe, with its ledger
    entries (the demo seed; its references are fake ids)."""
    locked = (
        PaymentRequest.objects.select_for_update()
        .select_related("milestone__proposal__requirement", "partner")
        .get(pk=payment_request.pk)
    )
    if locked.paid_at is not None or locked.state != PaymentRequestState.APPROVED:
        return locked
    requirement = locked.milestone.proposal.requirement
    return _record_paid(
        locked, reference=reference, description=f"{requirement.public_id} · {locked.milestone.title}"[:200]
    )


def evidence_digest(files) -> str:
    """SHA-256 over the evidence files' bytes, in the order given."""
    digest = hashlib.sha256()
    for f in files:
        for chunk in f.chunks() if hasattr(f, "chunks") else [f]:
            digest.update(chunk)
    return digest.hexdigest() if files else ""


@transaction.atomic
def decide_milestone(
    *, milestone: Milestone, by, accept: bool, note: str = "", evidence=()
) -> MilestoneAcceptance:
    """Record the customer's verdict; when every milestone of every awarded proposal is accepted,
    the requirement moves to acceptance and is closed."""
    milestone = (
        Milestone.objects.select_for_update().select_related("proposal__requirement").get(pk=milestone.pk)
    )
    requirement = milestone.proposal.requirement
    if (
        requirement.state not in (S.IN_DELIVERY, S.ACCEPTANCE)
        or milestone.proposal.state != ProposalState.ACCEPTED
    ):
        raise NotAllowed(_(NOT_IN_DELIVERY))
    if milestone.acceptances.filter(outcome=AcceptanceOutcome.ACCEPTED).exists():
        raise NotAllowed(_(ALREADY_ACCEPTED))
    record = MilestoneAcceptance.objects.create(
        milestone=milestone,
        outcome=AcceptanceOutcome.ACCEPTED if accept else AcceptanceOutcome.REJECTED,
        by=by,
        note=(note or "")[:500],
        evidence_sha256=evidence_digest(list(evidence)),
    )
    pending = (  # every awarded partner's milestones (a split award closes when all are accepted)
        Milestone.objects.filter(proposal__requirement=requirement, proposal__state=ProposalState.ACCEPTED)
        .exclude(acceptances__outcome=AcceptanceOutcome.ACCEPTED)
        .exists()
    )
    if accept and not pending:
        if requirement.state == S.IN_DELIVERY:
            requirement = requirement_services.transition(
                requirement=requirement, to_state=S.ACCEPTANCE, by=by
            )
        requirement_services.transition(requirement=requirement, to_state=S.CLOSED, by=by)
    return record


WAITING_ALERT_DAYS = (30, 60, 90)


def send_waiting_alerts(*, now=None) -> int:
    """E-mail the customer's and the partner's managers when a milestone has waited 30, 60 and
    90 days since delivery started without being accepted: one alert per threshold (a milestone
    that jumps past two thresholds gets the latest only). Returns how many milestones alerted."""
    now = now or timezone.now()
    started = (
        RequirementTransition.objects.filter(
            requirement=OuterRef("proposal__requirement"), to_state=S.IN_DELIVERY
        )
        .order_by("-at")
        .values("at")[:1]
    )
    waiting = (
        Milestone.objects.filter(
            proposal__state=ProposalState.ACCEPTED,
            proposal__requirement__state__in=(S.IN_DELIVERY, S.ACCEPTANCE),
            waiting_alerted_days__lt=WAITING_ALERT_DAYS[-1],
        )
        .exclude(acceptances__outcome=AcceptanceOutcome.ACCEPTED)
        .annotate(since=Subquery(started))
        .filter(since__lte=now - timedelta(days=WAITING_ALERT_DAYS[0]))
        .select_related("proposal__requirement", "proposal__partner")
    )
    alerted = 0
    for milestone in waiting:
        days = (now - milestone.since).days
        threshold = max(t for t in WAITING_ALERT_DAYS if t <= days)
        if threshold <= milestone.waiting_alerted_days:
            continue
        claimed = Milestone.objects.filter(pk=milestone.pk, waiting_alerted_days__lt=threshold).update(
            waiting_alerted_days=threshold
        )
        if not claimed:  # another run sent it
            continue
        proposal, requirement = milestone.proposal, milestone.proposal.requirement

        def context(language, url_name, public_id, m=milestone, r=requirement, d=threshold):
            return {
                "milestone": m,
                "requirement": r,
                "days": d,
                "url": notify.url_in(language, url_name, public_id=public_id),
            }

        notify.send_to_users(
            "demand/email/milestone_waiting",
            notify.organisation_managers(requirement.customer_organisation_id),
            lambda language, c=context, r=requirement: c(language, "demand:requirement", r.public_id),
        )
        notify.send_to_users(
            "demand/email/milestone_waiting",
            notify.partner_managers(proposal.partner),
            lambda language, c=context, p=proposal: c(language, "demand:delivery", p.public_id),
        )
        alerted += 1
    return alerted
