"""Helpers of the staff screens in the Wagtail admin, shared by every app's ``admin_views``.

* :func:`require_perm` — a view decorator: without the permission, ``PermissionDenied`` (Wagtail
  turns it into a redirect to the dashboard with a message);
* :func:`paginate` — a page of a queryset from the ``p`` query parameter (out of range: the last);
* :func:`permission_menu_item` — a menu item class shown only to holders of a permission.
"""

from functools import wraps

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from wagtail.admin.menu import MenuItem

PAGE_PARAM = "p"


def require_perm(perm: str):
    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.has_perm(perm):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def paginate(request, queryset, per_page: int = 50):
    return Paginator(queryset, per_page).get_page(request.GET.get(PAGE_PARAM))


class PermissionMenuItem(MenuItem):
    permission = ""

    def is_shown(self, request):
        return request.user.has_perm(self.permission)


def permission_menu_item(name: str, permission: str) -> type[PermissionMenuItem]:
    return type(name, (PermissionMenuItem,), {"permission": permission})
