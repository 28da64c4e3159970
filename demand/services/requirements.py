"""The requirement state machine: the one place a requirement changes state.

Every change goes through :func:`transition`, which locks the row, refuses an illegal step with
:class:`core.exceptions.NotAllowed` and records a :class:`RequirementTransition` (who, when,
from, to, why). Posting, moderation (approve → open and route; reject with a reason), claims and
cancelling are built on it.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core.exceptions import ApplicationError, NotAllowed
from demand.models import Invitation, InvitationSource, Requirement, RequirementMode, RequirementState
from demand.models import RequirementTransition as Transition

S = RequirementState

TRANSITIONS: dict[str, set[str]] = {
    S.DRAFT: {S.PENDING_REVIEW, S.CANCELLED},
    S.PENDING_REVIEW: {S.OPEN, S.REJECTED, S.CANCELLED},
    S.OPEN: {S.SHORTLISTING, S.CANCELLED, S.EXPIRED},
    S.SHORTLISTING: {S.AWARDED, S.CANCELLED, S.EXPIRED},
    S.AWARDED: {S.IN_DELIVERY, S.CANCELLED},
    S.IN_DELIVERY: {S.ACCEPTANCE, S.CANCELLED},
    S.ACCEPTANCE: {S.CLOSED, S.IN_DELIVERY},
    S.REJECTED: {S.DRAFT},
    S.CLOSED: set(),
    S.CANCELLED: set(),
    S.EXPIRED: set(),
}
#: Transitions that must say why.
NEEDS_REASON = {S.REJECTED, S.CANCELLED}
VISIBLE_TO_PARTNERS = (S.OPEN, S.SHORTLISTING)

ILLEGAL = gettext_noop("A requirement that is %(from)s cannot become %(to)s.")
REASON_NEEDED = gettext_noop("Give a reason.")
TITLE_NEEDED = gettext_noop("Give the requirement a title in at least one language.")
DESCRIPTION_NEEDED = gettext_noop("Describe the requirement in at least one language.")
BUDGET_ORDER = gettext_noop("The lower end of the budget cannot be above the upper end.")
DATES_ORDER = gettext_noop("Proposals must be due before the award-by date.")
DUE_IN_PAST = gettext_noop("The proposal due date must be in the future.")
DIRECTED_NEEDS_PARTNER = gettext_noop("A directed requirement names one partner.")
INVITE_LIMIT = gettext_noop("Invite between one and %(max)s partners.")
CLAIM_LIMIT = gettext_noop("The claim limit must be between 1 and 50.")
MAX_PRIVATE_INVITES = 10


@transaction.atomic
def transition(*, requirement: Requirement, to_state: str, by=None, reason: str = "") -> Requirement:
    """Move ``requirement`` to ``to_state`` or raise ``NotAllowed``; returns the locked, updated row."""
    locked = Requirement.objects.select_for_update().get(pk=requirement.pk)
    from_state = locked.state
    if to_state not in TRANSITIONS.get(from_state, set()):
        raise NotAllowed(
            _(ILLEGAL)
            % {
                "from": S(from_state).label,
                "to": S(to_state).label if to_state in S.values else to_state,
            }
        )
    reason = (reason or "").strip()
    if to_state in NEEDS_REASON and not reason:
        raise ApplicationError(_(REASON_NEEDED), field="reason")
    locked.state = to_state
    locked.state_reason = reason
    fields = ["state", "state_reason", "updated_at"]
    now = timezone.now()
    if to_state == S.PENDING_REVIEW:
        locked.submitted_at = now
        fields.append("submitted_at")
    elif to_state == S.OPEN:
        locked.opened_at = now
        fields.append("opened_at")
    locked.save(update_fields=fields)
    Transition.objects.create(
        requirement=locked, from_state=from_state, to_state=to_state, by=by, reason=reason
    )
    requirement.state, requirement.state_reason = locked.state, locked.state_reason
    return locked


def validate(requirement: Requirement, *, invited=()) -> None:
    """Business rules of a requirement's content (the form checks types; this checks sense)."""
    if not (requirement.title or requirement.title_en):
        raise ApplicationError(_(TITLE_NEEDED), field="title")
    if not (requirement.description or requirement.description_en):
        raise ApplicationError(_(DESCRIPTION_NEEDED), field="description")
    low, high = requirement.budget_min, requirement.budget_max
    if low is not None and high is not None and low > high:
        raise ApplicationError(_(BUDGET_ORDER), field="budget_max")
    if requirement.proposal_due.date() > requirement.award_by:
        raise ApplicationError(_(DATES_ORDER), field="award_by")
    if not 1 <= requirement.claim_limit <= 50:
        raise ApplicationError(_(CLAIM_LIMIT), field="claim_limit")
    if requirement.mode == RequirementMode.DIRECTED and requirement.directed_partner_id is None:
        raise ApplicationError(_(DIRECTED_NEEDS_PARTNER), field="directed_partner")
    if requirement.mode == RequirementMode.PRIVATE_INVITE and not 1 <= len(invited) <= MAX_PRIVATE_INVITES:
        raise ApplicationError(_(INVITE_LIMIT) % {"max": MAX_PRIVATE_INVITES}, field="invited_partners")


@transaction.atomic
def create_requirement(
    *,
    organisation,
    user,
    certifications=(),
    listings=(),
    invited=(),
    attachments=(),
    submit: bool = False,
    **fields,
) -> Requirement:
    """A draft (or, with ``submit``, a requirement waiting for moderation), with its attachments
    (all checked before anything is written)."""
    from demand.services import attachments as attachment_services

    requirement = Requirement(customer_organisation=organisation, created_by=user, **fields)
    validate(requirement, invited=invited)
    attachment_services.check(attachments)
    if submit and requirement.proposal_due <= timezone.now():
        raise ApplicationError(_(DUE_IN_PAST), field="proposal_due")
    requirement.full_clean()
    requirement.save()
    requirement.required_certifications.set(certifications)
    requirement.related_listings.set(listings)
    requirement.invited_partners.set(invited)
    if attachments:
        attachment_services.attach(requirement=requirement, user=user, files=attachments)
    if submit:
        transition(requirement=requirement, to_state=S.PENDING_REVIEW, by=user)
    return requirement


def submit(*, requirement: Requirement, user) -> Requirement:
    if requirement.proposal_due <= timezone.now():
        raise ApplicationError(_(DUE_IN_PAST), field="proposal_due")
    return transition(requirement=requirement, to_state=S.PENDING_REVIEW, by=user)


@transaction.atomic
def approve(*, requirement: Requirement, by) -> tuple[Requirement, int]:
    """Staff approval: open the requirement and invite partners by its mode; (requirement, invited)."""
    from demand.services import routing

    requirement = transition(requirement=requirement, to_state=S.OPEN, by=by)
    return requirement, routing.invite_for_mode(requirement=requirement)


def reject(*, requirement: Requirement, by, reason: str) -> Requirement:
    return transition(requirement=requirement, to_state=S.REJECTED, by=by, reason=reason)


def cancel(*, requirement: Requirement, by, reason: str) -> Requirement:
    return transition(requirement=requirement, to_state=S.CANCELLED, by=by, reason=reason)


def expire_overdue(*, today=None) -> int:
    """Open or shortlisting requirements past their award-by date become expired."""
    today = today or timezone.localdate()
    count = 0
    for requirement in Requirement.objects.filter(state__in=VISIBLE_TO_PARTNERS, award_by__lt=today):
        transition(requirement=requirement, to_state=S.EXPIRED, reason="award-by date passed")
        count += 1
    return count


CLAIMS_FULL = gettext_noop("All %(limit)s places on this requirement are taken.")
NOT_CLAIMABLE = gettext_noop("This requirement cannot be claimed.")
ALREADY_CLAIMED = gettext_noop("You have already claimed this requirement.")


@transaction.atomic
def claim(*, requirement: Requirement, partner) -> Invitation:
    """An open-claim place for ``partner``: at most ``claim_limit`` even under concurrent claims
    (the requirement row is locked while places are counted)."""
    from demand.services import routing

    locked = Requirement.objects.select_for_update().get(pk=requirement.pk)
    if locked.mode != RequirementMode.OPEN_CLAIM or locked.state != S.OPEN:
        raise NotAllowed(_(NOT_CLAIMABLE))
    if not routing.qualified_partners(requirement=locked).filter(pk=partner.pk).exists():
        raise NotAllowed(_(NOT_CLAIMABLE))
    if Invitation.objects.filter(requirement=locked, partner=partner).exists():
        raise NotAllowed(_(ALREADY_CLAIMED))
    taken = Invitation.objects.filter(requirement=locked, source=InvitationSource.CLAIMED).count()
    if taken >= locked.claim_limit:
        raise NotAllowed(_(CLAIMS_FULL) % {"limit": locked.claim_limit})
    return Invitation.objects.create(
        requirement=locked,
        partner=partner,
        source=InvitationSource.CLAIMED,
        reasons=routing.reasons_for(locked, partner),
    )
