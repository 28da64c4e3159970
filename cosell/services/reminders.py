"""Reminders before protection ends: 14, 7 and 1 days ahead, each once per registration (daily
beat task). The partner's owners and admins get one e-mail in the site's language."""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import MANAGER_ROLES
from core.emails import absolute_url, send_templated
from cosell.models import DealRegistration, Status

REMINDER_DAYS = (14, 7, 1)


def _due_threshold(days_left: int) -> int | None:
    """The smallest reminder threshold at or above ``days_left`` (None when further away)."""
    candidates = [d for d in REMINDER_DAYS if days_left <= d]
    return min(candidates) if candidates else None


def remind_expiring(*, today=None) -> int:
    today = today or timezone.localdate()
    horizon = today + timezone.timedelta(days=max(REMINDER_DAYS))
    sent = 0
    due = DealRegistration.objects.filter(
        status=Status.APPROVED, protection_until__gte=today, protection_until__lte=horizon
    ).values_list("pk", "protection_until", "reminded_days")
    for pk, until, reminded in due:
        threshold = _due_threshold((until - today).days)
        if threshold is None or (reminded is not None and reminded <= threshold):
            continue
        with transaction.atomic():
            registration = (
                DealRegistration.objects.select_for_update()
                .select_related("partner__organisation")
                .get(pk=pk)
            )
            if registration.reminded_days is not None and registration.reminded_days <= threshold:
                continue
            registration.reminded_days = threshold
            registration.save(update_fields=["reminded_days", "updated_at"])
            to = list(
                registration.partner.organisation.memberships.filter(role__in=MANAGER_ROLES).values_list(
                    "user__email", flat=True
                )
            )
            context = {
                "registration": registration,
                "days": (until - today).days,
                "url": absolute_url(reverse("cosell:detail", kwargs={"public_id": registration.public_id})),
            }
            transaction.on_commit(
                lambda to=to, context=context: send_templated(
                    "cosell/email/protection_ending", to=to, context=context
                )
            )
            sent += 1
    return sent
