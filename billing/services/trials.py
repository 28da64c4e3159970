"""Free trials: no card, an entitlement for the plan's trial days, one per organisation and listing
(and one per person per listing, so a throwaway organisation does not buy a second trial),
reminders before the end, expiry that ends access, one-click conversion to paid."""

from __future__ import annotations

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from billing.models import BillingSettings, Subscription, Trial
from billing.services import entitlements
from catalog.models import PricingModel
from core.exceptions import ApplicationError


class TrialRefused(ApplicationError):
    """A trial that cannot start (already used, no trial plan, …)."""

    code = "trial_refused"


def trial_plan_of(listing):
    return listing.plans.filter(pricing_model=PricingModel.FREE_TRIAL, trial_days__isnull=False).first()


def refusal_reason(organisation, listing, user=None) -> str:
    """Why this organisation (or person) cannot start a trial of the listing; "" when it can."""
    if not listing.live or listing.delisted_at is not None:
        return _("This listing is not available.")
    if trial_plan_of(listing) is None:
        return _("This listing has no free trial.")
    if listing.partner_id and listing.partner.organisation_id == organisation.pk:
        return _("You cannot trial your own organisation's listing.")
    previous = Trial.objects.filter(organisation=organisation, listing=listing).first()
    if previous:
        return _("Your organisation already had a free trial of this listing (started %(date)s).") % {
            "date": formats.date_format(timezone.localtime(previous.started_at), "SHORT_DATE_FORMAT")
        }
    if user is not None and Trial.objects.filter(started_by=user, listing=listing).exists():
        return _("You already started a free trial of this listing with another organisation.")
    if Subscription.objects.filter(
        organisation=organisation, listing=listing, status__in=Subscription.LIVE_STATUSES
    ).exists():
        return _("Your organisation already has this listing.")
    return ""


def start_trial(*, organisation, listing, user) -> Trial:
    reason = refusal_reason(organisation, listing, user)
    if reason:
        raise TrialRefused(reason)
    plan = trial_plan_of(listing)
    now = timezone.now()
    try:
        with transaction.atomic():
            trial = Trial.objects.create(
                organisation=organisation,
                listing=listing,
                listing_plan=plan,
                started_at=now,
                ends_at=now + timedelta(days=plan.trial_days),
                started_by=user,
            )
            entitlements.grant_for_trial(trial)
    except IntegrityError:  # a double-click: the first request created it
        raise TrialRefused(
            refusal_reason(organisation, listing) or _("The trial has already started.")
        ) from None
    return trial


@transaction.atomic
def mark_converted(subscription: Subscription) -> None:
    trial = Trial.objects.select_for_update().filter(pk=subscription.from_trial_id).first()
    if trial is None or trial.status == Trial.Status.CONVERTED:
        return
    trial.status = Trial.Status.CONVERTED
    trial.converted_to = subscription
    trial.ended_at = timezone.now()
    trial.save(update_fields=["status", "converted_to", "ended_at", "updated_at"])
    if hasattr(trial, "entitlement"):
        entitlements.end(trial.entitlement)


def expire_due(now=None) -> int:
    """End trials whose time is up (beat task); returns how many."""
    now = now or timezone.now()
    count = 0
    for pk in Trial.objects.filter(status=Trial.Status.ACTIVE, ends_at__lte=now).values_list("pk", flat=True):
        with transaction.atomic():
            trial = Trial.objects.select_for_update().get(pk=pk)
            if trial.status != Trial.Status.ACTIVE:
                continue
            trial.status = Trial.Status.EXPIRED
            trial.ended_at = now
            trial.save(update_fields=["status", "ended_at", "updated_at"])
            if hasattr(trial, "entitlement"):
                entitlements.end(trial.entitlement)
            count += 1
    return count


def remind_due(now=None) -> int:
    """Email each trial's organisation once, N days before the end (beat task); returns how many."""
    from billing.services import notifications

    now = now or timezone.now()
    days = BillingSettings.load().trial_reminder_days
    due = Trial.objects.filter(
        status=Trial.Status.ACTIVE,
        reminded_at__isnull=True,
        ends_at__gt=now,
        ends_at__lte=now + timedelta(days=days),
    )
    count = 0
    for pk in due.values_list("pk", flat=True):
        with transaction.atomic():
            if not Trial.objects.filter(pk=pk, reminded_at__isnull=True).update(reminded_at=now):
                continue
            transaction.on_commit(lambda pk=pk: notifications.trial_ending(pk))
            count += 1
    return count
