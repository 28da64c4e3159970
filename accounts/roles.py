"""Ecosystem-staff roles and the permissions each group holds.

Groups are created by a data migration and their permissions kept in step after every
``migrate`` (``accounts.signals.sync_staff_groups``), so apps added later get covered.
Permissions are named by ``app_label.codename`` strings: no imports of higher apps.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class StaffGroup:
    name: str  # stored Group.name (stable, English)
    label: str
    # "app_label.codename" or "app_label.*" (every permission of that app)
    permissions: tuple[str, ...] = field(default_factory=tuple)


ADMIN_ACCESS = "wagtailadmin.access_admin"

STAFF_GROUPS = {
    "reviewer": StaffGroup(
        name="Reviewers",
        label=_("Reviewer"),
        permissions=(ADMIN_ACCESS, "catalog.*", "wagtailimages.add_image", "wagtailimages.choose_image"),
    ),
    "programme_manager": StaffGroup(
        name="Programme managers",
        label=_("Programme manager"),
        permissions=(
            ADMIN_ACCESS,
            "partners.*",
            "health.*",
            "cosell.*",
            "demand.*",
            "accounts.view_organisation",
            "accounts.view_membership",
            "catalog.view_category",
            "incentives.manage_pools",  # incentives: pools, pre-approval, claim review
            "incentives.review_requests",
            "incentives.view_incentivepool",
            "incentives.view_fundrequest",
            "incentives.add_deliveryoutcome",
            "incentives.change_deliveryoutcome",
            "incentives.delete_deliveryoutcome",
            "incentives.view_deliveryoutcome",
        ),
    ),
    "finance": StaffGroup(
        name="Finance",
        label=_("Finance"),
        permissions=(
            ADMIN_ACCESS,
            "billing.*",
            "accounts.view_organisation",
            "partners.view_partner",
            "health.view_vendorrevenue",  # revenue figures of the ecosystem health dashboard
            "health.add_vendorrevenue",  # finance enters the vendor's revenue (ecosystem multiplier)
            "health.change_vendorrevenue",
            "incentives.pay_claims",  # incentives: finance pays approved claims
            "incentives.view_incentivepool",
            "incentives.view_fundrequest",
        ),
    ),
    "admin": StaffGroup(
        name="Ecosystem admins",
        label=_("Ecosystem admin"),
        permissions=(
            ADMIN_ACCESS,
            "accounts.*",
            "partners.*",
            "health.*",
            "cosell.*",
            "catalog.*",
            "billing.*",
            "demand.*",
            "marketplace.*",
            "incentives.*",
            "themes.*",
            "auth.add_user",
            "auth.change_user",
            "auth.view_user",
            "auth.view_group",
            "auth.change_group",
            "wagtailcore.*",
            "wagtailimages.*",
            "wagtaildocs.*",
            "wagtailredirects.*",
            "django_celery_beat.*",
            "wagtailsearchpromotions.*",
        ),
    ),
}
