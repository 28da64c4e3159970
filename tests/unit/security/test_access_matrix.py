"""The access matrix: every URL pattern (the project's and Wagtail's admin) is declared in
:data:`RULES` with who may read it; each is requested (GET, placeholders for its parameters)
as a visitor, a customer owner, a partner member and a partner owner. A new URL fails
:func:`test_every_url_pattern_is_declared` until it is declared here.

Checks: nothing answers 500; a visitor never gets a 200 from anything but public pages;
customers never get a 200 in the admin; partner members and owners get a 200 in the admin only
on the declared partner screens (their pages, images, listings, account, choosers).
"""

import re

import pytest
from django.urls import URLResolver, get_resolver

from accounts.models import Role
from tests.unit.accounts.factories import MembershipFactory, OrganisationFactory, UserFactory
from tests.unit.partners.factories import provisioned_partner

pytestmark = pytest.mark.django_db

PUBLIC, LOGIN, ADMIN, PARTNER_ADMIN, MACHINE = "public", "login", "admin", "partner-admin", "machine"

# (regex on the route, class). First match wins. ADMIN: staff only; PARTNER_ADMIN: admin screens
# partner members use (Wagtail still checks their page/collection permissions).
RULES = [
    (r"^healthz$|^sitemap\.xml$|^\^media", PUBLIC),
    (r"^billing/stripe/webhook/$|^billing/api/usage/$", MACHINE),
    (r"^documents/", PUBLIC),  # Wagtail checks each document's collection privacy
    (r"^admin/(login|logout|password_reset)/", PUBLIC),  # hand over to allauth
    (r"^admin/(jsi18n|sprite)/", PUBLIC),
    (
        r"^admin/$|^admin/(pages|images|choose-page|choose-external-link|choose-email-link|"
        r"choose-phone-link|choose-anchor-link|account|my-listings|tag-autocomplete|dismissibles|"
        r"editing-sessions|block-preview|bulk|api/main/pages|test404|_util|"
        # Wagtail filters these by the user's page/collection permissions:
        r"documents/chooser|embeds/chooser|forms)/",
        PARTNER_ADMIN,
    ),
    (r"^admin/failwhale/$", MACHINE),  # Wagtail's deliberate 500, for testing error pages
    (r"^\^admin|^admin/", ADMIN),  # incl. reports and workflow management (accounts/admin_scope.py)
    (r"^(jsi18n|search|compare|reviews|categories|industries)/", PUBLIC),
    (
        r"^accounts/(login|signup|password/reset|confirm-email|2fa/authenticate|reauthenticate|inactive|logout)",
        PUBLIC,
    ),
    # /partners/apply/ is the public programme page
    (r"^accounts/|^account/|^billing/|^partners/console", LOGIN),
    (r"^partners/", PUBLIC),  # directory and public partner pages
    (r"^$|^\^\(\(\?:|^\^\.\*", PUBLIC),  # Wagtail's page serving
    (r"^", PUBLIC),
]

PLACEHOLDERS = {
    "int": "987654",
    "uuid": "00000000-0000-4000-8000-000000000000",
    "slug": "no-such-thing",
    "str": "987655",  # Wagtail's admin takes primary keys as <str:pk>
    "path": "no-such-thing",
}


def walk(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern), pattern.name


def routes():
    return sorted(set(walk(get_resolver().url_patterns)))


def classify(route: str) -> str | None:
    for regex, kind in RULES:
        if re.search(regex, route):
            return kind
    return None


def concrete(route: str) -> str | None:
    """A requestable path for ``route`` (None for regex routes we cannot fill)."""
    path = re.sub(r"<(?:(\w+):)?\w+>", lambda m: PLACEHOLDERS.get(m.group(1) or "str", "x"), route)
    if any(c in path for c in "^$()?*+[]\\"):
        simple = path.lstrip("^").rstrip("$")
        if any(c in simple for c in "()?*+[]\\"):
            return None
        path = simple
    return "/" + path


def test_every_url_pattern_is_declared():
    undeclared = [route for route, _name in routes() if classify(route) is None]
    assert undeclared == []


@pytest.fixture
def people(db):
    customer = UserFactory()
    MembershipFactory(user=customer, organisation=OrganisationFactory(), role=Role.OWNER)
    member = UserFactory()
    partner = provisioned_partner(members=[member])
    owner = partner.organisation.memberships.get(role=Role.OWNER).user  # enrolled by the factory
    return {"visitor": None, "customer": customer, "partner_member": member, "partner_owner": owner}


ALLOWED = {  # classes where a 200 is fine, per role
    "visitor": {PUBLIC},
    "customer": {PUBLIC, LOGIN},
    "partner_member": {PUBLIC, LOGIN, PARTNER_ADMIN},
    "partner_owner": {PUBLIC, LOGIN, PARTNER_ADMIN},
}


def test_the_access_matrix_holds_for_visitors_customers_and_partners(client, people):
    client.raise_request_exception = False
    failures = []
    for role, user in people.items():
        client.logout()
        if user is not None:
            client.force_login(user)
        for route, name in routes():
            kind = classify(route)
            path = concrete(route)
            if path is None or kind == MACHINE:
                continue
            status = client.get(path).status_code
            if status >= 500 or status == 200 and kind not in ALLOWED[role]:
                failures.append((role, route, name, status))
    assert failures == [], "\n".join(map(str, failures))
