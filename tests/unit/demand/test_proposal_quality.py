"""Proposal floods: a daily cap per partner by tier (revisions free, the next day fresh), and
near-duplicate text across requirements flagged with rapidfuzz and shown to staff with the
reason; distinct or short texts are not flagged."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from core.exceptions import ApplicationError
from demand.models import Proposal
from demand.services import quality
from tests.factories.accounts import UserFactory
from tests.factories.demand import RequirementFactory
from tests.factories.partners import TierFactory
from tests.unit.accounts.helpers import enrol_totp
from tests.unit.demand.test_proposals import _invite, _propose

FLOOD = (
    "We will deploy our proven ERP template in three phases: blueprint workshops with your finance "
    "team, configuration and data migration, then go-live with two weeks of hypercare on site."
)


def _open(customer_org, *partners):
    requirement = RequirementFactory(customer_organisation=customer_org, state="open", screening_questions=[])
    _invite(requirement, *partners)
    return requirement


@pytest.mark.django_db
@pytest.mark.usefixtures("english")
def test_daily_cap_follows_the_tier_and_revisions_and_tomorrow_are_free(customer_org, partner_a, settings):
    settings.DEMAND_DAILY_PROPOSAL_CAPS = {0: 2, 2: 3}
    partner_a.tier = TierFactory(kind=partner_a.kind, rank=0)
    partner_a.save()
    assert quality.daily_cap(partner_a) == 2
    first = _propose(_open(customer_org, partner_a), partner_a)
    _propose(_open(customer_org, partner_a), partner_a)
    third = _open(customer_org, partner_a)
    with pytest.raises(ApplicationError) as exc:
        _propose(third, partner_a)
    assert "2 new proposals a day" in exc.value.message
    assert not Proposal.objects.filter(requirement=third).exists()
    from demand.services import proposals as services

    services.revise_proposal(proposal=first, user=None, timeline_days=45)  # a revision is not new
    Proposal.objects.filter(partner=partner_a).update(created_at=timezone.now() - timedelta(days=1))
    assert _propose(third, partner_a).pk  # a new day
    partner_a.tier = TierFactory(kind=partner_a.kind, rank=2)
    partner_a.save()
    assert quality.daily_cap(partner_a) == 3


@pytest.mark.django_db
def test_copy_paste_across_requirements_is_flagged_and_distinct_or_short_text_is_not(
    customer_org, partner_a, partner_b
):
    original = _propose(_open(customer_org, partner_a), partner_a, summary=FLOOD)
    assert original.duplicate_of is None
    pasted = _propose(_open(customer_org, partner_a), partner_a, summary=FLOOD.replace("three", "3"))
    pasted.refresh_from_db()
    assert pasted.duplicate_of_id == original.pk and pasted.duplicate_score >= quality.DUPLICATE_THRESHOLD
    own = _propose(
        _open(customer_org, partner_b),
        partner_b,
        summary="A retail POS rollout: pilot in five stores, train the cashiers, then the remaining 35 "
        "stores over eight weeks with a weekly steering meeting.",
    )
    assert own.duplicate_of is None
    short = _propose(_open(customer_org, partner_b), partner_b, summary="See attached.")
    other_short = _propose(_open(customer_org, partner_a), partner_a, summary="See attached.")
    assert short.duplicate_of is None and other_short.duplicate_of is None


@pytest.mark.django_db
def test_same_requirement_is_never_compared_and_staff_see_the_flag_explained(
    client, customer_org, partner_a, partner_b
):
    requirement = _open(customer_org, partner_a, partner_b)
    _propose(requirement, partner_a, summary=FLOOD)
    same = _propose(requirement, partner_b, summary=FLOOD)
    assert same.duplicate_of is None  # two partners on one requirement may well agree
    flooded = _propose(_open(customer_org, partner_b), partner_b, summary=FLOOD)
    assert flooded.duplicate_of is not None
    manager = UserFactory()
    manager.groups.add(Group.objects.get(name="Programme managers"))
    enrol_totp(manager)
    client.force_login(manager)
    html = client.get(reverse("demand_admin:duplicates")).content.decode()
    assert 'data-testid="duplicates"' in html and f"{flooded.duplicate_score} %" in html
    assert "rapidfuzz" in html
