"""Entitlements — the source of truth for "has access" — and the catalogue figures that follow them.

Every change goes through here so that ``ListingPage.active_subscriptions``, the catalogue's
``ListingUsage`` rows (reviews eligibility) and ``entitlement_changed`` stay in step.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from billing.models import Entitlement, SeatAssignment, Subscription
from billing.signals import send_entitlement_changed
from catalog.models import ListingPage, ListingUsage, UsageKind
from core.exceptions import ApplicationError


class SeatError(ApplicationError):
    """A seat assignment refused (no seats left, not a member, …)."""

    code = "seat_refused"


def has_access(organisation, listing, user=None) -> bool:
    """Whether the organisation (and, for seat-limited entitlements, that user) may use the listing."""
    now = timezone.now()
    qs = Entitlement.objects.filter(
        organisation=organisation, listing=listing, status=Entitlement.Status.ACTIVE
    ).filter(Q(ends_at__isnull=True) | Q(ends_at__gt=now))
    if user is None:
        return qs.exists()
    return qs.filter(Q(seats__isnull=True) | Q(seat_assignments__user=user)).exists()


# --- catalogue figures ------------------------------------------------------------------------


def refresh_listing_figures(listing_id: int) -> None:
    """Recount the listing's live paid subscriptions (a count, so replays cannot drift it)."""
    count = (
        Subscription.objects.filter(
            listing_id=listing_id,
            status__in=(
                Subscription.Status.ACTIVE,
                Subscription.Status.PAST_DUE,
                Subscription.Status.SUSPENDED,
            ),
        )
        .values("organisation_id")
        .distinct()
        .count()
    )
    updated = ListingPage.objects.filter(pk=listing_id).exclude(active_subscriptions=count)
    if updated.update(active_subscriptions=count):
        from catalog.search.signals import listing_aggregates_changed

        transaction.on_commit(lambda: listing_aggregates_changed(listing_id))


def _open_usage(entitlement: Entitlement) -> None:
    if entitlement.listing_usage_id:
        return
    kind = UsageKind.TRIAL if entitlement.source == Entitlement.Source.TRIAL else UsageKind.SUBSCRIPTION
    usage = ListingUsage.objects.create(
        listing_id=entitlement.listing_id,
        organisation_id=entitlement.organisation_id,
        kind=kind,
        started_on=timezone.localdate(entitlement.starts_at),
    )
    entitlement.listing_usage = usage
    Entitlement.objects.filter(pk=entitlement.pk).update(listing_usage=usage)


def _close_usage(entitlement: Entitlement) -> None:
    if entitlement.listing_usage_id:
        today = timezone.localdate()
        ListingUsage.objects.filter(pk=entitlement.listing_usage_id, ended_on__isnull=True).update(
            ended_on=today
        )


# --- lifecycle --------------------------------------------------------------------------------


@transaction.atomic
def grant_for_trial(trial) -> Entitlement:
    entitlement = Entitlement.objects.create(
        organisation_id=trial.organisation_id,
        listing_id=trial.listing_id,
        source=Entitlement.Source.TRIAL,
        trial=trial,
        starts_at=trial.started_at,
        ends_at=trial.ends_at,
    )
    _open_usage(entitlement)
    send_entitlement_changed(entitlement, "created")
    return entitlement


def _seats_for(subscription: Subscription) -> int | None:
    return subscription.quantity if subscription.price.per_seat else None


@transaction.atomic
def sync_for_subscription(subscription: Subscription) -> Entitlement | None:
    """Bring the subscription's entitlement in line with its status (idempotent)."""
    Status = Subscription.Status
    entitlement = Entitlement.objects.select_for_update().filter(subscription=subscription).first()
    now = timezone.now()
    if subscription.status == Status.INCOMPLETE:
        return entitlement
    if entitlement is None:
        if subscription.status == Status.CANCELED:
            return None
        entitlement = Entitlement.objects.create(
            organisation_id=subscription.organisation_id,
            listing_id=subscription.listing_id,
            source=Entitlement.Source.SUBSCRIPTION
            if subscription.is_recurring
            else Entitlement.Source.PURCHASE,
            subscription=subscription,
            seats=_seats_for(subscription),
            starts_at=now,
        )
        _open_usage(entitlement)
        send_entitlement_changed(entitlement, "created")
        if subscription.status in (Status.ACTIVE, Status.PAST_DUE, Status.COMPLETED):
            send_entitlement_changed(entitlement, "activated")
    if subscription.status == Status.CANCELED:
        end(entitlement)
    elif subscription.status == Status.SUSPENDED:
        if entitlement.status == Entitlement.Status.ACTIVE:
            entitlement.status = Entitlement.Status.SUSPENDED
            entitlement.suspended_at = now
            entitlement.save(update_fields=["status", "suspended_at", "updated_at"])
            send_entitlement_changed(entitlement, "suspended")
    elif entitlement.status == Entitlement.Status.SUSPENDED:
        entitlement.status = Entitlement.Status.ACTIVE
        entitlement.suspended_at = None
        entitlement.save(update_fields=["status", "suspended_at", "updated_at"])
        send_entitlement_changed(entitlement, "resumed")
    if entitlement.status != Entitlement.Status.ENDED:
        seats = _seats_for(subscription)
        if seats != entitlement.seats:
            entitlement.seats = seats
            entitlement.save(update_fields=["seats", "updated_at"])
            _trim_seats(entitlement)
            send_entitlement_changed(entitlement, "seats_changed")
    refresh_listing_figures(subscription.listing_id)
    return entitlement


def end(entitlement: Entitlement) -> None:
    if entitlement.status == Entitlement.Status.ENDED:
        return
    now = timezone.now()
    entitlement.status = Entitlement.Status.ENDED
    entitlement.ended_at = now
    if entitlement.ends_at is None or entitlement.ends_at > now:
        entitlement.ends_at = now
    entitlement.save(update_fields=["status", "ended_at", "ends_at", "updated_at"])
    _close_usage(entitlement)
    send_entitlement_changed(entitlement, "ended")


def _trim_seats(entitlement: Entitlement) -> None:
    """After a seat reduction, unassign the most recently assigned people beyond the new count."""
    if entitlement.seats is None:
        return
    extra = list(entitlement.seat_assignments.order_by("-created_at").values_list("pk", flat=True))
    surplus = len(extra) - entitlement.seats
    if surplus > 0:
        SeatAssignment.objects.filter(pk__in=extra[:surplus]).delete()


# --- seats ------------------------------------------------------------------------------------


@transaction.atomic
def assign_seat(entitlement: Entitlement, user, *, by=None) -> SeatAssignment:
    entitlement = Entitlement.objects.select_for_update().get(pk=entitlement.pk)
    if entitlement.status != Entitlement.Status.ACTIVE:
        raise SeatError(_("Seats can only be assigned while the subscription is active."))
    if not entitlement.organisation.memberships.filter(user=user).exists():
        raise SeatError(_("Only members of your organisation can be given a seat."))
    existing = entitlement.seat_assignments.filter(user=user).first()
    if existing:
        return existing
    if entitlement.seats is not None and entitlement.seat_assignments.count() >= entitlement.seats:
        raise SeatError(
            _("All %(seats)s seats are assigned. Free a seat or add seats to the subscription.")
            % {"seats": entitlement.seats}
        )
    return SeatAssignment.objects.create(entitlement=entitlement, user=user, assigned_by=by)


@transaction.atomic
def unassign_seat(entitlement: Entitlement, user) -> None:
    entitlement.seat_assignments.filter(user=user).delete()
