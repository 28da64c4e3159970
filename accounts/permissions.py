"""A user's Django permissions (``ModelBackend``: their own and their groups') in one statement.

``ModelBackend`` asks for them with two ORM queries per user object, that is per request for the
signed-in user: on every admin request by someone who is not a superuser (Wagtail checks
``wagtailadmin.access_admin`` before anything else). :func:`preload_permissions` runs one
statement, built once per database, and fills the caches ``ModelBackend`` keeps on the user
object (``_user_perm_cache``, ``_group_perm_cache``) with exactly the sets its own queries give;
``ModelBackend`` then reads them as if it had made them. ``accounts.models.User`` calls it before
each permission check. Same rules: nothing for inactive, anonymous or unsaved users, superusers
left to ``ModelBackend`` (every permission), and nothing done twice for one user object.
"""

from __future__ import annotations

import functools

from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connections


def preload_permissions(user) -> None:
    if not user.is_active or user.is_anonymous or user.is_superuser or user.pk is None:
        return
    if hasattr(user, "_user_perm_cache") or hasattr(user, "_group_perm_cache"):
        return
    alias = user._state.db or "default"
    own, from_groups = set(), set()
    with connections[alias].cursor() as cursor:
        cursor.execute(_statement(type(user), alias), [user.pk, user.pk])
        for source, app_label, codename in cursor.fetchall():
            (own if source == "u" else from_groups).add(f"{app_label}.{codename}")
    user._user_perm_cache = own
    user._group_perm_cache = from_groups


@functools.cache
def _statement(user_model, alias: str) -> str:
    q = connections[alias].ops.quote_name
    user_permissions = user_model._meta.get_field("user_permissions")
    groups = user_model._meta.get_field("groups")
    group_permissions = Group._meta.get_field("permissions")
    permission = (
        f"{q(Permission._meta.db_table)} p JOIN {q(ContentType._meta.db_table)} ct"
        f" ON ct.{q('id')} = p.{q('content_type_id')}"
    )
    up = q(user_permissions.m2m_db_table())
    ug, gp = q(groups.m2m_db_table()), q(group_permissions.m2m_db_table())
    return (
        f"SELECT 'u', ct.{q('app_label')}, p.{q('codename')} FROM {permission}"
        f" JOIN {up} up ON up.{q(user_permissions.m2m_reverse_name())} = p.{q('id')}"
        f" WHERE up.{q(user_permissions.m2m_column_name())} = %s"
        f" UNION ALL SELECT 'g', ct.{q('app_label')}, p.{q('codename')} FROM {permission}"
        f" JOIN {gp} gp ON gp.{q(group_permissions.m2m_reverse_name())} = p.{q('id')}"
        f" JOIN {ug} ug ON ug.{q(groups.m2m_reverse_name())} = gp.{q(group_permissions.m2m_column_name())}"
        f" WHERE ug.{q(groups.m2m_column_name())} = %s"
    )
