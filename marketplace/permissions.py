"""Who may do what with reviews. Object access answers 404 elsewhere (selectors); these are
the role checks behind it."""

from accounts.models import MANAGER_ROLES, Membership
from accounts.roles import STAFF_GROUPS

MODERATE_PERMISSION = "marketplace.moderate_review"
# Staff groups that moderate reviews. ``accounts.roles`` gives Ecosystem admins
# ``marketplace.*``; Reviewers and Programme managers are recognised by group here so the
# rule holds however their model permissions are tuned.
MODERATOR_GROUPS = tuple(STAFF_GROUPS[key].name for key in ("reviewer", "programme_manager", "admin"))


def can_moderate_reviews(user) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser or user.has_perm(MODERATE_PERMISSION):
        return True
    cached = getattr(user, "_marketplace_moderator", None)
    if cached is None:
        cached = user.groups.filter(name__in=MODERATOR_GROUPS).exists()
        user._marketplace_moderator = cached
    return cached


def manages_organisation(user, organisation_id) -> bool:
    """Owner or admin of that organisation."""
    if not getattr(user, "is_authenticated", False) or organisation_id is None:
        return False
    return Membership.objects.filter(
        user=user, organisation_id=organisation_id, role__in=MANAGER_ROLES
    ).exists()
