"""Delivery: payment requests never exceed what remains on a milestone, the same idempotency key
returns the first result, verdicts are recorded with the evidence's SHA-256, accepting every
milestone closes the requirement; demand facts reach the partner fact table."""

import hashlib
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from core.exceptions import ApplicationError, NotAllowed
from demand.models import PaymentRequest, PaymentRequestState
from demand.services import delivery as services
from demand.services.facts import report_demand_facts
from partners.models import PartnerFact
from tests.factories.partners import owner_of
from tests.unit.accounts.helpers import signed_in


@pytest.mark.django_db
def test_payment_request_is_refused_before_delivery_and_above_what_remains(awarded, partner_a, english):
    first = awarded.milestones.first()
    owner = owner_of(partner_a)
    with pytest.raises(NotAllowed):
        services.request_payment(
            milestone=first, partner=partner_a, user=owner, amount="100", idempotency_key="k0"
        )
    services.start_delivery(requirement=awarded.requirement, by=owner)
    services.request_payment(
        milestone=first, partner=partner_a, user=owner, amount="6000", idempotency_key="k1"
    )
    with pytest.raises(ApplicationError) as error:
        services.request_payment(
            milestone=first, partner=partner_a, user=owner, amount="4000.01", idempotency_key="k2"
        )
    assert error.value.code == "above_remaining"
    assert "4000.00 that remains" in error.value.message
    assert services.remaining_on(first) == Decimal("4000.00")
    services.request_payment(
        milestone=first, partner=partner_a, user=owner, amount="4000", idempotency_key="k3"
    )
    assert services.remaining_on(first) == 0
    assert PaymentRequest.objects.count() == 2


@pytest.mark.django_db
def test_same_idempotency_key_returns_the_first_result(awarded, partner_a):
    owner = owner_of(partner_a)
    services.start_delivery(requirement=awarded.requirement, by=owner)
    first, second = awarded.milestones.all()
    one = services.request_payment(
        milestone=first, partner=partner_a, user=owner, amount="5000", idempotency_key="same"
    )
    again = services.request_payment(
        milestone=first, partner=partner_a, user=owner, amount="5000", idempotency_key="same"
    )
    assert again.pk == one.pk and PaymentRequest.objects.count() == 1
    with pytest.raises(ApplicationError) as error:
        services.request_payment(
            milestone=second, partner=partner_a, user=owner, amount="5000", idempotency_key="same"
        )
    assert error.value.code == "idempotency_key_reused"
    assert PaymentRequest.objects.count() == 1


@pytest.mark.django_db
def test_only_the_awarded_partner_may_request(awarded, partner_b):
    services.start_delivery(requirement=awarded.requirement, by=None)
    with pytest.raises(NotAllowed):
        services.request_payment(
            milestone=awarded.milestones.first(),
            partner=partner_b,
            user=None,
            amount="1",
            idempotency_key="x",
        )


@pytest.mark.django_db
def test_accepting_every_milestone_closes_the_requirement(awarded, customer):
    services.start_delivery(requirement=awarded.requirement, by=customer)
    first, second = awarded.milestones.all()
    evidence = SimpleUploadedFile("report.pdf", b"%PDF-1.4 evidence")
    back = services.decide_milestone(milestone=first, by=customer, accept=False, note="缺少文档")
    assert back.outcome == "rejected"
    record = services.decide_milestone(milestone=first, by=customer, accept=True, evidence=[evidence])
    assert record.evidence_sha256 == hashlib.sha256(b"%PDF-1.4 evidence").hexdigest()
    with pytest.raises(NotAllowed):
        services.decide_milestone(milestone=first, by=customer, accept=True)
    awarded.requirement.refresh_from_db()
    assert awarded.requirement.state == "in_delivery"
    services.decide_milestone(milestone=second, by=customer, accept=True)
    awarded.requirement.refresh_from_db()
    assert awarded.requirement.state == "closed"
    assert list(awarded.requirement.transitions.values_list("to_state", flat=True))[-2:] == [
        "acceptance",
        "closed",
    ]


@pytest.mark.django_db
def test_partner_requests_and_customer_approves_through_the_screens(
    client, awarded, partner_a, customer, customer_org, other_customer
):
    owner = owner_of(partner_a)
    signed_in(client, owner, partner_a.organisation)
    url = reverse("demand:delivery", kwargs={"public_id": awarded.public_id})
    client.post(url, {"action": "start"})
    first = awarded.milestones.first()
    client.post(
        url, {"action": "request", "milestone": first.pk, "amount": "10000", "idempotency_key": "abc"}
    )
    client.post(
        url, {"action": "request", "milestone": first.pk, "amount": "10000", "idempotency_key": "abc"}
    )
    payment = PaymentRequest.objects.get()
    client.logout()
    signed_in(client, other_customer)
    customer_url = reverse("demand:customer-delivery", kwargs={"public_id": awarded.public_id})
    assert client.post(customer_url, {"action": "approve", "payment": payment.public_id}).status_code == 404
    client.logout()
    signed_in(client, customer, customer_org)
    page = client.get(reverse("demand:requirement", kwargs={"public_id": awarded.requirement.public_id}))
    assert 'data-testid="milestones"' in page.content.decode()
    client.post(customer_url, {"action": "approve", "payment": payment.public_id})
    payment.refresh_from_db()
    assert payment.state == PaymentRequestState.APPROVED and payment.decided_by == customer


@pytest.mark.django_db
def test_demand_facts_are_reported(awarded, customer, partner_a, partner_b):
    from demand.services import leads as lead_services

    lead = lead_services.create_lead(
        partner=partner_a,
        user=customer,
        contact_name="x",
        email="",
        topic="ask",
        message="hi",
        preferred_contact="email",
        consent=True,
    )
    lead_services.reply(lead=lead, user=owner_of(partner_a), body="hello", from_partner=True)
    services.start_delivery(requirement=awarded.requirement, by=customer)
    first, second = awarded.milestones.all()
    services.decide_milestone(milestone=first, by=customer, accept=False)
    services.decide_milestone(milestone=first, by=customer, accept=True)
    assert report_demand_facts(months=1) > 0
    month = timezone.localdate().replace(day=1)
    facts = {
        (f.partner_id, f.metric.slug): f.value
        for f in PartnerFact.objects.filter(month=month).select_related("metric")
    }
    assert facts[(partner_a.pk, "proposals_sent")] == 1
    assert facts[(partner_a.pk, "requirement_win_rate")] == Decimal("100")
    assert facts[(partner_b.pk, "requirement_win_rate")] == 0
    assert facts[(partner_a.pk, "leads_received")] == 1
    assert facts[(partner_a.pk, "lead_first_response_hours")] < 1
    assert facts[(partner_a.pk, "delivery_success_rate")] == Decimal("50")
    assert report_demand_facts(months=1) == len(facts)  # idempotent upsert
