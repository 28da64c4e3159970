"""The partner API's conventions: problem documents (bad input never 500, caller's language),
Idempotency-Key replay, rate-limit headers and 429, cursor pagination, IP allow-list, versions."""

import json
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext

from api.models import IdempotentResponse
from billing.models import LedgerEntry, LedgerKind
from tests.factories.api import api_client, key_for, partner_client, world
from tests.unit.accounts.helpers import built_once_per_module, copies

pytestmark = pytest.mark.django_db

USAGE = "/api/v1/usage-records"

# ``mine`` (tests.factories.api.world) built once for the module: each test runs in a savepoint
# and gets its own copies; ``token`` (api/conftest.py) is still a new key for each test.
_mine_built_once = built_once_per_module(world)


@pytest.fixture
def mine(_mine_built_once):
    return copies(_mine_built_once)


def post(client, body, *, key="k-1", raw=False):
    data = body if raw else json.dumps(body)
    return client.post(USAGE, data, content_type="application/json", headers={"Idempotency-Key": key})


def record(sub, **overrides):
    values = {
        "subscription": str(sub.public_id),
        "quantity": 2,
        "key": "r1",
        "timestamp": timezone.now().isoformat(),
    }
    values.update(overrides)
    return values


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (b"{not json", "malformed_json"),
        (b"", "invalid"),
        (b"[1, 2]", "invalid"),
        (b'{"records": "many"}', "invalid"),
        (b'{"records": [], "extra": 1}', "invalid"),
        (
            b'{"records": [{"subscription": "x", "quantity": "two", "key": "a", "timestamp": "soon"}]}',
            "invalid",
        ),
        (b'{"records": [{"quantity": NaN}]}', "malformed_json"),
    ],
)
def test_bad_bodies_are_400_problems_never_500(token, body, code):
    response = post(api_client(token), body, raw=True)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["code"] == code and problem["status"] == 400
    assert set(problem) >= {"type", "title", "status", "detail", "code"}


def test_unknown_fields_are_named(token, mine):
    response = post(api_client(token), {"records": [record(mine.subscription, colour="red")]})
    assert response.status_code == 400
    assert response.json()["errors"]["records"]["0"]["colour"] == ["Unknown field."]


def test_huge_body_is_400(token):
    response = post(api_client(token), b'{"records": ["' + b"x" * 300_000 + b'"]}', raw=True)
    assert response.status_code == 400 and response.json()["code"] == "body_too_large"


def test_batch_of_more_than_100_is_refused(token, mine):
    records = [record(mine.subscription, key=f"r{i}") for i in range(101)]
    response = post(api_client(token), {"records": records})
    assert response.status_code == 400 and "records" in response.json()["errors"]


def test_problems_speak_the_callers_language(mine):
    _key, token = key_for(mine.partner)
    zh, en = (
        post(api_client(token, language=language), {"records": [{}]}, key=language)
        for language in ("zh-hans", "en")
    )
    assert zh.json()["code"] == en.json()["code"] == "invalid"
    assert en.json()["errors"]["records"]["0"]["quantity"] == ["This field is required."]
    with translation.override("zh-hans"):
        required_zh = gettext("This field is required.")
    assert required_zh != "This field is required."
    assert zh.json()["errors"]["records"]["0"]["quantity"] == [required_zh]
    assert zh["Content-Language"] == "zh-hans"


def test_missing_scope_problem_names_the_scope(mine):
    partner_api = partner_client(mine.partner, ["listings:read"])
    problem = partner_api.get("/api/v1/payouts").json()
    assert problem["detail"] == "This API key does not have the scope payouts:read."
    assert problem["title"] == "Forbidden" and problem["scope"] == "payouts:read"


def test_unknown_endpoint_is_a_404_problem(token):
    response = api_client(token).get("/api/v1/nothing-here")
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_post_needs_an_idempotency_key(token, mine):
    response = api_client(token).post(
        USAGE, {"records": [record(mine.subscription)]}, content_type="application/json"
    )
    assert response.status_code == 400 and response.json()["code"] == "idempotency_key_required"


def test_idempotency_replays_byte_identical_and_refuses_another_body(token, mine):
    client = api_client(token)
    body = {"records": [record(mine.subscription)]}
    first = post(client, body, key="same")
    again = post(client, body, key="same")
    assert first.status_code == again.status_code == 200
    assert again.content == first.content
    assert again["Idempotent-Replayed"] == "true"
    other = post(client, {"records": [record(mine.subscription, quantity=5)]}, key="same")
    assert other.status_code == 422 and other.json()["code"] == "idempotency_key_reused"
    assert IdempotentResponse.objects.count() == 1


def test_idempotency_keys_expire_after_24_hours(token, mine):
    client = api_client(token)
    post(client, {"records": [record(mine.subscription)]}, key="old")
    IdempotentResponse.objects.update(created_at=timezone.now() - timedelta(hours=25))
    response = post(client, {"records": [record(mine.subscription, quantity=9)]}, key="old")
    assert response.status_code == 200 and "Idempotent-Replayed" not in response


def test_rate_limit_headers_and_429(mine):
    key, token = key_for(mine.partner)
    key.rate_per_second, key.burst = 1, 3
    key.save()
    client = api_client(token)
    seen = [client.get("/api/v1/partner") for _ in range(4)]
    assert [r.status_code for r in seen] == [200, 200, 200, 429]
    assert seen[0]["X-RateLimit-Limit"] == "3"
    assert [int(r["X-RateLimit-Remaining"]) for r in seen[:3]] == [2, 1, 0]
    assert int(seen[0]["X-RateLimit-Reset"]) >= 1
    refused = seen[3]
    assert refused.json()["code"] == "rate_limited"
    assert int(refused["Retry-After"]) >= 1
    assert refused["X-RateLimit-Remaining"] == "0"


def test_default_rate_is_10_per_second_burst_20(mine):
    key, _token = key_for(mine.partner)
    assert (key.rate_per_second, key.burst) == (10, 20)


def test_ip_allow_list(mine):
    partner_api = partner_client(mine.partner, allowed_ips=["203.0.113.0/24"])
    assert partner_api.get("/api/v1/partner", REMOTE_ADDR="203.0.113.9").status_code == 200
    refused = partner_api.get("/api/v1/partner", REMOTE_ADDR="198.51.100.1")
    assert refused.status_code == 403 and refused.json()["code"] == "ip_not_allowed"


def test_versions_pinned_per_key(token):
    client = api_client(token)
    assert client.get("/api/v1/partner")["Symbio-Version"] == "2026-12-01"
    unknown = client.get("/api/v1/partner", headers={"Symbio-Version": "1999-01-01"})
    assert unknown.status_code == 400 and unknown.json()["code"] == "unknown_version"


def test_times_are_utc_and_money_is_a_decimal_string(token, mine):
    body = api_client(token).get(f"/api/v1/transactions/{mine.entry.pk}").json()
    assert body["occurred_at"].endswith("Z")
    assert body["amount"] == {"amount": "299.00", "currency": "CNY"}


def _entries(partner, count):
    now = timezone.now()
    return LedgerEntry.objects.bulk_create(
        LedgerEntry(partner=partner, kind=LedgerKind.ADJUSTMENT, amount=i, currency="CNY", occurred_at=now)
        for i in range(count)
    )


def test_cursor_pagination_has_no_duplicates_or_gaps_while_rows_are_added(token, mine):
    _entries(mine.partner, 11)  # 12 with the world's own entry
    client = api_client(token)
    page = client.get("/api/v1/transactions?limit=5").json()
    seen = [row["id"] for row in page["results"]]
    _entries(mine.partner, 2)  # arrive while the client pages
    while page["next"]:
        page = client.get(page["next"]).json()
        seen += [row["id"] for row in page["results"]]
    assert len(seen) == len(set(seen)) == 14
    assert seen == sorted(seen)


def test_limit_bounds_and_updated_since(token, mine):
    client = api_client(token)
    assert client.get("/api/v1/transactions?limit=201").status_code == 400
    assert client.get("/api/v1/transactions?limit=0").status_code == 400
    assert client.get("/api/v1/transactions?cursor=garbage").status_code == 400
    assert client.get("/api/v1/transactions?updated_since=yesterday").status_code == 400
    future = (timezone.now() + timedelta(days=1)).isoformat()
    assert client.get("/api/v1/transactions", {"updated_since": future}).json()["results"] == []
    past = (timezone.now() - timedelta(days=1)).isoformat()
    assert len(client.get("/api/v1/transactions", {"updated_since": past}).json()["results"]) == 1


def test_last_used_is_recorded(mine):
    key, token = key_for(mine.partner)
    assert key.last_used_at is None
    api_client(token).get("/api/v1/partner")
    key.refresh_from_db()
    assert key.last_used_at is not None


def test_stored_responses_are_purged_after_24_hours(token, mine):
    from api.tasks import purge_idempotent_responses

    post(api_client(token), {"records": [record(mine.subscription)]}, key="purge-me")
    post(api_client(token), {"records": [record(mine.subscription)]}, key="keep-me")
    IdempotentResponse.objects.filter(key="purge-me").update(created_at=timezone.now() - timedelta(hours=25))
    assert purge_idempotent_responses() == 1
    assert list(IdempotentResponse.objects.values_list("key", flat=True)) == ["keep-me"]


def test_rows_changed_while_paging_are_seen_once(token, mine):
    """Subscriptions (which change) page in creation order: one changed after it was read is not
    read again; updated_since then finds it."""
    from billing.models import Subscription

    subs = [mine.subscription]
    for _ in range(5):
        clone = Subscription.objects.get(pk=mine.subscription.pk)
        clone.pk, clone.public_id, clone.idempotency_key = None, uuid.uuid4(), uuid.uuid4().hex
        clone.save()
        subs.append(clone)
    client = api_client(token)
    started = timezone.now()
    page = client.get("/api/v1/subscriptions?limit=2").json()
    seen = [row["id"] for row in page["results"]]
    Subscription.objects.filter(pk=subs[0].pk).update(quantity=7, updated_at=timezone.now())
    while page["next"]:
        page = client.get(page["next"]).json()
        seen += [row["id"] for row in page["results"]]
    assert seen == [str(s.public_id) for s in subs]
    changed = client.get("/api/v1/subscriptions", {"updated_since": started.isoformat()}).json()["results"]
    assert [row["id"] for row in changed] == [str(subs[0].public_id)]
