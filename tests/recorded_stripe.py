"""RECORDED STRIPE RESPONSES for the Connect API, served at the HTTP layer by a throwaway loopback
server: localstripe has no Connect transfers. The server and its recordings are
``billing.stripe_standin`` — the same stand-in `make run` starts — so there is one copy of them.
Billing's real gateway (stripe-python) talks to it through ``STRIPE_CONNECT_API_BASE``, so nothing
of ours is replaced. Used by billing's payout tests and incentives' Connect payments (import the
fixture: ``from tests.recorded_stripe import recorded_stripe``)."""

import pytest

from billing.stripe_standin import INSUFFICIENT, RECORDED_TRANSFER_ID, StandIn, transfer_body

__all__ = ["INSUFFICIENT", "RECORDED_TRANSFER_ID", "recorded_stripe", "transfer_body"]


@pytest.fixture
def recorded_stripe(settings):
    """A loopback Stripe answering ``POST /v1/transfers`` with the recorded transfer (or, with
    ``state["refuse"] = True``, the recorded ``balance_insufficient`` error); every request is kept in
    ``state["requests"]`` as (path, form fields, Idempotency-Key)."""
    standin = StandIn(transfer_id=RECORDED_TRANSFER_ID).start()
    settings.STRIPE_CONNECT_API_BASE = standin.base
    settings.STRIPE_MAX_NETWORK_RETRIES = 0
    yield standin.state
    standin.close()
