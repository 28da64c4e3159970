"""accounts.permissions: a user's permissions in one statement, the same sets as ModelBackend's."""

import pytest
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission

from accounts.models import User
from accounts.permissions import preload_permissions
from tests.factories.accounts import UserFactory

pytestmark = pytest.mark.django_db


def _perm(label):
    app_label, codename = label.split(".")
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


@pytest.fixture
def person():
    user = UserFactory()
    editors, viewers = (
        Group.objects.create(name="Permission test editors"),
        Group.objects.create(name="Permission test viewers"),
    )
    editors.permissions.add(_perm("wagtailadmin.access_admin"), _perm("wagtailimages.add_image"))
    viewers.permissions.add(_perm("wagtailimages.add_image"), _perm("wagtailimages.change_image"))
    user.groups.add(editors, viewers)
    user.user_permissions.add(_perm("accounts.view_user"), _perm("wagtailadmin.access_admin"))
    Group.objects.create(name="Permission test others").permissions.add(_perm("accounts.delete_user"))
    return user


def _django_sets(pk):
    """What ModelBackend's own two queries give for a fresh user object."""
    user, backend = User.objects.get(pk=pk), ModelBackend()
    return backend.get_user_permissions(user), backend.get_group_permissions(user)


def test_the_sets_are_model_backends(person):
    user = User.objects.get(pk=person.pk)
    preload_permissions(user)
    assert (user._user_perm_cache, user._group_perm_cache) == _django_sets(person.pk)
    assert user._user_perm_cache == {"accounts.view_user", "wagtailadmin.access_admin"}
    assert user._group_perm_cache == {
        "wagtailadmin.access_admin",
        "wagtailimages.add_image",
        "wagtailimages.change_image",
    }


def test_a_user_without_permissions_gets_empty_sets():
    user = User.objects.get(pk=UserFactory().pk)
    preload_permissions(user)
    assert user._user_perm_cache == set() == user._group_perm_cache


def test_permission_checks_cost_one_query_per_user_object(person, django_assert_num_queries):
    expected = set().union(*_django_sets(person.pk))
    user = User.objects.get(pk=person.pk)
    with django_assert_num_queries(1):
        assert user.has_perm("wagtailadmin.access_admin")
        assert user.has_perm("wagtailimages.change_image")
        assert not user.has_perm("accounts.delete_user")
        assert user.has_module_perms("wagtailimages")
        assert not user.has_module_perms("billing")
        assert user.get_all_permissions() == expected


def test_inactive_users_and_superusers_keep_django_answers(person):
    person.is_active = False
    person.save()
    inactive = User.objects.get(pk=person.pk)
    assert not inactive.has_perm("wagtailadmin.access_admin")
    assert inactive.get_all_permissions() == set()

    superuser = User.objects.get(pk=UserFactory(is_superuser=True).pk)
    preload_permissions(superuser)
    assert not hasattr(superuser, "_user_perm_cache")
    assert superuser.has_perm("accounts.delete_user")
    assert len(superuser.get_all_permissions()) == Permission.objects.count()
