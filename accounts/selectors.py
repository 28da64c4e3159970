from django.http import Http404

from accounts.models import Membership, Organisation

SESSION_KEY = "active_organisation_id"


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
    """The user's membership of that organisation, or 404 (never 403 with details)."""
    membership = memberships_for(user).filter(organisation__slug=organisation_slug).first()
    if membership is None:
        raise Http404
    return membership


def get_organisation_for_user(user, organisation_slug: str) -> Organisation:
    return get_membership_for_user(user, organisation_slug).organisation
