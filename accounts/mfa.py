"""Two-factor authentication: who must have it and the one way to enrol someone in code.

MFA (allauth's TOTP with recovery codes) is optional for customers and partner members and
**required** for ecosystem staff (superusers and the groups of :mod:`accounts.roles`) and for
owners and admins of partner organisations (payouts, API keys, fulfilment secrets).
:class:`accounts.middleware.RequireMFAMiddleware` sends such a user without an authenticator to
allauth's TOTP enrolment before any admin or partner console page.
"""

from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP
from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import Exists, OuterRef

from accounts.models import MANAGER_ROLES, Membership, Organisation, User
from accounts.roles import STAFF_GROUPS

STAFF_GROUP_NAMES = tuple(group.name for group in STAFF_GROUPS.values())


def is_ecosystem_staff(user) -> bool:
    """Superusers and members of the staff groups of :mod:`accounts.roles` (not partner members,
    who reach the admin through their workspace group)."""
    if not getattr(user, "is_authenticated", False):
        return False
    return user.is_superuser or user.groups.filter(name__in=STAFF_GROUP_NAMES).exists()


def mfa_required(user) -> bool:
    """True when ``user`` may not use the admin or the partner console without an authenticator."""
    if not getattr(user, "is_authenticated", False):
        return False
    if is_ecosystem_staff(user):
        return True
    return Membership.objects.filter(
        user=user, role__in=MANAGER_ROLES, organisation__kind=Organisation.Kind.PARTNER
    ).exists()


def has_totp(user) -> bool:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def must_enrol(user) -> bool:
    """``mfa_required(user) and not has_totp(user)`` in one query (it runs on every admin and
    console request, see :class:`accounts.middleware.RequireMFAMiddleware`)."""
    if not getattr(user, "is_authenticated", False):
        return False
    row = (
        User.objects.filter(pk=user.pk)
        .annotate(
            staff=Exists(Group.objects.filter(user=OuterRef("pk"), name__in=STAFF_GROUP_NAMES)),
            manager=Exists(
                Membership.objects.filter(
                    user=OuterRef("pk"), role__in=MANAGER_ROLES, organisation__kind=Organisation.Kind.PARTNER
                )
            ),
            totp=Exists(Authenticator.objects.filter(user=OuterRef("pk"), type=Authenticator.Type.TOTP)),
        )
        .values_list("staff", "manager", "totp")
        .first()
    )
    if row is None:  # deleted meanwhile
        return False
    staff, manager, totp = row
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
