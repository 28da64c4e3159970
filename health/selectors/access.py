"""Who may see which health figures (permission strings, held by the staff groups of
``accounts/roles.py``):

* ``health.view_healthsnapshot`` — health screens: scores, at-risk, drill-down, every
  partner report (programme managers, ecosystem admins);
* ``health.view_vendorrevenue`` — revenue figures: GMV, platform revenue, the ecosystem
  multiplier, and the ecosystem report (also granted to Finance).

A partner report is also open to that partner's members; anyone else gets 404 from the views.
"""

from __future__ import annotations

from health.models import GeneratedReport
from partners.models import Partner

VIEW_HEALTH = "health.view_healthsnapshot"
VIEW_REVENUE = "health.view_vendorrevenue"


def can_view_health(user) -> bool:
    return bool(user and user.is_authenticated and user.has_perm(VIEW_HEALTH))


def can_view_revenue(user) -> bool:
    return bool(user and user.is_authenticated and user.has_perm(VIEW_REVENUE))


def can_view_dashboard(user) -> bool:
    return can_view_health(user) or can_view_revenue(user)


def is_partner_member(user, partner_id) -> bool:
    if not (user and user.is_authenticated and partner_id):
        return False
    return Partner.objects.filter(pk=partner_id, organisation__memberships__user=user).exists()


def can_access_report(user, report: GeneratedReport) -> bool:
    """Partner reports: that partner's members and health staff. Ecosystem: health staff, finance."""
    if not (user and user.is_authenticated):
        return False
    if report.kind == GeneratedReport.Kind.ECOSYSTEM:
        return can_view_dashboard(user)
    return can_view_health(user) or is_partner_member(user, report.partner_id)
