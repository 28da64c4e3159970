"""The requirement state machine: every legal transition is taken and recorded; every illegal
one is refused with NotAllowed and changes nothing."""

import pytest

from core.exceptions import ApplicationError, NotAllowed
from demand.models import RequirementState as S
from demand.models import RequirementTransition
from demand.services import requirements as services
from tests.factories.demand import RequirementFactory

LEGAL = [(src, dst) for src, targets in services.TRANSITIONS.items() for dst in sorted(targets)]
ILLEGAL = [(src, dst) for src in S.values for dst in S.values if dst not in services.TRANSITIONS[src]]


def test_every_state_has_a_rule():
    assert set(services.TRANSITIONS) == set(S.values)
    assert len(LEGAL) + len(ILLEGAL) == len(S.values) ** 2


@pytest.mark.django_db
@pytest.mark.parametrize(("src", "dst"), LEGAL)
def test_legal_transition_is_taken_and_recorded(customer_org, customer, src, dst):
    requirement = RequirementFactory(customer_organisation=customer_org, state=src)
    services.transition(requirement=requirement, to_state=dst, by=customer, reason="because")
    requirement.refresh_from_db()
    assert requirement.state == dst
    record = RequirementTransition.objects.get(requirement=requirement)
    assert (record.from_state, record.to_state, record.by, record.reason) == (src, dst, customer, "because")
    assert record.at is not None


@pytest.mark.django_db
@pytest.mark.parametrize(("src", "dst"), ILLEGAL)
def test_illegal_transition_is_refused_and_changes_nothing(customer_org, customer, src, dst):
    requirement = RequirementFactory(customer_organisation=customer_org, state=src)
    with pytest.raises(NotAllowed):
        services.transition(requirement=requirement, to_state=dst, by=customer, reason="x")
    requirement.refresh_from_db()
    assert requirement.state == src
    assert not RequirementTransition.objects.filter(requirement=requirement).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("dst", [S.REJECTED, S.CANCELLED])
def test_rejecting_or_cancelling_needs_a_reason(customer_org, dst):
    requirement = RequirementFactory(customer_organisation=customer_org, state=S.PENDING_REVIEW)
    with pytest.raises(ApplicationError):
        services.transition(requirement=requirement, to_state=dst, reason="  ")
    requirement.refresh_from_db()
    assert requirement.state == S.PENDING_REVIEW


@pytest.mark.django_db
def test_unknown_target_state_is_refused(customer_org):
    requirement = RequirementFactory(customer_organisation=customer_org, state=S.OPEN)
    with pytest.raises(NotAllowed):
        services.transition(requirement=requirement, to_state="teleported")


@pytest.mark.django_db
def test_post_submit_approve_records_the_whole_history(customer_org, customer, superuser_factory=None):
    from datetime import timedelta

    from django.utils import timezone

    requirement = services.create_requirement(
        organisation=customer_org,
        user=customer,
        submit=True,
        title="数据中台",
        description="需要建设数据中台",
        proposal_due=timezone.now() + timedelta(days=5),
        award_by=(timezone.now() + timedelta(days=20)).date(),
    )
    assert requirement.state == S.PENDING_REVIEW
    services.approve(requirement=requirement, by=customer)
    requirement.refresh_from_db()
    assert requirement.state == S.OPEN and requirement.opened_at is not None
    steps = list(requirement.transitions.values_list("from_state", "to_state"))
    assert steps == [(S.DRAFT, S.PENDING_REVIEW), (S.PENDING_REVIEW, S.OPEN)]


@pytest.mark.django_db
def test_expired_when_award_by_passes(customer_org):
    from datetime import timedelta

    from django.utils import timezone

    today = timezone.localdate()
    late = RequirementFactory(
        customer_organisation=customer_org, state=S.OPEN, award_by=today - timedelta(days=1)
    )
    on_time = RequirementFactory(
        customer_organisation=customer_org, state=S.OPEN, award_by=today + timedelta(days=1)
    )
    assert services.expire_overdue(today=today) == 1
    late.refresh_from_db()
    on_time.refresh_from_db()
    assert (late.state, on_time.state) == (S.EXPIRED, S.OPEN)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"title": "", "title_en": ""}, "title"),
        ({"description": "", "description_en": ""}, "description"),
        ({"budget_min": 100, "budget_max": 10}, "budget_max"),
        ({"mode": "directed"}, "directed_partner"),
    ],
)
def test_bad_requirement_is_refused_and_nothing_is_written(customer_org, customer, fields, field):
    from datetime import timedelta

    from django.utils import timezone

    from demand.models import Requirement

    values = {
        "title": "标题",
        "description": "描述",
        "proposal_due": timezone.now() + timedelta(days=5),
        "award_by": (timezone.now() + timedelta(days=20)).date(),
        **fields,
    }
    with pytest.raises(ApplicationError) as error:
        services.create_requirement(organisation=customer_org, user=customer, **values)
    assert error.value.field == field
    assert not Requirement.objects.exists()
