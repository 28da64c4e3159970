"""Headers and limits: CSP with nonces (Wagtail's admin with its own policy), the proxy count for
login limits in production, usage-API signatures checked in both directions and malformed
headers answered 400, integers past PostgreSQL's range refused without a 500."""

import json
import re
import time

import pytest
from django.contrib.auth.models import Group

from accounts.roles import STAFF_GROUPS
from billing.services.fulfilment import endpoint_for, sign, verify_signature
from tests.factories.accounts import UserFactory
from tests.unit.accounts.helpers import enrol_totp
from tests.unit.core.test_settings import PRINT_SETTING, production_env, run

pytestmark = pytest.mark.django_db

USAGE_URL = "/billing/api/usage/"
HUGE = "9" * 25


def csp(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part for part in (p.strip() for p in header.split(";")) if part}


# --- Content-Security-Policy -----------------------------------------------------------------------
def test_site_pages_allow_only_nonced_inline_scripts(client):
    response = client.get("/en/accounts/login/")
    assert response.status_code == 200
    policy = csp(response)
    nonce = re.search(r"'nonce-([^']+)'", policy["script-src"]).group(1)
    assert "'unsafe-inline'" not in policy["script-src"] and "'unsafe-eval'" not in policy["script-src"]
    assert policy["object-src"] == "object-src 'none'"
    assert "frame-ancestors 'self'" in policy.values() and "base-uri 'self'" in policy.values()
    html = response.content.decode()
    inline = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", html)
    assert inline, "the page has its small inline script"
    assert all(f'nonce="{nonce}"' in attrs for attrs in inline), inline
    # A fresh nonce per response.
    assert csp(client.get("/en/accounts/login/"))["script-src"] != policy["script-src"]
    # Our own origin stays allowed where Stripe's are added: search suggestions and htmx fetch
    # from it (a directive listing only Stripe would block them), Stripe's card frame too.
    assert "'self'" in policy["connect-src"].split()
    assert "'self'" in policy["frame-src"].split()


def test_stripe_js_origin_is_allowed_on_site_pages(client, settings):
    settings.STRIPE_JS_URL = "https://js.stripe.com/v3/"
    policy = csp(client.get("/en/accounts/login/"))
    assert "https://js.stripe.com" in policy["script-src"]
    assert "https://js.stripe.com" in policy["frame-src"]


def test_the_wagtail_admin_gets_its_own_policy_and_still_renders(client):
    user = UserFactory(is_superuser=True, is_staff=True)
    user.groups.add(Group.objects.get_or_create(name=STAFF_GROUPS["admin"].name)[0])
    enrol_totp(user)
    client.force_login(user)
    from wagtail.models import Page

    page = Page.objects.filter(depth__gt=1).order_by("path").first()
    for path in ("/admin/", "/admin/pages/", f"/admin/pages/{page.pk}/edit/", "/admin/images/"):
        response = client.get(path)
        assert response.status_code == 200, path
        policy = csp(response)
        assert "'unsafe-inline'" in policy["script-src"] and "nonce-" not in policy["script-src"], path
        assert policy["object-src"] == "object-src 'none'"
        assert "https://" not in policy["script-src"], path  # no foreign script origins in the admin


# --- production: the proxy in front ------------------------------------------------------------
def test_production_reads_the_trusted_proxy_count_from_the_environment():
    code = PRINT_SETTING.format("ALLAUTH_TRUSTED_PROXY_COUNT")
    assert run(["-c", code], production_env()).stdout.strip() == "1"  # the documented proxy
    assert run(["-c", code], production_env(ALLAUTH_TRUSTED_PROXY_COUNT="2")).stdout.strip() == "2"
    for bad in ("many", "9"):
        result = run(["-c", code], production_env(ALLAUTH_TRUSTED_PROXY_COUNT=bad))
        assert result.returncode != 0 and "ALLAUTH_TRUSTED_PROXY_COUNT" in result.stderr, bad


# --- usage API signatures and headers -------------------------------------------------------------
def test_signatures_are_refused_too_far_in_the_future_as_in_the_past():
    body, secret, now = b'{"a":1}', "fsec_test", 1_800_000_000
    assert verify_signature(secret, body, sign(secret, body, now - 299), now=now)
    assert verify_signature(secret, body, sign(secret, body, now + 299), now=now)
    assert not verify_signature(secret, body, sign(secret, body, now - 301), now=now)
    assert not verify_signature(secret, body, sign(secret, body, now + 301), now=now)
    assert not verify_signature(secret, body, sign(secret, body, now + 10**9), now=now)
    good = sign(secret, body, now)
    for bad in (good.replace("v1=", "v1=²"), "t=٣,v1=" + "a" * 64, f"t={HUGE},v1=" + "a" * 64, "t=1,v1=²"):
        assert verify_signature(secret, body, bad, now=now) is False, bad


@pytest.fixture
def partner(db):
    from tests.factories.partners import provisioned_partner

    return provisioned_partner()


def test_usage_api_answers_malformed_headers_with_400_not_500(client, partner):
    body = json.dumps({"subscription": "x", "quantity": 1, "key": "k"}).encode()
    secret = endpoint_for(partner).secret
    good = sign(secret, body)

    def post(partner_header, signature):
        return client.post(
            USAGE_URL,
            data=body,
            content_type="application/json",
            HTTP_X_SYMBIO_PARTNER=partner_header,
            HTTP_X_SYMBIO_SIGNATURE=signature,
        )

    assert post("²", good).status_code == 400
    assert post(str(partner.pk), good.replace("v1=", "v1=²")).status_code == 400
    assert post(str(partner.pk), "t=١٢٣,v1=abc").status_code == 400
    assert post(HUGE, good).status_code == 401  # a number no partner has
    assert post("9" * 5000, good).status_code == 401
    assert post(str(partner.pk), f"t={HUGE},v1={'0' * 64}").status_code == 401
    future = sign(secret, body, int(time.time()) + 3600)
    assert post(str(partner.pk), future).status_code == 401
    # A well-formed, current signature gets past the check (the subscription is then unknown).
    assert post(str(partner.pk), good).status_code == 404


# --- integers past the database's range --------------------------------------------------------------
@pytest.mark.parametrize(
    "path",
    [
        f"/billing/checkout/{HUGE}/",
        f"/en/billing/trial/{HUGE}/start/",
        f"/reviews/listing/{HUGE}/",
        f"/en/reviews/listing/{HUGE}/write/",
        "/reviews/listing/2147483648/",
        f"/admin/pages/{HUGE}/edit/",
        f"/admin/catalog/listings/{HUGE}/delist/",
    ],
)
def test_integer_path_parameters_past_the_database_range_are_404(client, path):
    user = UserFactory(is_superuser=True, is_staff=True)
    enrol_totp(user)
    client.force_login(user)
    assert client.get(path).status_code == 404


@pytest.mark.parametrize("ids", [HUGE, f"1,{HUGE}", "²", "٣", "-1", "9" * 300, "2147483648"])
def test_compare_with_out_of_range_or_unicode_ids_is_not_a_500(client, ids):
    response = client.get("/en/compare/", {"ids": ids})
    assert response.status_code == 200
    assert client.post("/en/compare/add/", {"listing": ids}).status_code in (302, 404)
