"""Billing's refusals are ``core.exceptions.ApplicationError``s: views show ``error.message``, the
API answers a problem document with the class's status and a stable code (Stripe's own reason
for a declined card)."""

import pytest
from django.test import RequestFactory
from rest_framework.request import Request

from api.problems import exception_handler
from billing import gateway
from billing.services import entitlements, plans, subscriptions, trials, webhooks
from core.exceptions import ApplicationError

REFUSALS = [
    (subscriptions.PurchaseError, "purchase_refused", 400),
    (webhooks.NotReady, "not_ready", 409),
    (plans.PlanNotForSale, "plan_not_for_sale", 400),
    (entitlements.SeatError, "seat_refused", 400),
    (trials.TrialRefused, "trial_refused", 400),
    (gateway.BillingGatewayError, "payment_failed", 402),
    (gateway.SignatureError, "bad_signature", 400),
]


@pytest.mark.parametrize(("cls", "code", "status"), REFUSALS)
def test_each_billing_refusal_is_an_application_error_with_its_code(cls, code, status):
    error = cls("Not now.")
    assert isinstance(error, ApplicationError)
    assert (error.code, error.status, error.message, str(error)) == (code, status, "Not now.", "Not now.")


def test_gateway_errors_keep_stripes_reason_and_a_customer_message():
    declined = gateway.CardDeclined(code="insufficient_funds")
    assert declined.code == "insufficient_funds" and declined.status == 402
    assert declined.message == str(gateway.DECLINED)
    unavailable = gateway.PaymentUnavailable()
    assert (unavailable.code, unavailable.status) == ("payment_unavailable", 503)


def test_the_api_answers_a_problem_document(settings):
    request = Request(RequestFactory().post("/api/v1/subscriptions/"))
    response = exception_handler(gateway.CardDeclined(code="card_declined"), {"request": request})
    assert response.status_code == 402
    assert response.content_type.startswith("application/problem+json")
    assert response.data["code"] == "card_declined"
    assert response.data["detail"] == str(gateway.DECLINED)
