"""A recorded, offline stand-in for Stripe's Connect API (development and tests only).

localstripe, which `make run` and the tests use for the rest of Stripe, has no Connect transfers.
This package serves RECORDED STRIPE RESPONSES for the one Connect call billing's gateway makes,
``POST /v1/transfers``: the bodies follow Stripe's documented ``transfer`` object and error
shapes (:mod:`billing.stripe_standin.recordings`). Billing's real gateway (stripe-python) talks to
it over HTTP through ``STRIPE_CONNECT_API_BASE``; nothing of ours is replaced.

- ``make run`` starts it on loopback (``python -m billing.stripe_standin``) beside localstripe;
- the tests use it through the ``recorded_stripe`` fixture (``tests/recorded_stripe.py``).

It moves no money and keeps no balance: every transfer succeeds, unless it was started with
``--refuse`` (or a test sets ``state["refuse"]``), when every transfer gets Stripe's recorded
``balance_insufficient`` refusal. Like Stripe, a repeated Idempotency-Key replays the first answer.
Standard library only, so it starts without Django.
"""

from billing.stripe_standin.recordings import INSUFFICIENT, RECORDED_TRANSFER_ID, transfer_body
from billing.stripe_standin.server import StandIn

__all__ = ["INSUFFICIENT", "RECORDED_TRANSFER_ID", "StandIn", "transfer_body"]
