"""E-mails to a partner about staff decisions on its registrations: approved, rejected (with the
coded reason), action required (with the fields to fix) and the outcome of a conflict. Each of the
partner's owners and admins gets one message in their own language with an absolute link. A
conflict outcome never carries the staff's free-text reason: it may name the other partner."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils import translation

from accounts.models import MANAGER_ROLES, Membership
from core.emails import absolute_url, send_templated
from cosell.models import DealRegistration, RejectReason, Status

DECISION_TEMPLATE = "cosell/email/decision"


def language_of(user) -> str:
    profile = getattr(user, "wagtail_userprofile", None)
    language = (getattr(profile, "preferred_language", "") if profile else "") or settings.LANGUAGE_CODE
    return "en" if language.startswith("en") else "zh-hans"


def partner_managers(partner):
    return [
        m.user
        for m in Membership.objects.filter(organisation_id=partner.organisation_id, role__in=MANAGER_ROLES)
        .select_related("user", "user__wagtail_userprofile")
        .order_by("pk")
        if m.user.email and m.user.is_active
    ]


def send_decision(registration_pk: int, *, resolution: str = "", fields=()) -> int:
    """Tell the partner what staff decided; ``resolution`` set when it settled a conflict."""
    registration = DealRegistration.objects.select_related("partner").get(pk=registration_pk)
    if registration.status not in (Status.APPROVED, Status.REJECTED, Status.ACTION_REQUIRED):
        return 0
    sent = 0
    for user in partner_managers(registration.partner):
        language = language_of(user)
        with translation.override(language):
            url = absolute_url(reverse("cosell:detail", kwargs={"public_id": registration.public_id}))
            field_names = [str(DealRegistration._meta.get_field(f).verbose_name) for f in fields]
            reason = str(RejectReason(registration.reject_reason).label) if registration.reject_reason else ""
        context = {
            "registration": registration,
            "decision": registration.status,
            "conflict": bool(resolution) or registration.reject_reason == RejectReason.TRANSFERRED,
            "resolution": resolution,
            "reason": reason,
            # Free text only outside conflicts: a conflict's reason may name the other partner.
            "note": "" if resolution else registration.decision_note,
            "fields": field_names,
            "url": url,
        }
        sent += send_templated(
            DECISION_TEMPLATE, to=[user.email], context=context, language=language, queue=True
        )
    return sent
