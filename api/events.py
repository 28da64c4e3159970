"""The newer apps' state changes as partner events (``partners.services.events.emit``): leads and
proposals (demand), requirement invitations, deal registrations (cosell), fund requests and fund
balances (incentives).

Those apps write through their own services; this module listens to their models' saves
(connected once in ``ApiConfig.ready``) and emits an event when the partner-visible state
changes — inside the writer's transaction, so a change that rolls back sends nothing. The event's
``data`` is the object exactly as the API shows it (the same serializer).

Event types: ``lead.received`` / ``lead.updated``, ``requirement.invited``,
``proposal.submitted`` / ``proposal.revised`` / ``proposal.<state>``,
``deal_registration.<status>``, ``fund_request.<state>``, ``fund_balance.changed``.
"""

from __future__ import annotations

import logging

from django.db.models.signals import post_init, post_save
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from partners.services.events import emit, emit_many, register_event_types

logger = logging.getLogger(__name__)

_STASH = "_api_event_state"


def event_types() -> dict:
    from cosell.models import Status as DealStatus
    from demand.models import ProposalState
    from incentives.models import RequestState

    types = {
        "lead.received": _("A customer sent you a lead (an enquiry)."),
        "lead.updated": _("A lead's state changed."),
        "requirement.invited": _("You were invited to (or claimed) a customer requirement."),
        "proposal.submitted": _("Your proposal was submitted."),
        "proposal.revised": _("Your proposal was revised."),
        "fund_balance.changed": _("Your balance in an incentive pool changed."),
        "change_set.succeeded": _("A change set was applied to your listing (and sent to review)."),
        "change_set.failed": _("A change set failed; nothing was changed."),
    }
    for state, label in ProposalState.choices:
        if state != ProposalState.PROPOSED:
            types[f"proposal.{state}"] = format_lazy(_("A proposal is now: {state}"), state=label)
    for status, label in DealStatus.choices:
        if status != DealStatus.DRAFT:
            types[f"deal_registration.{status}"] = format_lazy(
                _("A deal registration is now: {state}"), state=label
            )
    for state, label in RequestState.choices:
        if state != RequestState.DRAFT:
            types[f"fund_request.{state}"] = format_lazy(_("A fund request is now: {state}"), state=label)
    return types


def _stash(sender, instance, **kwargs):
    fields = instance.__dict__
    instance.__dict__[_STASH] = {
        name: fields.get(name) for name in ("state", "status", "verified_at", "version")
    }


def _before(instance, name):
    return instance.__dict__.get(_STASH, {}).get(name)


def _emit(partner, type_, payload_fn, instance):
    try:
        payload = payload_fn(instance)
    except Exception:  # noqa: BLE001 - an event never fails the partner's or customer's action
        logger.exception("Could not build the %s event for %r", type_, instance)
        return
    emit(partner, type_, payload)


def _restash(instance):
    _stash(None, instance)


# --- demand ------------------------------------------------------------------------------------


def lead_saved(sender, instance, created, raw=False, **kwargs):
    from demand.api import lead_payload

    if raw or instance.verified_at is None:
        return _restash(instance)
    if created or _before(instance, "verified_at") is None:
        _emit(instance.partner, "lead.received", lead_payload, instance)
    elif _before(instance, "state") != instance.state:
        _emit(
            instance.partner,
            "lead.updated",
            lambda lead: {**lead_payload(lead), "previous_state": _before(lead, "state")},
            instance,
        )
    _restash(instance)


def invitation_saved(sender, instance, created, raw=False, **kwargs):
    from demand.api import RequirementSerializer

    if raw or not created:
        return
    _emit(
        instance.partner,
        "requirement.invited",
        lambda inv: {**RequirementSerializer(inv.requirement).data, "source": inv.source},
        instance,
    )


def proposal_saved(sender, instance, created, raw=False, **kwargs):
    from demand.api import proposal_payload

    if raw:
        return
    if created:
        type_ = "proposal.submitted"
    elif _before(instance, "state") != instance.state:
        type_ = f"proposal.{instance.state}"
    elif _before(instance, "version") != instance.version:
        type_ = "proposal.revised"
    else:
        return
    _emit(instance.partner, type_, proposal_payload, instance)
    _restash(instance)


# --- cosell ------------------------------------------------------------------------------------


def registration_saved(sender, instance, created, raw=False, **kwargs):
    from cosell.api import registration_payload
    from cosell.models import Status

    if raw or instance.status == Status.DRAFT:
        return _restash(instance)
    if created or _before(instance, "status") != instance.status:
        _emit(instance.partner, f"deal_registration.{instance.status}", registration_payload, instance)
    _restash(instance)


# --- incentives --------------------------------------------------------------------------------


def fund_request_saved(sender, instance, created, raw=False, **kwargs):
    from incentives.api import fund_request_payload
    from incentives.models import RequestState

    if raw or instance.state == RequestState.DRAFT:
        return _restash(instance)
    if created or _before(instance, "state") != instance.state:
        _emit(instance.partner, f"fund_request.{instance.state}", fund_request_payload, instance)
    _restash(instance)


def ledger_entry_saved(sender, instance, created, raw=False, **kwargs):
    from incentives.api import ledger_entry_payload
    from incentives.services import ledger

    if raw or not created:
        return
    _emit(
        instance.partner,
        "fund_balance.changed",
        lambda entry: ledger_entry_payload(entry, ledger.balance(partner=entry.partner, pool=entry.pool)),
        instance,
    )


def ledger_entries_posted(sender, entries, **kwargs):
    """``incentives.signals.entries_posted`` (many entries, one insert): what
    :func:`ledger_entry_saved` does for each, with the balances read in one query and the events
    recorded with one insert. Each entry's balance is its partner's balance in the pool just
    after it, as it was when it was posted."""
    from incentives.api import ledger_entry_payload
    from incentives.services import ledger

    after = ledger.balances(
        partner_ids={entry.partner_id for entry in entries}, pool_ids={entry.pool_id for entry in entries}
    )
    events = []
    for entry in reversed(entries):  # the latest entry of a partner sees the whole total
        key = (entry.partner_id, entry.pool_id)
        try:
            events.append((entry.partner, "fund_balance.changed", ledger_entry_payload(entry, after[key])))
        except Exception:  # noqa: BLE001 - an event never fails the action (as _emit)
            logger.exception("Could not build the fund_balance.changed event for %r", entry)
        after[key] -= entry.amount
    emit_many(events[::-1])


def connect() -> None:
    from cosell.models import DealRegistration
    from demand.models import Invitation, Lead, Proposal
    from incentives.models import FundRequest, IncentiveLedgerEntry
    from incentives.signals import entries_posted

    register_event_types(event_types())
    for model, receiver in (
        (Lead, lead_saved),
        (Proposal, proposal_saved),
        (DealRegistration, registration_saved),
        (FundRequest, fund_request_saved),
    ):
        post_init.connect(_stash, sender=model, dispatch_uid=f"api.events.stash.{model._meta.label}")
        post_save.connect(receiver, sender=model, dispatch_uid=f"api.events.{model._meta.label}")
    post_save.connect(invitation_saved, sender=Invitation, dispatch_uid="api.events.invitation")
    post_save.connect(ledger_entry_saved, sender=IncentiveLedgerEntry, dispatch_uid="api.events.ledger")
    entries_posted.connect(ledger_entries_posted, dispatch_uid="api.events.ledger_many")
