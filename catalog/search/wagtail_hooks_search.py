"""``register()`` adds the search analytics report to the Wagtail admin (Reports menu) and the
search synonym dictionary (Snippets).

``catalog/wagtail_hooks.py`` calls it once: ``from catalog.search.wagtail_hooks_search import
register; register()``. Calling it again does nothing.
"""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

_registered = False


class SearchReportMenuItem(MenuItem):
    def is_shown(self, request):
        from catalog.search.admin_report import can_view

        return can_view(request.user)


def admin_urls():
    from catalog.search import admin_report

    return [
        path("search-analytics/", admin_report.search_report, name="catalog_search_report"),
        path("search-analytics/reindex/", admin_report.rebuild_index, name="catalog_search_reindex"),
        path(
            "search-analytics/reindex/progress/",
            admin_report.reindex_progress_view,
            name="catalog_search_reindex_progress",
        ),
    ]


def reports_menu_item():
    return SearchReportMenuItem(
        _("Search analytics"), reverse("catalog_search_report"), icon_name="search", order=900
    )


def register() -> None:
    global _registered
    if _registered:
        return
    _registered = True
    hooks.register("register_admin_urls", admin_urls)
    hooks.register("register_reports_menu_item", reports_menu_item)

    from wagtail.snippets.models import register_snippet

    from catalog.search.admin_synonyms import SearchSynonymViewSet

    register_snippet(SearchSynonymViewSet)
