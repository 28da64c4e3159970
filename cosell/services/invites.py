"""Co-sell between partners: the owner of an approved registration invites another partner onto
the deal; the invited partner accepts or declines. Accepted partners see the deal read-only."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from core.exceptions import NotAllowed
from cosell.models import CoSellInvite, DealRegistration, Status
from partners.models import Partner

ONLY_OPEN_DEALS = gettext_lazy("Only an approved registration can bring in another partner.")
NOT_YOURSELF = gettext_lazy("Invite another partner, not your own organisation.")
ALREADY_INVITED = gettext_lazy("This partner has already been invited to this deal.")
UNKNOWN_PARTNER = gettext_lazy("No active partner has this directory address.")
ALREADY_ANSWERED = gettext_lazy("This invitation has already been answered.")


@transaction.atomic
def invite(*, registration: DealRegistration, partner_slug: str, user, message: str = "") -> CoSellInvite:
    if registration.status != Status.APPROVED:
        raise NotAllowed(ONLY_OPEN_DEALS)
    partner = (
        Partner.objects.filter(organisation__slug=(partner_slug or "").strip(), status=Partner.Status.ACTIVE)
        .select_related("organisation")
        .first()
    )
    if partner is None:
        raise NotAllowed(UNKNOWN_PARTNER, field="partner")
    if partner.pk == registration.partner_id:
        raise NotAllowed(NOT_YOURSELF, field="partner")
    if CoSellInvite.objects.filter(registration=registration, partner=partner).exists():
        raise NotAllowed(ALREADY_INVITED, field="partner")
    return CoSellInvite.objects.create(
        registration=registration, partner=partner, invited_by=user, message=message
    )


@transaction.atomic
def answer(*, invite: CoSellInvite, accept: bool) -> CoSellInvite:
    invite = CoSellInvite.objects.select_for_update().get(pk=invite.pk)
    if invite.status != CoSellInvite.Status.PENDING:
        raise NotAllowed(ALREADY_ANSWERED)
    invite.status = CoSellInvite.Status.ACCEPTED if accept else CoSellInvite.Status.DECLINED
    invite.answered_at = timezone.now()
    invite.save()
    return invite
