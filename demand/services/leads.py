"""Leads: the one write path for enquiries, replies and their states.

A signed-in customer's lead reaches the partner at once; a guest's once the e-mail link is
followed (:func:`verify_lead`). The first-response target is one business day (see
``demand.services.calendar``); the partner's first reply sets ``first_responded_at`` and moves a
new lead to *contacted*. Refusals raise :class:`core.exceptions.ApplicationError` / ``NotAllowed``.
"""

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core.exceptions import ApplicationError, NotAllowed
from demand.models import Lead, LeadMessage, LeadState
from demand.services import notify
from demand.services.calendar import lead_response_due

RATE_LIMITED = gettext_noop("Too many enquiries from you in the last hour. Please try again later.")
CONSENT_NEEDED = gettext_noop("Please agree to be contacted about your enquiry.")
LOST_NEEDS_REASON = gettext_noop("Say why the lead was lost.")
ILLEGAL_LEAD_TRANSITION = gettext_noop("A %(from)s lead cannot become %(to)s.")
EMPTY_MESSAGE = gettext_noop("Write a message.")
LEAD_CLOSED = gettext_noop("This enquiry is closed.")

LEAD_TRANSITIONS = {
    LeadState.NEW: {LeadState.CONTACTED, LeadState.QUALIFIED, LeadState.LOST},
    LeadState.CONTACTED: {LeadState.QUALIFIED, LeadState.WON, LeadState.LOST},
    LeadState.QUALIFIED: {LeadState.WON, LeadState.LOST},
    LeadState.WON: set(),
    LeadState.LOST: set(),
}
CLOSED_STATES = (LeadState.WON, LeadState.LOST)


def rate_limit_keys(*, user, ip: str | None) -> list[str]:
    keys = []
    if user is not None and user.is_authenticated:
        keys.append(f"demand:lead-rate:user:{user.pk}")
    if ip:
        keys.append(f"demand:lead-rate:ip:{ip}")
    return keys


def check_rate_limit(keys: list[str]) -> None:
    """At most ``DEMAND_LEAD_RATE_LIMIT`` (default 5) enquiries per hour per user and per IP."""
    limit = getattr(settings, "DEMAND_LEAD_RATE_LIMIT", 5)
    for key in keys:
        cache.add(key, 0, timeout=3600)
        if cache.incr(key) > limit:
            raise ApplicationError(_(RATE_LIMITED), code="rate_limited")


@transaction.atomic
def create_lead(
    *,
    partner,
    user=None,
    organisation=None,
    listing=None,
    contact_name: str,
    email: str,
    topic: str,
    message: str,
    preferred_contact: str,
    consent: bool,
    phone: str = "",
    company: str = "",
    language: str | None = None,
    ip: str | None = None,
) -> Lead:
    if not consent:
        raise ApplicationError(_(CONSENT_NEEDED), field="consent")
    check_rate_limit(rate_limit_keys(user=user, ip=ip))
    signed_in = user is not None and user.is_authenticated
    lead = Lead(
        partner=partner,
        listing=listing if listing is not None and listing.partner_id == partner.pk else None,
        customer_user=user if signed_in else None,
        customer_organisation=organisation if signed_in else None,
        contact_name=contact_name,
        email=(user.email if signed_in and not email else email).strip().lower(),
        phone=phone,
        company=company,
        topic=topic,
        message=message,
        preferred_contact=preferred_contact,
        consent=consent,
        language=notify.normalise_language(language),
    )
    lead.full_clean()
    lead.save()
    LeadMessage.objects.create(lead=lead, author=user if signed_in else None, body=message)
    if signed_in:
        _mark_verified(lead)
    else:
        transaction.on_commit(lambda: _send_verification(lead.pk))
    return lead


def _mark_verified(lead: Lead) -> None:
    now = timezone.now()
    lead.verified_at = now
    lead.first_response_due = lead_response_due(now)
    lead.save(update_fields=["verified_at", "first_response_due", "updated_at"])
    transaction.on_commit(lambda: _send_to_partner(lead.pk, "demand/email/lead_received"))


@transaction.atomic
def verify_lead(*, token: str) -> Lead | None:
    lead = Lead.objects.select_for_update().filter(verify_token=token).first()
    if lead is None:
        return None
    if lead.verified_at is None:
        _mark_verified(lead)
    return lead


def _send_verification(lead_id: int) -> None:
    lead = Lead.objects.select_related("partner__organisation").get(pk=lead_id)
    language = lead.language
    from core.emails import send_templated

    send_templated(
        "demand/email/lead_verify",
        queue=True,
        to=[lead.email],
        language=language,
        context={
            "lead": lead,
            "url": notify.url_in(language, "demand:lead-verify", token=lead.verify_token),
        },
    )


def _send_to_partner(lead_id: int, template: str) -> int:
    lead = Lead.objects.select_related("partner__organisation", "listing").get(pk=lead_id)
    return notify.send_to_users(
        template,
        notify.partner_managers(lead.partner),
        lambda language: {
            "lead": lead,
            "url": notify.url_in(language, "demand:inbox-detail", public_id=lead.public_id),
        },
    )


def _send_to_customer(lead_id: int, body: str) -> int:
    from core.emails import send_templated

    lead = Lead.objects.select_related("partner__organisation", "customer_user").get(pk=lead_id)
    if lead.customer_user_id:
        language = notify.language_of(lead.customer_user)
        url = notify.url_in(language, "demand:my-enquiry", public_id=lead.public_id)
    else:
        language = lead.language
        url = ""
    return send_templated(
        "demand/email/lead_reply",
        queue=True,
        to=[lead.email],
        language=language,
        context={"lead": lead, "body": body, "url": url},
    )


@transaction.atomic
def reply(*, lead: Lead, user, body: str, from_partner: bool) -> LeadMessage:
    """A message in the thread; the partner's first one is the first response."""
    body = (body or "").strip()
    if not body:
        raise ApplicationError(_(EMPTY_MESSAGE), field="body")
    lead = Lead.objects.select_for_update().get(pk=lead.pk)
    if lead.state in CLOSED_STATES and not from_partner:
        raise NotAllowed(_(LEAD_CLOSED))
    message = LeadMessage.objects.create(lead=lead, author=user, from_partner=from_partner, body=body)
    if from_partner:
        fields = ["updated_at"]
        if lead.first_responded_at is None:
            lead.first_responded_at = message.created_at
            fields.append("first_responded_at")
        if lead.state == LeadState.NEW:
            lead.state = LeadState.CONTACTED
            fields.append("state")
        lead.save(update_fields=fields)
        transaction.on_commit(lambda: _send_to_customer(lead.pk, body))
    else:
        lead.save(update_fields=["updated_at"])
        transaction.on_commit(lambda: _send_to_partner(lead.pk, "demand/email/lead_message"))
    return message


@transaction.atomic
def change_state(*, lead: Lead, to_state: str, reason: str = "", user=None) -> Lead:
    lead = Lead.objects.select_for_update().get(pk=lead.pk)
    if to_state not in LEAD_TRANSITIONS.get(lead.state, set()):
        raise NotAllowed(
            _(ILLEGAL_LEAD_TRANSITION)
            % {
                "from": LeadState(lead.state).label,
                "to": LeadState(to_state).label if to_state in LeadState.values else to_state,
            }
        )
    reason = (reason or "").strip()
    if to_state == LeadState.LOST and not reason:
        raise ApplicationError(_(LOST_NEEDS_REASON), field="reason")
    lead.state = to_state
    lead.lost_reason = reason if to_state == LeadState.LOST else ""
    fields = ["state", "lost_reason", "updated_at"]
    if lead.first_responded_at is None:
        lead.first_responded_at = timezone.now()  # acting on the lead is responding to it
        fields.append("first_responded_at")
    if to_state in CLOSED_STATES:
        lead.closed_at = timezone.now()
        fields.append("closed_at")
    lead.save(update_fields=fields)
    return lead


def send_overdue_reminders(*, now=None) -> int:
    """Remind the partner's managers once of every lead past its first-response target."""
    now = now or timezone.now()
    ids = list(
        Lead.objects.filter(
            verified_at__isnull=False, first_responded_at=None, reminded_at=None, first_response_due__lt=now
        ).values_list("pk", flat=True)
    )
    for lead_id in ids:
        _send_to_partner(lead_id, "demand/email/lead_overdue")
    Lead.objects.filter(pk__in=ids).update(reminded_at=now)
    return len(ids)
