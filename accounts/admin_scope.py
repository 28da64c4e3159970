"""What partner members can see through Wagtail's generic admin views.

Partner members reach the Wagtail admin through their workspace group (their own pages, their
collection's images). Wagtail's generic choosers and admin API do not check model permissions,
so :class:`AdminScopeMiddleware` does, before they run:

* ``/admin/snippets/choose/<app>/<model>/…`` — only for users holding a permission on that model
  (partners hold none: no Stripe account ids, revenue figures, offers, invitations, commission
  rules or Stripe events through a chooser);
* ``/admin/api/main/images/`` and ``…/documents/`` — only with the model-level choose/change
  permission (staff), since the API lists every collection;
* ``/admin/api/main/pages/`` — for non-staff only as the explorer asks it (``for_explorer``),
  which Wagtail filters by page permissions;
* ``/admin/reports/`` and ``/admin/workflows/`` — staff only (they span every organisation).

``tests/unit/security/test_access_matrix.py`` requests every admin URL as partner members and
owners and fails on a 200 outside the screens declared for them.

The page chooser is narrowed by the ``construct_page_chooser_queryset`` hook in
``accounts/wagtail_hooks.py`` (:func:`page_chooser_queryset`).
"""

import re

from django.core.exceptions import PermissionDenied
from django.db.models import Q

from accounts.mfa import is_ecosystem_staff

SNIPPET_CHOOSER = re.compile(r"^/admin/snippets/choose/(?P<app>[\w]+)/(?P<model>[\w]+)/")
API_PERMISSIONS = {
    "/admin/api/main/images/": ("wagtailimages.choose_image", "wagtailimages.change_image"),
    "/admin/api/main/documents/": ("wagtaildocs.choose_document", "wagtaildocs.change_document"),
}
MODEL_ACTIONS = ("view", "add", "change", "delete")
# Wagtail's reports (site history, aging pages, page types, workflows) and workflow management
# span every organisation's pages: staff only. Partners follow their listings in "My listings".
STAFF_ONLY_PREFIXES = ("/admin/reports/", "/admin/workflows/")


def may_use_snippet_chooser(user, app: str, model: str) -> bool:
    return user.is_superuser or any(user.has_perm(f"{app}.{action}_{model}") for action in MODEL_ACTIONS)


class AdminScopeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info
        if path.startswith("/admin/") and request.user.is_authenticated and not request.user.is_superuser:
            self.check(request, path)
        return self.get_response(request)

    @staticmethod
    def check(request, path):
        user = request.user
        match = SNIPPET_CHOOSER.match(path)
        if match and not may_use_snippet_chooser(user, match["app"], match["model"].lower()):
            raise PermissionDenied
        for prefix, permissions in API_PERMISSIONS.items():
            if path.startswith(prefix) and not any(user.has_perm(p) for p in permissions):
                raise PermissionDenied
        if path.startswith(STAFF_ONLY_PREFIXES) and not is_ecosystem_staff(user):
            raise PermissionDenied
        if (
            path.startswith("/admin/api/main/pages/")
            and "for_explorer" not in request.GET
            and not is_ecosystem_staff(user)
        ):
            raise PermissionDenied


def page_chooser_queryset(pages, request):
    """Non-staff choose among live pages and the pages they may edit: never another
    organisation's drafts."""
    user = request.user
    if is_ecosystem_staff(user):
        return pages
    from wagtail.permission_policies.pages import PagePermissionPolicy

    editable = PagePermissionPolicy().instances_user_has_any_permission_for(
        user, ["add", "change", "publish"]
    )
    return pages.filter(Q(live=True) | Q(pk__in=editable.values("pk")))
