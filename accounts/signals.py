from django.contrib.auth.models import Group, Permission
from django.db.models import Q

from accounts.roles import STAFF_GROUPS


def permissions_for(specs):
    query = Q(pk__in=[])
    for spec in specs:
        app_label, codename = spec.split(".", 1)
        if codename == "*":
            query |= Q(content_type__app_label=app_label)
        else:
            query |= Q(content_type__app_label=app_label, codename=codename)
    return Permission.objects.filter(query)


def sync_staff_groups(**kwargs):
    """post_migrate: each staff group holds exactly the permissions accounts.roles gives it."""
    for spec in STAFF_GROUPS.values():
        group, _ = Group.objects.get_or_create(name=spec.name)
        group.permissions.set(permissions_for(spec.permissions))
