"""The access matrix: every URL pattern (the project's and Wagtail's admin) is declared in
:data:`RULES` with who may read it; each is requested (GET, placeholders for its parameters)
as a visitor, a customer member and owner, a partner member and owner, a reviewer, a programme
manager, finance and an admin (superuser). A new URL fails :func:`test_every_url_pattern_is_declared`
until it is declared here.

Checks: nothing answers 500; a visitor never gets a 200 from anything but public pages;
customers never get a 200 in the admin; partner members and owners get a 200 in the admin only
on the declared partner screens (their pages, images, listings, account, choosers); each staff
group gets no 200 from the admin screens of the others' work (:data:`STAFF_REFUSED`).
"""

import re

import pytest
from django.urls import URLResolver, get_resolver

from accounts.models import Role
from tests.factories.accounts import MembershipFactory, OrganisationFactory, UserFactory, staff_member
from tests.factories.partners import provisioned_partner
from tests.unit.accounts.helpers import enrol_totp

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


def staff(group_key=None):
    """A superuser when ``group_key`` is None, else a member of that staff group."""
    if group_key is not None:
        return staff_member(group_key)
    user = UserFactory(is_superuser=True, is_staff=True)
    enrol_totp(user)  # staff need an authenticator before the admin (accounts.mfa)
    return user


def _customer(role):
    """An owner, or a member of an organisation that also has an owner."""
    organisation = OrganisationFactory()
    if role != Role.OWNER:
        MembershipFactory(user=UserFactory(), organisation=organisation, role=Role.OWNER)
    user = UserFactory()
    MembershipFactory(user=user, organisation=organisation, role=role)
    return user


def _partner_member():
    member = UserFactory()
    provisioned_partner(members=[member])
    return member


def _partner_owner():
    partner = provisioned_partner(members=[UserFactory()])
    return partner.organisation.memberships.get(role=Role.OWNER).user  # enrolled by the factory


PEOPLE = {  # each role's person, built in its own test
    "visitor": lambda: None,
    "customer": lambda: _customer(Role.OWNER),
    "customer_member": lambda: _customer(Role.MEMBER),
    "partner_member": _partner_member,
    "partner_owner": _partner_owner,
    "reviewer": lambda: staff("reviewer"),
    "programme_manager": lambda: staff("programme_manager"),
    "finance": lambda: staff("finance"),
    "admin": lambda: staff(),
}


STAFF = {PUBLIC, LOGIN, PARTNER_ADMIN, ADMIN}
ALLOWED = {  # classes where a 200 is fine, per role
    "visitor": {PUBLIC},
    "customer": {PUBLIC, LOGIN},
    "customer_member": {PUBLIC, LOGIN},
    "partner_member": {PUBLIC, LOGIN, PARTNER_ADMIN},
    "partner_owner": {PUBLIC, LOGIN, PARTNER_ADMIN},
    "reviewer": STAFF,
    "programme_manager": STAFF,
    "finance": STAFF,
    "admin": STAFF,
}
# Admin screens of another staff group's work: a 200 there is a failure (superusers see all).
_PEOPLE_AND_SITE = r"users|groups|sites|settings|redirects"  # Wagtail reports: every staff group
STAFF_REFUSED = {
    "reviewer": rf"^admin/(finance|programme|programme_decisions|programme_history|health_model|"
    rf"health_runs|ecosystem_health|incentives|cosell_admin|{_PEOPLE_AND_SITE})/",
    "programme_manager": rf"^admin/(finance|{_PEOPLE_AND_SITE})/",
    "finance": rf"^admin/(programme|programme_decisions|programme_history|health_runs|review-moderation|"
    rf"cosell_admin|{_PEOPLE_AND_SITE})/",
}


@pytest.mark.parametrize("role", PEOPLE)
def test_the_access_matrix_holds_for_every_role(client, role, settings):
    """One test per role, so the matrix (~620 requests a role) spreads over the xdist workers."""
    # Production's session engine (config/settings/production.py): the session of each of the
    # ~620 requests from the cache instead of a query (~13 % of a signed-in row's CPU).
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    client.raise_request_exception = False
    user = PEOPLE[role]()
    if user is not None:
        client.force_login(user)
    failures = []
    for route, name in routes():
        kind = classify(route)
        path = concrete(route)
        if path is None or kind == MACHINE:
            continue
        status = client.get(path).status_code
        # Each cell on its own: a person reads the message a refusal leaves (Wagtail's "you do
        # not have permission", allauth's) on the next page. Never shown here, they piled up in
        # the messages cookie and then the session, decoded and written again on every request.
        client.cookies.pop("messages", None)
        refused = kind not in ALLOWED[role] or re.search(STAFF_REFUSED.get(role, r"(?!)"), route)
        if status >= 500 or status == 200 and refused:
            failures.append((role, route, name, status))
    assert failures == [], "\n".join(map(str, failures))
