"""Partner-reported metered usage: the one path behind both the signed ``/billing/api/usage/``
endpoint and the partner API's ``POST /api/v1/usage-records/`` batches.

:func:`report_usage` finds the subscription among the partner's usage-based subscriptions
(another partner's, or a flat one, is ``not_found``), refuses a record more than
:data:`MAX_LATENESS` old when its time is given, namespaces the partner's key (keys are unique
per partner, not across partners) and records it through ``subscriptions.record_usage``, which
charges it once. It never raises for a single record's problem: the outcome says what happened.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from billing import gateway, selectors
from billing.models import UsageRecord
from billing.services import subscriptions

MAX_BATCH = 100
MAX_LATENESS = timedelta(hours=24)
MAX_EARLINESS = timedelta(minutes=5)  # clock skew allowed for a time in the future

NOT_FOUND = gettext_noop("No such usage-based subscription of yours.")
TOO_LATE = gettext_noop("This record is more than 24 hours old; usage must be reported within a day.")
IN_FUTURE = gettext_noop("This record's time is in the future.")


@dataclass
class UsageOutcome:
    status: str  # created | duplicate | rejected
    record: UsageRecord | None = None
    code: str = ""
    detail: str = ""

    def as_dict(self) -> dict:
        if self.record is not None:
            return {"status": self.status, "id": self.record.pk}
        return {"status": self.status, "code": self.code, "detail": self.detail}


@dataclass
class UsageInput:
    subscription_id: object
    quantity: int
    key: str
    occurred_at: object = None
    note: str = ""


def report_batch(*, partner, records: list[UsageInput]) -> list[UsageOutcome]:
    """:func:`report_usage` for each record, in order, with the batch's subscriptions and
    already-used keys read in two queries (a replayed batch costs two queries, not 5 × 100)."""
    ids = {public_id for r in records if (public_id := _uuid_or_none(r.subscription_id))}
    subscriptions_by_id = {
        sub.public_id: sub
        for sub in selectors.metered_subscriptions_for_partner(partner)
        .filter(public_id__in=ids)
        .select_related("price")
    }
    used = {
        key: (subscription_id, pk)
        for key, subscription_id, pk in UsageRecord.objects.filter(
            idempotency_key__in=[partner_key(partner, r.key) for r in records]
        ).values_list("idempotency_key", "subscription_id", "pk")
    }
    outcomes = []
    for record in records:
        sub = subscriptions_by_id.get(_uuid_or_none(record.subscription_id))
        full_key = partner_key(partner, record.key)
        subscription_id, pk = used.get(full_key, (None, None))
        if sub is not None and subscription_id == sub.pk and not _refused_time(record.occurred_at):
            outcomes.append(UsageOutcome("duplicate", record=UsageRecord(pk=pk)))
            continue
        with transaction.atomic():
            outcomes.append(
                report_usage(
                    partner=partner,
                    subscription_id=record.subscription_id,
                    quantity=record.quantity,
                    key=record.key,
                    occurred_at=record.occurred_at,
                    note=record.note,
                    subscription=sub,
                )
            )
    return outcomes


def _uuid_or_none(value):
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def _refused_time(occurred_at) -> bool:
    if occurred_at is None:
        return False
    now = timezone.now()
    return occurred_at < now - MAX_LATENESS or occurred_at > now + MAX_EARLINESS


def partner_key(partner, key: str) -> str:
    return f"api-{partner.pk}-{key}"


def report_usage(
    *,
    partner,
    subscription_id,
    quantity: int,
    key: str,
    occurred_at=None,
    day=None,
    note: str = "",
    subscription=None,
) -> UsageOutcome:
    try:
        public_id = uuid.UUID(str(subscription_id))
    except ValueError:
        return UsageOutcome("rejected", code="not_found", detail=_(NOT_FOUND))
    if occurred_at is not None:
        now = timezone.now()
        if occurred_at < now - MAX_LATENESS:
            return UsageOutcome("rejected", code="late", detail=_(TOO_LATE))
        if occurred_at > now + MAX_EARLINESS:
            return UsageOutcome("rejected", code="in_future", detail=_(IN_FUTURE))
        day = timezone.localdate(occurred_at)
    sub = (
        subscription
        or selectors.metered_subscriptions_for_partner(partner).filter(public_id=public_id).first()
    )
    if sub is None:
        return UsageOutcome("rejected", code="not_found", detail=_(NOT_FOUND))
    full_key = partner_key(partner, key)
    existed = UsageRecord.objects.filter(idempotency_key=full_key).exists()
    try:
        record = subscriptions.record_usage(sub, quantity=quantity, key=full_key, note=note[:200], day=day)
    except subscriptions.PurchaseError as exc:
        return UsageOutcome("rejected", code="refused", detail=exc.message)
    except gateway.BillingGatewayError as exc:
        return UsageOutcome("rejected", code="unavailable", detail=exc.message)
    return UsageOutcome("duplicate" if existed else "created", record=record)
