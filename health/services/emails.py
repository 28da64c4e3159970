"""The at-risk email to the programme managers, one per person in their language, through
``core.emails.send_templated`` (absolute link to the at-risk report)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation

from core.emails import absolute_url, send_templated
from health.models import AtRiskFlag, HealthDimension
from health.selectors import scores

PROGRAMME_MANAGERS_GROUP = "Programme managers"
AT_RISK_TEMPLATE = "health/emails/at_risk"  # _subject.txt, _message.txt


def programme_managers():
    """Active members of the "Programme managers" group, with their Wagtail profile (language)."""
    return (
        get_user_model()
        .objects.filter(groups__name=PROGRAMME_MANAGERS_GROUP, is_active=True)
        .exclude(email="")
        .select_related("wagtail_userprofile")
        .distinct()
        .order_by("pk")
    )


def _language_of(user) -> str:
    profile = getattr(user, "wagtail_userprofile", None)
    language = (profile.preferred_language if profile else "") or settings.LANGUAGE_CODE
    return "en" if language.startswith("en") else "zh-hans"


def send_at_risk_email(*, flag_ids: list[int]) -> int:
    """One email per programme manager, in their language, listing the new flags; each flag is
    emailed once (``notified_at``, set in the same transaction as the sending: a failed send
    leaves the flags to the task's retry). The report link is absolute (``SITE_URL``)."""
    report_url = absolute_url(reverse("health_model:at_risk"))
    sent = 0
    with transaction.atomic():
        flags = list(
            AtRiskFlag.objects.select_for_update(of=("self",))
            .filter(pk__in=flag_ids, notified_at__isnull=True)
            .select_related("partner__organisation")
            .order_by("composite", "pk")
        )
        if not flags:
            return 0
        scores.attach_to_flags(flags)  # the figures the dashboard shows
        for user in programme_managers():
            language = _language_of(user)
            with translation.override(language):
                rows: dict[int, dict] = {}
                for flag in flags:
                    row = rows.setdefault(flag.partner_id, {"flag": flag, "drop": False, "floor": False})
                    row[flag.cause] = True
                    dim = (flag.cause_detail or {}).get("dimension")
                    if dim in HealthDimension.values:
                        row["dimension"] = str(HealthDimension(dim).label)
            sent += send_templated(
                AT_RISK_TEMPLATE,
                to=[user.email],
                context={"rows": list(rows.values()), "user": user, "report_url": report_url},
                language=language,
            )
        AtRiskFlag.objects.filter(pk__in=[f.pk for f in flags]).update(notified_at=timezone.now())
    return sent
