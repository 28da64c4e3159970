"""Wagtail admin: "Search analytics" under Reports — top queries, zero-result queries and
click-through by position for the last 7 or 30 days, plus the index size and a "Rebuild the
index" button whose progress the page polls (htmx). Reviewers, programme managers and ecosystem
admins see it (and superusers); anyone else is sent back to the dashboard.
"""

from __future__ import annotations

from pathlib import Path

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template import engines
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from catalog.search import analytics, engine_name, get_engine
from catalog.search.tasks import enqueue_reindex_all, reindex_progress

VIEW_PERMISSION = "catalog.view_searchquerylog"
TEMPLATES = {
    "page": Path(__file__).with_name("admin_report.html"),
    "progress": Path(__file__).with_name("admin_report_progress.html"),
}
_templates: dict = {}


def allowed_group_names() -> set[str]:
    from accounts.roles import STAFF_GROUPS

    return {
        STAFF_GROUPS[key].name for key in ("reviewer", "programme_manager", "admin") if key in STAFF_GROUPS
    }


def can_view(user) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser or user.has_perm(VIEW_PERMISSION):
        return True
    return user.groups.filter(name__in=allowed_group_names()).exists()


def _template(name):
    """Templates kept beside this module (the catalogue's template folder is not ours)."""
    if name not in _templates:
        _templates[name] = engines["django"].from_string(TEMPLATES[name].read_text(encoding="utf-8"))
    return _templates[name]


def _progress_html(request) -> str:
    context = {"progress": reindex_progress(), "progress_url": reverse("catalog_search_reindex_progress")}
    return _template("progress").render(context, request)


def search_report(request):
    if not can_view(request.user):
        raise PermissionDenied
    days = 30 if request.GET.get("days") == "30" else 7
    try:
        documents = get_engine().count()
    except Exception:  # noqa: BLE001 - an unreachable engine is shown, not raised
        documents = None
    context = {
        "report": analytics.report(days),
        "days": days,
        "documents": documents,
        "engine": engine_name(),
        "progress_html": mark_safe(_progress_html(request)),  # noqa: S308 - a rendered template
        "rebuild_url": reverse("catalog_search_reindex"),
    }
    return HttpResponse(_template("page").render(context, request))


def reindex_progress_view(request):
    if not can_view(request.user):
        raise PermissionDenied
    return HttpResponse(_progress_html(request))


@require_POST
def rebuild_index(request):
    if not can_view(request.user):
        raise PermissionDenied
    enqueue_reindex_all()
    messages.success(request, _("The search index is being rebuilt."))
    return redirect("catalog_search_report")
