"""Reads about people and organisations. ``get_*_for_user`` return the object or raise 404."""

from django.db.models import Case, IntegerField, Value, When
from django.http import Http404
from django.utils import timezone

from accounts.models import Invitation, Membership, Organisation, Role

SESSION_KEY = "active_organisation_id"
INVITATION_SESSION_KEY = "accounts_invitation_token"

ROLE_ORDER = Case(
    When(role=Role.OWNER, then=Value(0)),
    When(role=Role.ADMIN, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)


def memberships_for(user):
    if not user.is_authenticated:
        return Membership.objects.none()
    return Membership.objects.filter(user=user).select_related("organisation").order_by("organisation__name")


def active_membership(request):
    """The membership chosen in the session, else the user's first one, else None."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    memberships = memberships_for(user)
    chosen = request.session.get(SESSION_KEY)
    if chosen:
        membership = memberships.filter(organisation_id=chosen).first()
        if membership:
            return membership
    return memberships.first()


def get_membership_for_user(user, organisation_slug: str) -> Membership:
    """The user's membership of that organisation, or 404 (never 403 with details).

    Staff are no exception: they look at organisations in the Wagtail admin."""
    membership = memberships_for(user).filter(organisation__slug=organisation_slug).first()
    if membership is None:
        raise Http404
    return membership


def get_organisation_for_user(user, organisation_slug: str) -> Organisation:
    return get_membership_for_user(user, organisation_slug).organisation


def members_of(organisation: Organisation):
    return (
        Membership.objects.filter(organisation=organisation)
        .select_related("user")
        .annotate(role_order=ROLE_ORDER)
        .order_by("role_order", "user__display_name", "user__email")
    )


def get_member_of(organisation: Organisation, public_id) -> Membership:
    """A membership of ``organisation`` by its public id, or 404 (never one of another org)."""
    membership = Membership.objects.filter(organisation=organisation, public_id=public_id).first()
    if membership is None:
        raise Http404
    return membership


def pending_invitations_of(organisation: Organisation):
    return Invitation.objects.filter(
        organisation=organisation, accepted_at=None, revoked_at=None, expires_at__gt=timezone.now()
    ).select_related("invited_by")


def get_invitation_of(organisation: Organisation, public_id) -> Invitation:
    invitation = Invitation.objects.filter(organisation=organisation, public_id=public_id).first()
    if invitation is None:
        raise Http404
    return invitation


def verified_emails_of(user) -> list[str]:
    from allauth.account.models import EmailAddress

    return list(EmailAddress.objects.filter(user=user, verified=True).values_list("email", flat=True))


def pending_invitations_for(user):
    """Usable invitations addressed to one of the user's verified email addresses."""
    emails = [email.lower() for email in verified_emails_of(user)]  # invitations store lower case
    return (
        Invitation.objects.filter(email__in=emails)
        .filter(accepted_at=None, revoked_at=None, expires_at__gt=timezone.now())
        .exclude(organisation__memberships__user=user)
        .select_related("organisation", "invited_by")
        .order_by("-created_at")
    )


def get_invitation_by_token(token: str) -> Invitation | None:
    if not token:
        return None
    return Invitation.objects.select_related("organisation", "invited_by").filter(token=token).first()


def invitation_in_session(request) -> Invitation | None:
    """The usable invitation whose link was opened in this session (for sign-up), if any."""
    invitation = get_invitation_by_token(request.session.get(INVITATION_SESSION_KEY, ""))
    if invitation is not None and invitation.is_usable:
        return invitation
    return None
