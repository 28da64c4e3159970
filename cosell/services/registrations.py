"""The life of a deal registration: the one write path for its status.

Partners create and edit drafts, submit them, close approved deals as won or lost and ask once
for a longer protection. On submit the conflict check runs under a lock on the customer's
blocking keys, so of two partners registering the same customer at the same moment the first
to reach the server wins: it is approved (when its tier allows auto-approval) and the second is
held for staff with *"an existing registration covers this customer"* — never whose.
Staff approve, reject with a coded reason, ask for action, settle conflicts (approve, reject,
share, transfer) and decide extensions. Every change is a ``Transition`` row and a Wagtail log
entry.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from core.exceptions import NotAllowed
from core.money import quantize
from cosell.models import (
    Conflict,
    DealRegistration,
    KnownAccount,
    LostReason,
    ProtectionRule,
    RejectReason,
    Status,
    Transition,
)
from cosell.services import conflicts as conflict_service
from cosell.services import funded, notify

MAX_LISTINGS = 10
MAX_CLOSE_DAYS = 180
DEFAULT_PROTECTION_DAYS = 90
DEFAULT_EXTENSION_DAYS = 30

HELD_MESSAGE = gettext_lazy(
    "An existing registration covers this customer. Our team will review it within one business day."
)
NOT_ALLOWED = gettext_lazy("This registration cannot be changed in its current state (%(status)s).")
FIELDS_LOCKED = gettext_lazy("These fields cannot be changed now: %(fields)s.")
NEED_LISTINGS = gettext_lazy("Choose between 1 and %(max)s listings.")
NEED_NAME = gettext_lazy("Give the customer's Chinese or English name.")
CLOSE_TOO_LATE = gettext_lazy("The expected close must be within %(days)s days from today.")
CLOSE_IN_PAST = gettext_lazy("The expected close cannot be in the past.")
VALUE_POSITIVE = gettext_lazy("The estimated value must be more than zero.")
REASON_REQUIRED = gettext_lazy("Give a reason for this decision.")
EXTENSION_ONCE = gettext_lazy("Protection can be extended once, and only for an approved registration.")
NO_PENDING_EXTENSION = gettext_lazy("No extension request is waiting for a decision.")
NOT_A_CONFLICT = gettext_lazy("This registration is not held for a conflict.")
UNKNOWN_FIELDS = gettext_lazy("These fields cannot be asked for: %(fields)s.")
CANNOT_SHARE_ACCOUNT = gettext_lazy(
    "A direct account or an existing customer cannot be shared or transferred; approve or reject."
)

ALLOWED = {
    Status.DRAFT: {Status.SUBMITTED},
    Status.SUBMITTED: {Status.APPROVED, Status.IN_REVIEW},
    Status.IN_REVIEW: {Status.APPROVED, Status.REJECTED, Status.ACTION_REQUIRED},
    Status.ACTION_REQUIRED: {Status.SUBMITTED, Status.REJECTED},
    Status.APPROVED: {Status.WON, Status.LOST, Status.EXPIRED, Status.REJECTED},
}

CUSTOMER_FIELDS = (
    "customer_name",
    "customer_name_en",
    "customer_uscc",
    "customer_domain",
    "customer_region",
    "customer_industry",
    "customer_size",
)
DEAL_FIELDS = (
    "contact_name",
    "contact_email",
    "contact_phone",
    "listings",
    "estimated_value",
    "currency",
    "expected_close",
    "stage",
    "notes",
    "fund_request_ref",
)
ALL_FIELDS = CUSTOMER_FIELDS + DEAL_FIELDS
# Action required (AWS ACE): the customer's identity stays as submitted; the rest may be fixed.
ACTION_REQUIRED_FIELDS = tuple(f for f in ALL_FIELDS if f not in ("customer_name", "customer_name_en"))
# An approved deal keeps its pipeline figures current.
APPROVED_FIELDS = (
    "stage",
    "estimated_value",
    "expected_close",
    "notes",
    "contact_name",
    "contact_email",
    "fund_request_ref",
)
EDITABLE = {
    Status.DRAFT: ALL_FIELDS,
    Status.ACTION_REQUIRED: ACTION_REQUIRED_FIELDS,
    Status.APPROVED: APPROVED_FIELDS,
}


def _log(registration, action: str, user, data: dict) -> None:
    from wagtail.log_actions import log

    log(instance=registration, action=action, user=user, data=data)


def transition(
    registration: DealRegistration, to: str, *, actor=None, code: str = "", note: str = ""
) -> None:
    """Move to ``to`` or raise ``NotAllowed``; records the change. The caller saves."""
    current = registration.status
    if to not in ALLOWED.get(current, ()):
        raise NotAllowed(NOT_ALLOWED % {"status": registration.get_status_display()}, code="bad_transition")
    registration.status = to
    Transition.objects.create(
        registration=registration, from_status=current, to_status=to, actor=actor, code=code, note=note
    )
    _log(registration, "cosell.transition", actor, {"from": current, "to": to, "code": code, "note": note})
    funded.announce_pipeline(registration)


def protection_rule(partner) -> ProtectionRule:
    """The most specific rule for the partner's kind and tier (defaults when staff set none)."""
    rules = {r.tier_id: r for r in ProtectionRule.objects.filter(partner_kind=partner.kind)}
    return (
        rules.get(partner.tier_id)
        or rules.get(None)
        or ProtectionRule(
            partner_kind=partner.kind,
            protection_days=DEFAULT_PROTECTION_DAYS,
            extension_days=DEFAULT_EXTENSION_DAYS,
            auto_approve=True,
        )
    )


# --- validation --------------------------------------------------------------------------------
def validate(registration: DealRegistration, *, listings) -> None:
    """Field rules beyond the model's: raises one ``ValidationError`` keyed by field."""
    errors = {}
    try:
        registration.full_clean(exclude=["partner", "created_by"])
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if not (registration.customer_name.strip() or registration.customer_name_en.strip()):
        errors.setdefault("customer_name", []).append(str(NEED_NAME))
    count = len(listings)
    if not 1 <= count <= MAX_LISTINGS:
        errors.setdefault("listings", []).append(str(NEED_LISTINGS % {"max": MAX_LISTINGS}))
    today = timezone.localdate()
    close = registration.expected_close
    if close and close > today + timedelta(days=MAX_CLOSE_DAYS):
        errors.setdefault("expected_close", []).append(str(CLOSE_TOO_LATE % {"days": MAX_CLOSE_DAYS}))
    if close and close < today and registration.status in (Status.DRAFT, Status.ACTION_REQUIRED):
        errors.setdefault("expected_close", []).append(str(CLOSE_IN_PAST))
    if registration.estimated_value is not None and registration.estimated_value <= 0:
        errors.setdefault("estimated_value", []).append(str(VALUE_POSITIVE))
    if errors:
        raise ValidationError(errors)


NULLABLE_FIELDS = ("customer_region", "customer_industry", "estimated_value", "expected_close")


def _apply(registration: DealRegistration, data: dict) -> list:
    listings = data.get("listings")
    for field, value in data.items():
        if field == "listings":
            continue
        if value is None and field not in NULLABLE_FIELDS:
            value = ""
        setattr(registration, field, value.strip() if isinstance(value, str) else value)
    if registration.estimated_value is not None and registration.currency:
        registration.estimated_value = quantize(Decimal(registration.estimated_value), registration.currency)
    if registration.customer_uscc:
        registration.customer_uscc = registration.customer_uscc.upper().replace(" ", "")
    return list(listings) if listings is not None else list(registration.listings.all())


@transaction.atomic
def create_registration(*, partner, user, data: dict) -> DealRegistration:
    """A draft; ``data`` holds the fields of ``ALL_FIELDS`` (``listings`` a list of pages)."""
    registration = DealRegistration(partner=partner, created_by=user, status=Status.DRAFT)
    listings = _apply(registration, {k: v for k, v in data.items() if k in ALL_FIELDS})
    validate(registration, listings=listings)
    registration.save()
    registration.listings.set(listings)
    return registration


@transaction.atomic
def update_registration(*, registration: DealRegistration, user, data: dict) -> DealRegistration:
    """Change fields allowed in the current state; anything else is refused and nothing changes."""
    registration = DealRegistration.objects.select_for_update().get(pk=registration.pk)
    allowed = EDITABLE.get(registration.status)
    if allowed is None:
        raise NotAllowed(NOT_ALLOWED % {"status": registration.get_status_display()})
    current = {f: getattr(registration, f) for f in ALL_FIELDS if f != "listings"}
    current_listings = set(registration.listings.values_list("pk", flat=True))
    changed = [
        f
        for f, v in data.items()
        if f in ALL_FIELDS
        and (
            {p.pk for p in v} != current_listings
            if f == "listings"
            else (v if v is not None else "") != (current[f] if current[f] is not None else "")
        )
    ]
    locked = [f for f in changed if f not in allowed]
    if locked:
        names = ", ".join(str(DealRegistration._meta.get_field(f).verbose_name) for f in locked)
        raise NotAllowed(FIELDS_LOCKED % {"fields": names}, code="fields_locked")
    previous_ref = registration.fund_request_ref
    listings = _apply(registration, {f: data[f] for f in changed})
    validate(registration, listings=listings)
    registration.save()
    if "listings" in changed:
        registration.listings.set(listings)
    if {"fund_request_ref", "estimated_value", "currency"} & set(changed):
        funded.announce_pipeline(registration, previous_ref=previous_ref)
    return registration


# --- submission and the conflict check ----------------------------------------------------------
def _approve(registration: DealRegistration, *, actor, code: str, note: str = "") -> None:
    transition(registration, Status.APPROVED, actor=actor, code=code, note=note)
    rule = protection_rule(registration.partner)
    registration.decided_at = timezone.now()
    registration.conflict_hold = False
    registration.protection_until = timezone.localdate() + timedelta(days=rule.protection_days)


@transaction.atomic
def submit(*, registration: DealRegistration, user) -> DealRegistration:
    """Submit a draft (or re-submit after action required) and decide at once when possible."""
    registration = (
        DealRegistration.objects.select_for_update().select_related("partner").get(pk=registration.pk)
    )
    if registration.status not in (Status.DRAFT, Status.ACTION_REQUIRED):
        raise NotAllowed(NOT_ALLOWED % {"status": registration.get_status_display()})
    validate(registration, listings=list(registration.listings.all()))
    keys = conflict_service.company_keys(conflict_service.registration_company(registration))
    conflict_service.lock_keys(keys)  # first to register wins: by the order of this lock
    transition(registration, Status.SUBMITTED, actor=user)
    registration.submitted_at = registration.submitted_at or timezone.now()
    conflict_service.store_keys(registration=registration)
    hits = conflict_service.find_conflicts(registration, keys)
    registration.conflicts.filter(resolution="").delete()
    if hits:
        Conflict.objects.bulk_create(
            [
                Conflict(
                    registration=registration,
                    existing=hit.registration,
                    account=hit.account,
                    score=Decimal(str(round(hit.score, 3))),
                )
                for hit in hits
            ]
        )
        registration.conflict_hold = True
        transition(registration, Status.IN_REVIEW, code="conflict", note=str(HELD_MESSAGE))
    elif protection_rule(registration.partner).auto_approve:
        _approve(registration, actor=None, code="auto")
    else:
        transition(registration, Status.IN_REVIEW, code="review")
    registration.save()
    return registration


# --- staff decisions -----------------------------------------------------------------------------
def _notify(registration, **kwargs) -> None:
    """The partner's e-mail about a staff decision, sent once the decision is committed."""
    transaction.on_commit(lambda pk=registration.pk: notify.send_decision(pk, **kwargs))


def _locked(registration) -> DealRegistration:
    return DealRegistration.objects.select_for_update().select_related("partner").get(pk=registration.pk)


def _require(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [str(REASON_REQUIRED)]})
    return reason


@transaction.atomic
def approve(*, registration, user, note: str = "") -> DealRegistration:
    registration = _locked(registration)
    _approve(registration, actor=user, code="approved", note=note)
    registration.decision_note = note
    registration.save()
    _notify(registration)
    return registration


@transaction.atomic
def reject(*, registration, user, code: str, note: str = "") -> DealRegistration:
    registration = _locked(registration)
    code = RejectReason(code)
    transition(registration, Status.REJECTED, actor=user, code=code, note=note)
    registration.reject_reason = code
    registration.decision_note = note
    registration.decided_at = timezone.now()
    registration.conflict_hold = False
    registration.protection_until = None
    registration.save()
    _notify(registration)
    return registration


@transaction.atomic
def request_action(*, registration, user, note: str, fields=()) -> DealRegistration:
    """Ask the partner for changes; ``fields`` (of ``ACTION_REQUIRED_FIELDS``) are the ones to fix."""
    note = _require(note)
    fields = list(dict.fromkeys(fields))
    unknown = [f for f in fields if f not in ACTION_REQUIRED_FIELDS]
    if unknown:
        raise ValidationError({"fields": [str(UNKNOWN_FIELDS % {"fields": ", ".join(unknown)})]})
    registration = _locked(registration)
    transition(registration, Status.ACTION_REQUIRED, actor=user, code="action_required", note=note)
    registration.decision_note = note
    registration.save()
    _notify(registration, fields=fields)
    return registration


@transaction.atomic
def resolve_conflict(*, registration, user, resolution: str, reason: str) -> DealRegistration:
    """Settle a held registration against what it overlaps, side by side; the reason is recorded."""
    reason = _require(reason)
    resolution = Conflict.Resolution(resolution)
    registration = _locked(registration)
    if not registration.conflict_hold or registration.status != Status.IN_REVIEW:
        raise NotAllowed(NOT_A_CONFLICT)
    open_conflicts = list(registration.conflicts.filter(resolution="").select_related("existing", "account"))
    existing = [c.existing for c in open_conflicts if c.existing_id]
    accounts = [c.account for c in open_conflicts if c.account_id]
    if resolution in (Conflict.Resolution.SHARE, Conflict.Resolution.TRANSFER) and (accounts or not existing):
        raise NotAllowed(CANNOT_SHARE_ACCOUNT)

    if resolution == Conflict.Resolution.REJECT:
        code = RejectReason.DUPLICATE
        if accounts and not existing:
            direct = any(a.kind == KnownAccount.Kind.DIRECT for a in accounts)
            code = RejectReason.DIRECT_ACCOUNT if direct else RejectReason.EXISTING_CUSTOMER
        transition(registration, Status.REJECTED, actor=user, code=code, note=reason)
        registration.reject_reason = code
        registration.protection_until = None
        registration.decided_at = timezone.now()
        registration.conflict_hold = False
    else:
        _approve(registration, actor=user, code=resolution, note=reason)
        if resolution == Conflict.Resolution.SHARE:
            first = existing[0]
            registration.shared_with = first
            DealRegistration.objects.filter(pk=first.pk).update(shared_with=registration)
        elif resolution == Conflict.Resolution.TRANSFER:
            for other in existing:
                other = _locked(other)
                if other.status in (Status.APPROVED, Status.IN_REVIEW, Status.ACTION_REQUIRED):
                    transition(other, Status.REJECTED, actor=user, code=RejectReason.TRANSFERRED, note=reason)
                    other.reject_reason = RejectReason.TRANSFERRED
                    other.protection_until = None
                    other.decided_at = timezone.now()
                    other.save()
                    _notify(other)
    registration.save()
    now = timezone.now()
    registration.conflicts.filter(resolution="").update(
        resolution=resolution, reason=reason, resolved_by=user, resolved_at=now
    )
    _log(registration, "cosell.conflict", user, {"resolution": resolution, "reason": reason})
    _notify(registration, resolution=resolution)
    return registration


# --- the partner closes the deal ------------------------------------------------------------------
@transaction.atomic
def close_won(*, registration, user, note: str = "", code: str = "won") -> DealRegistration:
    registration = _locked(registration)
    transition(registration, Status.WON, actor=user, code=code, note=note)
    registration.save()
    return registration


@transaction.atomic
def close_lost(*, registration, user, reason: str, note: str = "") -> DealRegistration:
    reason = LostReason(reason)
    registration = _locked(registration)
    transition(registration, Status.LOST, actor=user, code=reason, note=note)
    registration.lost_reason = reason
    registration.protection_until = None
    registration.save()
    return registration


# --- protection ----------------------------------------------------------------------------------
@transaction.atomic
def request_extension(*, registration, user, reason: str) -> DealRegistration:
    reason = _require(reason)
    registration = _locked(registration)
    if not registration.can_request_extension:
        raise NotAllowed(EXTENSION_ONCE)
    registration.extension_requested_at = timezone.now()
    registration.extension_reason = reason
    registration.save()
    _log(registration, "cosell.extension", user, {"requested": True, "reason": reason})
    return registration


@transaction.atomic
def decide_extension(*, registration, user, grant: bool, note: str = "") -> DealRegistration:
    registration = _locked(registration)
    if registration.extension_requested_at is None or registration.extension_granted is not None:
        raise NotAllowed(NO_PENDING_EXTENSION)
    if registration.status != Status.APPROVED:
        raise NotAllowed(NOT_ALLOWED % {"status": registration.get_status_display()})
    registration.extension_granted = grant
    if grant:
        days = protection_rule(registration.partner).extension_days
        registration.protection_until = max(registration.protection_until, timezone.localdate()) + timedelta(
            days=days
        )
        registration.reminded_days = None
    registration.save()
    Transition.objects.create(
        registration=registration,
        from_status=registration.status,
        to_status=registration.status,
        actor=user,
        code="extension_granted" if grant else "extension_declined",
        note=note,
    )
    _log(registration, "cosell.extension", user, {"granted": grant, "note": note})
    return registration


def expire_due(*, today=None) -> int:
    """Approved registrations whose protection ended: expired, protection cleared. Returns count."""
    today = today or timezone.localdate()
    count = 0
    ids = list(
        DealRegistration.objects.filter(status=Status.APPROVED, protection_until__lt=today).values_list(
            "pk", flat=True
        )
    )
    for pk in ids:
        with transaction.atomic():
            registration = DealRegistration.objects.select_for_update().get(pk=pk)
            if registration.status != Status.APPROVED or registration.protection_until >= today:
                continue
            transition(registration, Status.EXPIRED, code="protection_ended")
            registration.protection_until = None
            registration.save()
            count += 1
    return count
