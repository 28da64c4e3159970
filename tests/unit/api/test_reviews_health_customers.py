"""Reviews (read, one public reply), health snapshots, certified people and customers on the
partner API: own data only, another partner's object a 404, the reply scope enforced."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from health.models import HealthSnapshot
from marketplace.models import Review, ReviewReply
from partners.models import Certification, CertifiedPerson
from tests.factories.api import partner_client, world

pytestmark = pytest.mark.django_db


def _extras(w, n):
    review = Review.objects.create(
        listing=w.listing,
        organisation=w.subscription.organisation,
        rating=4,
        title="好用",
        body="对账快了很多。",
    )
    snapshot = HealthSnapshot.objects.create(
        partner=w.partner,
        month=date(2026, 11, 1),
        kind=w.partner.kind,
        composite=Decimal("71.50"),
        computed_at=timezone.now(),
    )
    certification, _created = Certification.objects.get_or_create(
        slug="symbio-admin", defaults={"name": "管理员"}
    )
    person = CertifiedPerson.objects.create(
        partner=w.partner,
        name=f"张{n}",
        email=f"zhang{n}@vendor.example.cn",
        certification=certification,
        issued_on=timezone.localdate() - timedelta(days=10),
        expires_on=timezone.localdate() + timedelta(days=300),
    )
    return review, snapshot, person


@pytest.fixture
def pair():
    mine, other = world(), world()
    return (mine, *_extras(mine, 1)), (other, *_extras(other, 2))


def test_partner_reads_and_replies_once_to_its_reviews(pair):
    (mine, review, *_), (other, other_review, *_) = pair
    partner_api = partner_client(mine.partner, ["listings:read", "reviews:reply"])
    listed = partner_api.get("/api/v1/reviews").json()["results"]
    assert [row["id"] for row in listed] == [str(review.public_id)]
    reply = partner_api.post(
        f"/api/v1/reviews/{review.public_id}/reply",
        {"body": "谢谢您的反馈！"},
        content_type="application/json",
        headers={"Idempotency-Key": "r1"},
    )
    assert reply.status_code == 201, reply.content
    assert reply.json()["reply"]["body"] == "谢谢您的反馈！"
    assert ReviewReply.objects.get(review=review).partner == mine.partner
    second = partner_api.post(
        f"/api/v1/reviews/{review.public_id}/reply",
        {"body": "再次感谢"},
        content_type="application/json",
        headers={"Idempotency-Key": "r2"},
    )
    assert second.status_code == 409 and second.json()["code"] == "already_replied"
    foreign = partner_api.post(
        f"/api/v1/reviews/{other_review.public_id}/reply",
        {"body": "x"},
        content_type="application/json",
        headers={"Idempotency-Key": "r3"},
    )
    assert foreign.status_code == 404
    assert not ReviewReply.objects.filter(review=other_review).exists()


def test_reply_needs_the_reply_scope(pair):
    (mine, review, *_), _other = pair
    partner_api = partner_client(mine.partner, ["listings:read"])
    response = partner_api.post(
        f"/api/v1/reviews/{review.public_id}/reply",
        {"body": "x"},
        content_type="application/json",
        headers={"Idempotency-Key": "r1"},
    )
    assert response.status_code == 403 and response.json()["scope"] == "reviews:reply"


@pytest.mark.parametrize(
    ("base", "scope", "pick"),
    [
        ("health-snapshots", "partner:read", lambda review, snapshot, person, w: snapshot.pk),
        ("certified-people", "partner:read", lambda review, snapshot, person, w: person.pk),
        (
            "customers",
            "entitlements:read",
            lambda review, snapshot, person, w: w.subscription.organisation.slug,
        ),
        ("reviews", "listings:read", lambda review, snapshot, person, w: review.public_id),
    ],
)
def test_own_rows_only_and_others_are_404(pair, base, scope, pick):
    (mine, *mine_extras), (other, *other_extras) = pair
    partner_api = partner_client(mine.partner, [scope])
    rows = partner_api.get(f"/api/v1/{base}").json()["results"]
    own_id = str(pick(*mine_extras, mine))
    assert [str(row["id"]) for row in rows] == [own_id]
    assert partner_api.get(f"/api/v1/{base}/{own_id}").status_code == 200
    other_id = pick(*other_extras, other)
    assert partner_api.get(f"/api/v1/{base}/{other_id}").status_code == 404
    no_scope_api = partner_client(mine.partner, ["usage:write"])
    assert no_scope_api.get(f"/api/v1/{base}").json()["scope"] == scope


def test_customer_counts(pair):
    (mine, *_), _other = pair
    partner_api = partner_client(mine.partner, ["entitlements:read"])
    customer = partner_api.get("/api/v1/customers").json()["results"][0]
    assert customer["subscriptions"] == 1 and customer["active_entitlements"] == 1
