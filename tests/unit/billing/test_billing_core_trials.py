"""Free trials: no card, one per organisation and listing (and per person), reminders, expiry,
conversion to paid. Conversion runs against localstripe."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from billing.models import BillingSettings, Entitlement, Trial
from billing.services import entitlements, trials
from billing.tasks.trials import expire_trials, remind_trials
from catalog.models import ListingUsage, UsageKind
from tests.factories.accounts import buyer
from tests.factories.billing import purchase_plan, shop

pytestmark = pytest.mark.django_db


def test_trial_needs_no_card_and_grants_access_for_the_trial_days(store, customer):
    user, org = customer
    trial = trials.start_trial(organisation=org, listing=store.listing, user=user)
    assert trial.status == Trial.Status.ACTIVE
    assert (trial.ends_at - trial.started_at) == timedelta(days=14)
    ent = Entitlement.objects.get(trial=trial)
    assert ent.source == Entitlement.Source.TRIAL and ent.ends_at == trial.ends_at
    assert entitlements.has_access(org, store.listing)
    usage = ListingUsage.objects.get(organisation=org, listing=store.listing)
    assert usage.kind == UsageKind.TRIAL and usage.ended_on is None


@pytest.mark.usefixtures("english")
def test_one_trial_per_organisation_and_listing_with_a_reason(store, customer):
    user, org = customer
    trials.start_trial(organisation=org, listing=store.listing, user=user)
    colleague, _ = buyer(organisation=org)
    with pytest.raises(trials.TrialRefused) as exc:
        trials.start_trial(organisation=org, listing=store.listing, user=colleague)
    assert "already had a free trial" in exc.value.message
    assert Trial.objects.count() == 1


@pytest.mark.usefixtures("english")
def test_the_same_person_cannot_trial_again_through_a_throwaway_organisation(store, customer):
    user, org = customer
    trials.start_trial(organisation=org, listing=store.listing, user=user)
    _, throwaway = buyer(organisation=None)
    with pytest.raises(trials.TrialRefused) as exc:
        trials.start_trial(organisation=throwaway, listing=store.listing, user=user)
    assert "another organisation" in exc.value.message


@pytest.mark.usefixtures("english")
def test_listing_without_trial_plan_or_own_listing_is_refused(customer):
    user, org = customer
    store = shop()
    store.trial.delete()
    with pytest.raises(trials.TrialRefused) as exc:
        trials.start_trial(organisation=org, listing=store.listing, user=user)
    assert "no free trial" in exc.value.message
    other = shop()
    owner = other.partner.organisation.memberships.first().user
    with pytest.raises(trials.TrialRefused):
        trials.start_trial(organisation=other.partner.organisation, listing=other.listing, user=owner)


def test_reminder_is_sent_once_before_the_end(store, customer, django_capture_on_commit_callbacks):
    user, org = customer
    trial = trials.start_trial(organisation=org, listing=store.listing, user=user)
    assert remind_trials.delay().get() == 0  # 14 days left, reminder at 3
    Trial.objects.filter(pk=trial.pk).update(ends_at=timezone.now() + timedelta(days=2))
    with django_capture_on_commit_callbacks(execute=True):
        assert remind_trials.delay().get() == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert remind_trials.delay().get() == 0
    assert len(mail.outbox) == 1
    assert user.email in mail.outbox[0].to
    assert store.listing.title in mail.outbox[0].subject


def test_reminder_days_are_configurable(store, customer):
    settings_obj = BillingSettings.load()
    settings_obj.trial_reminder_days = 20
    settings_obj.save()
    user, org = customer
    trials.start_trial(organisation=org, listing=store.listing, user=user)
    assert trials.remind_due() == 1


def test_expiry_ends_access(store, customer, django_capture_on_commit_callbacks):
    user, org = customer
    trial = trials.start_trial(organisation=org, listing=store.listing, user=user)
    Trial.objects.filter(pk=trial.pk).update(ends_at=timezone.now() - timedelta(minutes=1))
    Entitlement.objects.filter(trial=trial).update(ends_at=timezone.now() + timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert expire_trials.delay().get() == 1
    trial.refresh_from_db()
    assert trial.status == Trial.Status.EXPIRED
    assert Entitlement.objects.get(trial=trial).status == Entitlement.Status.ENDED
    assert not entitlements.has_access(org, store.listing)
    assert ListingUsage.objects.get(organisation=org).ended_on == timezone.localdate()
    assert expire_trials.delay().get() == 0


def test_conversion_to_paid_ends_the_trial_and_keeps_access(stripe, store, customer):
    user, org = customer
    trial = trials.start_trial(organisation=org, listing=store.listing, user=user)
    sub = purchase_plan(store.seats, org, user, quantity=2, trial=trial)
    trial.refresh_from_db()
    assert trial.status == Trial.Status.CONVERTED and trial.converted_to_id == sub.pk
    assert Entitlement.objects.get(trial=trial).status == Entitlement.Status.ENDED
    assert Entitlement.objects.get(subscription=sub).status == Entitlement.Status.ACTIVE
    assert entitlements.has_access(org, store.listing)
    with pytest.raises(trials.TrialRefused):
        trials.start_trial(organisation=org, listing=store.listing, user=user)
