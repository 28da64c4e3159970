"""Integer overflow over every route: each URL pattern with an ``int`` converter is requested
with 2**63 (one past PostgreSQL's bigint) in every integer place, by a superuser and a partner
owner (so the views get past their permission checks to the database): 404, never 500 or 200
(no object has that id); the partner API answers problem documents. The query parameters that
take integers (compare ids, page numbers) ignore or clamp such a value: never a 500."""

import re

import pytest

from accounts.models import Role
from tests.factories.partners import provisioned_partner
from tests.unit.security.test_access_matrix import PLACEHOLDERS, concrete, routes, staff

pytestmark = pytest.mark.django_db

HUGE = str(2**63)
QUERY_CASES = [
    "/compare/?ids=" + HUGE,
    "/compare/?ids=1," + HUGE,
    "/search/?page=" + HUGE,
    "/search/?q=crm&page=" + HUGE,
    "/categories/?page=" + HUGE,
]


def overflowing(route: str) -> str | None:
    if "<int:" not in route:
        return None
    filled = re.sub(r"<int:\w+>", HUGE, route)
    return concrete(filled)


def test_every_int_route_and_query_refuses_a_huge_number(client):
    client.raise_request_exception = False
    partner = provisioned_partner()
    owner = partner.organisation.memberships.get(role=Role.OWNER).user
    paths = sorted({p for p in (overflowing(route) for route, _name in routes()) if p})
    assert len(paths) > 20  # the sweep found the routes
    assert all(PLACEHOLDERS["int"] not in p for p in paths)
    failures = []
    for user in (staff(), owner):
        client.force_login(user)
        for path in paths:
            response = client.get(path)
            status = response.status_code
            if status >= 500 or status == 200:
                failures.append((user.email, path, status))
            elif path.startswith("/api/") and not response["Content-Type"].startswith("application/problem"):
                failures.append((user.email, path, status, response["Content-Type"]))
        failures += [(user.email, q, s) for q in QUERY_CASES if (s := client.get(q).status_code) >= 500]
    assert failures == [], "\n".join(map(str, failures))
