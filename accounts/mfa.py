"""Two-factor authentication: who must have it and the one way to enrol someone in code.

MFA (allauth's TOTP with recovery codes) is optional for customers and partner members and
**required** for ecosystem staff (superusers and the groups of :mod:`accounts.roles`) and for
owners and admins of partner organisations (payouts, API keys, fulfilment secrets).
:class:`accounts.middleware.RequireMFAMiddleware` sends such a user without an authenticator to
allauth's TOTP enrolment before any admin or partner console page.
"""

import functools

from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP
from django.contrib.auth.models import Group
from django.db import connections, router, transaction
from django.db.models import Exists, OuterRef

from accounts.models import MANAGER_ROLES, Membership, Organisation, User
from accounts.roles import STAFF_GROUPS

STAFF_GROUP_NAMES = tuple(group.name for group in STAFF_GROUPS.values())


# Who must use an authenticator, defined once: each takes a user or ``OuterRef("pk")``.
def _in_staff_groups(user):
    return Group.objects.filter(user=user, name__in=STAFF_GROUP_NAMES)


def _manages_a_partner(user):
    return Membership.objects.filter(
        user=user, role__in=MANAGER_ROLES, organisation__kind=Organisation.Kind.PARTNER
    )


def _totp_of(user):
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP)


def is_ecosystem_staff(user) -> bool:
    """Superusers and members of the staff groups of :mod:`accounts.roles` (not partner members,
    who reach the admin through their workspace group)."""
    if not getattr(user, "is_authenticated", False):
        return False
    return user.is_superuser or _in_staff_groups(user).exists()


def mfa_required(user) -> bool:
    """True when ``user`` may not use the admin or the partner console without an authenticator."""
    if not getattr(user, "is_authenticated", False):
        return False
    return is_ecosystem_staff(user) or _manages_a_partner(user).exists()


def has_totp(user) -> bool:
    return _totp_of(user).exists()


# A primary key no user has, standing for the user in the statement compiled once below.
_ANY_USER = -7_302_519_846


@functools.cache
def _must_enrol_statement(alias: str) -> tuple[str, tuple, int]:
    """The SQL of :func:`must_enrol`'s query, compiled once per database (alias): SQL, its
    parameters, and where among them the user's primary key goes. Compiling the three ``EXISTS``
    subqueries costs ~1 ms of CPU, more than running them, on every admin and console request."""
    me = OuterRef("pk")
    query = (
        User.objects.filter(pk=_ANY_USER)
        .annotate(
            staff=Exists(_in_staff_groups(me)),
            manager=Exists(_manages_a_partner(me)),
            totp=Exists(_totp_of(me)),
        )
        .values_list("staff", "manager", "totp")
        .query
    )
    sql, params = query.get_compiler(using=alias).as_sql()
    (position,) = (index for index, value in enumerate(params) if value == _ANY_USER)
    return sql, tuple(params), position


def must_enrol(user) -> bool:
    """``mfa_required(user) and not has_totp(user)`` in one query (it runs on every admin and
    console request, see :class:`accounts.middleware.RequireMFAMiddleware`)."""
    if not getattr(user, "is_authenticated", False):
        return False
    alias = router.db_for_read(User)
    sql, params, position = _must_enrol_statement(alias)
    params = params[:position] + (user.pk,) + params[position + 1 :]
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:  # deleted meanwhile
        return False
    staff, manager, totp = map(bool, row)
    return (user.is_superuser or staff or manager) and not totp


@transaction.atomic
def enrol_totp(user, *, secret: str) -> Authenticator:
    """Give ``user`` a TOTP authenticator with ``secret`` (base32) and recovery codes, as allauth's
    enrolment would; an existing TOTP authenticator is kept. For seeding and tests; people enrol
    through allauth's screens."""
    existing = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if existing is not None:
        return existing
    authenticator = TOTP.activate(user, secret).instance
    RecoveryCodes.activate(user)
    return authenticator
