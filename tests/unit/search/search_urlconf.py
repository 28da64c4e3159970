"""The project's URLs plus the search URLs, for tests run before ``config/urls.py`` includes
``marketplace.urls.search`` (the ``search_urls`` fixture picks this only when it must)."""

from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path
from django.urls.resolvers import LocalePrefixPattern

from config import urls as project

_plain = [p for p in project.urlpatterns if not isinstance(getattr(p, "pattern", None), LocalePrefixPattern)]
_localised = [p for p in project.urlpatterns if isinstance(getattr(p, "pattern", None), LocalePrefixPattern)]

urlpatterns = [
    *_plain,
    *i18n_patterns(
        path("search/", include("marketplace.urls.search")),
        *[inner for resolver in _localised for inner in resolver.url_patterns],
        prefix_default_language=False,
    ),
]
