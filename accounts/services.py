"""Writes about people and organisations: sign-up, invitations, roles, leaving.

Rules, in one place:

- Owners and admins manage members. Only an owner may grant, change or remove the owner
  role; admins manage admins and members.
- An organisation always keeps at least one owner: the last owner cannot leave, be
  removed or be demoted.
- An invitation is single use and expires. A signed-in user accepts it only if the
  invited address is one of their *verified* email addresses. At sign-up the token itself
  is the proof: it was mailed to that address, so signing up with the invited address
  (and only that one) joins the organisation and counts as verifying the address.

Every failure raises ``ValidationError`` with one of the messages below and writes nothing.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import MANAGER_ROLES, Invitation, Membership, Organisation, Role
from core.tasks import enqueue_on_commit

NOT_A_MANAGER = _("Only owners and admins of this organisation can manage its members.")
OWNER_ONLY = _("Only an owner can grant, change or remove the owner role.")
LAST_OWNER_LEAVE = _("You are the last owner. Make another member an owner before you leave.")
LAST_OWNER_REMOVE = _("The last owner cannot be removed. Make another member an owner first.")
LAST_OWNER_DEMOTE = _("The last owner cannot be demoted. Make another member an owner first.")
NOT_A_MEMBER = _("That person is not a member of this organisation.")
ALREADY_MEMBER = _("%(email)s is already a member of this organisation.")
ALREADY_INVITED = _("%(email)s already has a pending invitation. Revoke it to send a new one.")
INVITATION_INVALID = _("This invitation link is not valid. Check the link or ask for a new invitation.")
INVITATION_EXPIRED = _("This invitation has expired. Ask the organisation for a new one.")
INVITATION_USED = _("This invitation has already been used.")
INVITATION_REVOKED = _("This invitation has been withdrawn by the organisation.")
INVITATION_NOT_PENDING = _("Only pending invitations can be revoked.")
INVITATION_EMAIL_MISMATCH = _(
    "This invitation was sent to %(email)s. Add and verify that address in your email "
    "settings, then accept the invitation."
)
INVITATION_SIGNUP_EMAIL_MISMATCH = _(
    "This invitation was sent to %(email)s. Sign up with that address to join %(organisation)s."
)
YOU_ARE_ALREADY_A_MEMBER = _("You are already a member of %(organisation)s.")


# --- Organisations -------------------------------------------------------------------
@transaction.atomic
def create_organisation(*, name: str, kind: str, owner, name_en: str = "") -> Organisation:
    org = Organisation(name=name, name_en=name_en, kind=kind, slug=Organisation.unique_slug(name_en or name))
    org.full_clean()
    org.save()
    membership = Membership(user=owner, organisation=org, role=Role.OWNER)
    membership.full_clean()
    membership.save()
    return org


def default_organisation_name(user) -> str:
    return user.display_name or user.get_full_name() or user.email.split("@")[0]


@transaction.atomic
def complete_signup(*, user, organisation_name: str = "", invitation_token: str | None = None) -> Membership:
    """After allauth has created ``user``: join the inviting organisation when the sign-up
    came through a usable invitation to the same address, else create a customer
    organisation owned by the new user."""
    if invitation_token:
        invitation = _lock_invitation(invitation_token)
        if invitation is not None and invitation.is_usable:
            if not _same_email(invitation.email, user.email):
                raise ValidationError(
                    INVITATION_SIGNUP_EMAIL_MISMATCH,
                    code="email_mismatch",
                    params={"email": invitation.email, "organisation": invitation.organisation},
                )
            return _join(invitation=invitation, user=user)
    name = (organisation_name or "").strip() or default_organisation_name(user)
    org = create_organisation(name=name, kind=Organisation.Kind.CUSTOMER, owner=user)
    return org.memberships.get(user=user)


# --- Invitations ---------------------------------------------------------------------
@transaction.atomic
def invite_member(
    *, organisation: Organisation, invited_by, email: str, role: str, language: str = ""
) -> Invitation:
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    actor = _manager_membership(actor=invited_by, organisation=organisation)
    if role == Role.OWNER and actor.role != Role.OWNER:
        raise ValidationError(OWNER_ONLY, code="owner_only")
    email = email.strip().lower()
    if organisation.memberships.filter(
        Q(user__email__iexact=email)
        | Q(user__emailaddress__email__iexact=email, user__emailaddress__verified=True)
    ).exists():
        raise ValidationError(ALREADY_MEMBER, code="already_member", params={"email": email})
    pending = organisation.invitations.filter(
        email__iexact=email, accepted_at=None, revoked_at=None, expires_at__gt=timezone.now()
    )
    if pending.exists():
        raise ValidationError(ALREADY_INVITED, code="already_invited", params={"email": email})
    invitation = Invitation(organisation=organisation, invited_by=invited_by, email=email, role=role)
    if language:
        invitation.language = language
    invitation.full_clean()
    invitation.save()

    enqueue_on_commit("accounts.tasks.send_invitation_email", invitation.pk)
    return invitation


@transaction.atomic
def accept_invitation(*, token: str, user) -> Membership:
    """A signed-in user accepts: the invited address must be one of their verified ones."""
    invitation = _usable_invitation(token)
    if not _has_verified_email(user, invitation.email):
        raise ValidationError(
            INVITATION_EMAIL_MISMATCH, code="email_mismatch", params={"email": invitation.email}
        )
    return _join(invitation=invitation, user=user)


@transaction.atomic
def revoke_invitation(*, actor, invitation: Invitation) -> Invitation:
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    membership = _manager_membership(actor=actor, organisation=invitation.organisation)
    if invitation.role == Role.OWNER and membership.role != Role.OWNER:
        raise ValidationError(OWNER_ONLY, code="owner_only")
    if not invitation.is_pending:
        raise ValidationError(INVITATION_NOT_PENDING, code="not_pending")
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at", "updated_at"])
    return invitation


# --- Members -------------------------------------------------------------------------
@transaction.atomic
def change_role(*, actor, membership: Membership, role: str) -> Membership:
    owners = _lock_owners(membership.organisation_id)
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    actor_membership = _manager_membership(actor=actor, organisation=membership.organisation)
    if Role.OWNER in (role, membership.role) and actor_membership.role != Role.OWNER:
        raise ValidationError(OWNER_ONLY, code="owner_only")
    if membership.role == Role.OWNER and role != Role.OWNER and len(owners) <= 1:
        raise ValidationError(LAST_OWNER_DEMOTE, code="last_owner")
    membership.role = role
    membership.full_clean()
    membership.save(update_fields=["role", "updated_at"])
    return membership


@transaction.atomic
def remove_member(*, actor, membership: Membership) -> None:
    owners = _lock_owners(membership.organisation_id)
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    actor_membership = _manager_membership(actor=actor, organisation=membership.organisation)
    if membership.role == Role.OWNER:
        if actor_membership.role != Role.OWNER:
            raise ValidationError(OWNER_ONLY, code="owner_only")
        if len(owners) <= 1:
            raise ValidationError(LAST_OWNER_REMOVE, code="last_owner")
    membership.delete()


@transaction.atomic
def leave_organisation(*, user, organisation: Organisation) -> None:
    owners = _lock_owners(organisation.pk)
    membership = Membership.objects.select_for_update().filter(user=user, organisation=organisation).first()
    if membership is None:
        raise ValidationError(NOT_A_MEMBER, code="not_a_member")
    if membership.role == Role.OWNER and len(owners) <= 1:
        raise ValidationError(LAST_OWNER_LEAVE, code="last_owner")
    membership.delete()


# --- Helpers -------------------------------------------------------------------------
def _same_email(a: str, b: str) -> bool:
    return (a or "").strip().lower() == (b or "").strip().lower()


def _has_verified_email(user, email: str) -> bool:
    from allauth.account.models import EmailAddress

    return EmailAddress.objects.filter(user=user, email__iexact=email, verified=True).exists()


def _manager_membership(*, actor, organisation: Organisation) -> Membership:
    membership = Membership.objects.filter(user=actor, organisation=organisation).first()
    if membership is None or membership.role not in MANAGER_ROLES:
        raise ValidationError(NOT_A_MANAGER, code="not_a_manager")
    return membership


def _lock_owners(organisation_id) -> list[int]:
    """Lock the organisation's owner rows so two requests cannot remove the last two owners."""
    return list(
        Membership.objects.select_for_update()
        .filter(organisation_id=organisation_id, role=Role.OWNER)
        .values_list("pk", flat=True)
    )


def _lock_invitation(token: str) -> Invitation | None:
    if not token:
        return None
    return Invitation.objects.select_for_update().select_related("organisation").filter(token=token).first()


def invitation_problem(invitation: Invitation | None):
    """The message explaining why ``invitation`` cannot be accepted, or None if it can."""
    if invitation is None:
        return INVITATION_INVALID
    if invitation.revoked_at is not None:
        return INVITATION_REVOKED
    if invitation.accepted_at is not None:
        return INVITATION_USED
    if invitation.is_expired:
        return INVITATION_EXPIRED
    return None


def _usable_invitation(token: str) -> Invitation:
    invitation = _lock_invitation(token)
    problem = invitation_problem(invitation)
    if problem is not None:
        raise ValidationError(problem, code="invitation_unusable")
    return invitation


def _join(*, invitation: Invitation, user) -> Membership:
    organisation = invitation.organisation
    if Membership.objects.filter(user=user, organisation=organisation).exists():
        raise ValidationError(
            YOU_ARE_ALREADY_A_MEMBER, code="already_member", params={"organisation": organisation}
        )
    membership = Membership(user=user, organisation=organisation, role=invitation.role)
    membership.full_clean()
    membership.save()
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by", "updated_at"])
    return membership
