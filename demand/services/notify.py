"""Who hears about demand events and in which language (e-mails go through core.emails)."""

from django.conf import settings
from django.urls import reverse
from django.utils import translation

from accounts.models import MANAGER_ROLES, Membership
from core.emails import absolute_url, send_templated


def language_of(user) -> str:
    profile = getattr(user, "wagtail_userprofile", None)
    language = (getattr(profile, "preferred_language", "") if profile else "") or settings.LANGUAGE_CODE
    return "en" if language.startswith("en") else "zh-hans"


def normalise_language(language: str | None) -> str:
    return "en" if (language or "").startswith("en") else "zh-hans"


def url_in(language: str, name: str, **kwargs) -> str:
    with translation.override(language):
        return absolute_url(reverse(name, kwargs=kwargs or None))


def partner_managers(partner):
    return organisation_managers(partner.organisation_id)


def organisation_managers(organisation_id):
    return [
        m.user
        for m in Membership.objects.filter(organisation_id=organisation_id, role__in=MANAGER_ROLES)
        .select_related("user", "user__wagtail_userprofile")
        .order_by("pk")
        if m.user.email and m.user.is_active
    ]


def send_to_users(template: str, users, context_for) -> int:
    """One message per user, in that user's language; ``context_for(language)`` builds the context."""
    sent = 0
    for user in users:
        language = language_of(user)
        sent += send_templated(
            template, to=[user.email], context=context_for(language), language=language, queue=True
        )
    return sent
