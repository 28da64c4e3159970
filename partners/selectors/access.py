"""Request → partner: the one place that answers "which partner is this request acting for".

Like healthchecks' ``_get_project_for_user``: views call :func:`get_partner_for_request_or_404`
and never see another organisation's partner. The partner is the active organisation's (see
``accounts.selectors.active_membership``); a user who is not acting for a partner gets a 404.
"""

from django.http import Http404

from accounts.selectors import active_membership
from partners.models import Partner


def partner_for_request(request) -> Partner | None:
    """The active organisation's partner, or None when the active membership is not a partner's."""
    membership = active_membership(request)
    if membership is None:
        return None
    return (
        Partner.objects.select_related("organisation", "tier")
        .filter(organisation_id=membership.organisation_id)
        .first()
    )


def get_partner_for_request_or_404(request) -> Partner:
    partner = partner_for_request(request)
    if partner is None:
        raise Http404
    return partner


def membership_role(request) -> str | None:
    """The role (owner / admin / member) of the active membership, or None."""
    membership = active_membership(request)
    return membership.role if membership is not None else None
