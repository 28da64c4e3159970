"""The review target: staff decide a registration within one business day of its submission
(Asia/Shanghai business days, ``core.calendar``). Registrations in review past the target head
the staff queue, and programme managers get them by e-mail once (``cosell.escalate_reviews``)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from core.calendar import add_business_days
from core.emails import absolute_url, send_templated
from cosell.models import DealRegistration, Status
from cosell.services.notify import language_of
from health.services.emails import programme_managers

ESCALATION_TEMPLATE = "cosell/email/reviews_overdue"


def review_target_days() -> int:
    return getattr(settings, "COSELL_REVIEW_BUSINESS_DAYS", 1)


def review_due(submitted_at):
    return add_business_days(submitted_at, review_target_days())


def overdue(*, now=None) -> list[DealRegistration]:
    """Registrations in review past the target, the oldest first."""
    now = now or timezone.now()
    candidates = (
        DealRegistration.objects.filter(
            status=Status.IN_REVIEW, submitted_at__lte=now - timedelta(days=review_target_days())
        )
        .select_related("partner__organisation", "partner__tier")
        .order_by("submitted_at")
    )
    return [r for r in candidates if review_due(r.submitted_at) <= now]


def escalate(*, now=None) -> int:
    """E-mail programme managers the overdue registrations not escalated before; each once."""
    now = now or timezone.now()
    pks = [r.pk for r in overdue(now=now) if r.review_escalated_at is None]
    if not pks:
        return 0
    with transaction.atomic():
        registrations = list(
            DealRegistration.objects.select_for_update(of=("self",))
            .filter(pk__in=pks, review_escalated_at__isnull=True)
            .select_related("partner__organisation")
            .order_by("submitted_at")
        )
        if not registrations:
            return 0
        DealRegistration.objects.filter(pk__in=[r.pk for r in registrations]).update(review_escalated_at=now)
        rows = [
            {
                "registration": r,
                "url": absolute_url(reverse("cosell_admin:decide", args=[r.pk])),
                "due": review_due(r.submitted_at),
            }
            for r in registrations
        ]
        queue_url = absolute_url(reverse("cosell_admin:queue"))
        for user in programme_managers():
            language = language_of(user)
            context = {"rows": rows, "queue_url": queue_url, "user": user}
            transaction.on_commit(
                lambda user=user, language=language, context=context: send_templated(
                    ESCALATION_TEMPLATE, to=[user.email], context=context, language=language
                )
            )
    return len(registrations)
