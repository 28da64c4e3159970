"""Catalogue search URLs; ``config/urls.py`` includes them at ``search/`` inside
``i18n_patterns`` (before Wagtail's catch-all), so they also live under ``/en/search/``."""

from django.urls import path

from marketplace.views import search as search_views

urlpatterns = [
    path("", search_views.search_page, name="search"),
    path("suggest/", search_views.search_suggest, name="search_suggest"),
    path("click/", search_views.search_click, name="search_click"),
]
