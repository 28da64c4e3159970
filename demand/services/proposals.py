"""Proposals: submit and revise (versions kept) until the due date; compare and award.

Milestone amounts must sum to the proposal's total (checked here, on the server). One proposal
per partner per requirement (a unique constraint, too). Awarding one declines the others with a
reason and moves the requirement open → shortlisting → awarded; an award may be split across up
to three partners (``award_split``).
"""

from datetime import timedelta
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core.exceptions import ApplicationError, NotAllowed
from core.money import quantize
from demand.models import Invitation, Milestone, Proposal, ProposalState, ProposalVersion, Requirement
from demand.models import RequirementState as S
from demand.services import quality
from demand.services import requirements as requirement_services

VALIDITY_DAYS = 30
MILESTONE_SUM = gettext_noop("The milestones add up to %(sum)s, not the total of %(total)s.")
MILESTONES_NEEDED = gettext_noop("A milestone-priced proposal needs at least one milestone.")
BAD_AMOUNT = gettext_noop("Amounts must be positive numbers.")
MAX_BELOW_TOTAL = gettext_noop("The maximum cost cannot be below the total.")
NOT_INVITED = gettext_noop("You are not invited to propose on this requirement.")
PAST_DUE = gettext_noop("Proposals for this requirement were due on %(due)s.")
NOT_OPEN = gettext_noop("This requirement no longer takes proposals.")
ALREADY_PROPOSED = gettext_noop("You have already proposed: revise your proposal instead.")
ANSWERS_NEEDED = gettext_noop("Answer every screening question.")
CANNOT_AWARD = gettext_noop("Only a proposal still on the table can be awarded.")
DECLINE_REASON = gettext_noop("Another proposal was chosen.")


def _amount(value) -> Decimal:
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise ApplicationError(_(BAD_AMOUNT)) from exc
    if not amount.is_finite() or amount <= 0:
        raise ApplicationError(_(BAD_AMOUNT))
    return amount


def _check(requirement: Requirement, *, total, max_cost, milestones, answers, pricing_model) -> tuple:
    currency = requirement.currency
    total = quantize(_amount(total), currency)
    max_cost = quantize(_amount(max_cost), currency) if max_cost not in (None, "") else None
    if max_cost is not None and max_cost < total:
        raise ApplicationError(_(MAX_BELOW_TOTAL), field="max_cost")
    cleaned = []
    for item in milestones:
        cleaned.append({**item, "amount": quantize(_amount(item["amount"]), currency)})
    if pricing_model == "milestones" and not cleaned:
        raise ApplicationError(_(MILESTONES_NEEDED), field="milestones")
    if cleaned:
        total_of_milestones = sum((m["amount"] for m in cleaned), Decimal(0))
        if total_of_milestones != total:
            raise ApplicationError(
                _(MILESTONE_SUM) % {"sum": total_of_milestones, "total": total}, field="milestones"
            )
    questions = requirement.screening_questions or []
    answers = [str(a).strip() for a in (answers or [])]
    if len(answers) < len(questions) or any(not a for a in answers[: len(questions)]):
        raise ApplicationError(_(ANSWERS_NEEDED), field="answers")
    return total, max_cost, cleaned, answers[: len(questions)]


def _may_propose(requirement: Requirement, partner, now) -> None:
    if requirement.state != S.OPEN:
        raise NotAllowed(_(NOT_OPEN))
    if requirement.proposal_due <= now:
        raise NotAllowed(
            _(PAST_DUE) % {"due": timezone.localtime(requirement.proposal_due).strftime("%Y-%m-%d %H:%M")}
        )
    if not Invitation.objects.filter(requirement=requirement, partner=partner).exists():
        raise NotAllowed(_(NOT_INVITED))


def _snapshot(proposal: Proposal) -> dict:
    return {
        "pricing_model": proposal.pricing_model,
        "total": str(proposal.total),
        "currency": proposal.currency,
        "max_cost": str(proposal.max_cost) if proposal.max_cost is not None else None,
        "timeline_days": proposal.timeline_days,
        "summary": proposal.summary,
        "assumptions": proposal.assumptions,
        "answers": proposal.answers,
        "valid_until": proposal.valid_until.isoformat(),
        "milestones": [
            {
                "title": m.title,
                "amount": str(m.amount),
                "acceptance_criteria": m.acceptance_criteria,
                "due_in_days": m.due_in_days,
            }
            for m in proposal.milestones.all()
        ],
    }


def _write_milestones(proposal: Proposal, milestones: list[dict]) -> None:
    proposal.milestones.all().delete()
    Milestone.objects.bulk_create(
        [
            Milestone(
                proposal=proposal,
                position=i,
                title=m["title"],
                amount=m["amount"],
                acceptance_criteria=m.get("acceptance_criteria", ""),
                due_in_days=int(m.get("due_in_days") or 0),
            )
            for i, m in enumerate(milestones)
        ]
    )


@transaction.atomic
def submit_proposal(
    *,
    requirement: Requirement,
    partner,
    user,
    pricing_model: str,
    total,
    timeline_days: int,
    summary: str,
    max_cost=None,
    assumptions: str = "",
    answers=(),
    milestones=(),
    now=None,
) -> Proposal:
    from partners.models import Partner

    now = now or timezone.now()
    requirement = Requirement.objects.select_for_update().get(pk=requirement.pk)
    _may_propose(requirement, partner, now)
    locked_partner = Partner.objects.select_for_update(of=("self",)).select_related("tier").get(pk=partner.pk)
    total, max_cost, milestones, answers = _check(
        requirement,
        total=total,
        max_cost=max_cost,
        milestones=milestones,
        answers=answers,
        pricing_model=pricing_model,
    )
    if Proposal.objects.filter(requirement=requirement, partner=partner).exists():
        raise NotAllowed(_(ALREADY_PROPOSED))
    quality.check_daily_cap(locked_partner, now=now)
    proposal = Proposal(
        requirement=requirement,
        partner=partner,
        submitted_by=user,
        pricing_model=pricing_model,
        total=total,
        currency=requirement.currency,
        max_cost=max_cost,
        timeline_days=timeline_days,
        summary=summary,
        assumptions=assumptions,
        answers=answers,
        valid_until=(timezone.localdate(now) + timedelta(days=VALIDITY_DAYS)),
    )
    proposal.full_clean(exclude=["requirement", "partner"])
    try:
        with transaction.atomic():
            proposal.save()
    except IntegrityError as exc:
        raise NotAllowed(_(ALREADY_PROPOSED)) from exc
    _write_milestones(proposal, milestones)
    ProposalVersion.objects.create(proposal=proposal, number=1, snapshot=_snapshot(proposal))
    return quality.flag_duplicate(proposal)


@transaction.atomic
def revise_proposal(*, proposal: Proposal, user, now=None, **changes) -> Proposal:
    """A new version of a proposal still on the table, until the requirement's due date."""
    now = now or timezone.now()
    proposal = Proposal.objects.select_for_update().select_related("requirement").get(pk=proposal.pk)
    requirement = proposal.requirement
    _may_propose(requirement, proposal.partner, now)
    if proposal.state != ProposalState.PROPOSED:
        raise NotAllowed(_(NOT_OPEN))
    milestones = changes.pop("milestones", None)
    if milestones is None:
        milestones = [
            {
                "title": m.title,
                "amount": m.amount,
                "acceptance_criteria": m.acceptance_criteria,
                "due_in_days": m.due_in_days,
            }
            for m in proposal.milestones.all()
        ]
    for field, value in changes.items():
        setattr(proposal, field, value)
    proposal.total, proposal.max_cost, milestones, proposal.answers = _check(
        requirement,
        total=proposal.total,
        max_cost=proposal.max_cost,
        milestones=milestones,
        answers=proposal.answers,
        pricing_model=proposal.pricing_model,
    )
    proposal.version += 1
    proposal.valid_until = timezone.localdate(now) + timedelta(days=VALIDITY_DAYS)
    proposal.submitted_by = user
    proposal.full_clean(exclude=["requirement", "partner"])
    proposal.save()
    _write_milestones(proposal, milestones)
    ProposalVersion.objects.create(proposal=proposal, number=proposal.version, snapshot=_snapshot(proposal))
    return quality.flag_duplicate(proposal)


MAX_SPLIT = 3
SPLIT_LIMIT = gettext_noop("An award can be split across at most %(max)s partners.")
CHOOSE_ONE = gettext_noop("Choose at least one proposal to award.")


def award(*, proposal: Proposal, by, decline_reason: str = "") -> Proposal:
    """Accept ``proposal``; decline every other one on the requirement with ``decline_reason``."""
    return award_split(proposals=[proposal], by=by, decline_reason=decline_reason)[0]


@transaction.atomic
def award_split(*, proposals, by, decline_reason: str = "") -> list[Proposal]:
    """Award the requirement to one partner or split it across up to three (FastTrack): each
    chosen proposal is accepted and delivered and paid on its own milestones; every other
    proposal is declined with ``decline_reason``. The requirement moves (open →) shortlisting →
    awarded once, whatever the number of partners."""
    ids = list(dict.fromkeys(p.pk for p in proposals))
    if not ids:
        raise ApplicationError(_(CHOOSE_ONE), field="proposal")
    if len(ids) > MAX_SPLIT:
        raise ApplicationError(_(SPLIT_LIMIT) % {"max": MAX_SPLIT}, field="proposal")
    requirement_ids = set(Proposal.objects.filter(pk__in=ids).values_list("requirement_id", flat=True))
    if len(requirement_ids) != 1:
        raise NotAllowed(_(CANNOT_AWARD))
    requirement = Requirement.objects.select_for_update().get(pk=requirement_ids.pop())
    chosen = list(Proposal.objects.select_for_update().filter(pk__in=ids).order_by("created_at", "pk"))
    if any(p.state != ProposalState.PROPOSED for p in chosen) or requirement.state not in (
        S.OPEN,
        S.SHORTLISTING,
    ):
        raise NotAllowed(_(CANNOT_AWARD))
    if requirement.state == S.OPEN:
        requirement = requirement_services.transition(requirement=requirement, to_state=S.SHORTLISTING, by=by)
    requirement = requirement_services.transition(requirement=requirement, to_state=S.AWARDED, by=by)
    now = timezone.now()
    Proposal.objects.filter(pk__in=ids).update(state=ProposalState.ACCEPTED, updated_at=now)
    Proposal.objects.filter(requirement=requirement, state=ProposalState.PROPOSED).exclude(pk__in=ids).update(
        state=ProposalState.DECLINED,
        decline_reason=(decline_reason or "").strip() or _(DECLINE_REASON),
        updated_at=now,
    )
    for proposal in chosen:
        proposal.state, proposal.requirement = ProposalState.ACCEPTED, requirement
    return chosen
