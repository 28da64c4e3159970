"""The request's Site for Wagtail's redirects, from the themes cache."""

from themes.models import site_for_request


class CachedSiteMiddleware:
    """Wagtail's ``RedirectMiddleware`` (listed just before this one) looks for a redirect on every
    404, and for that finds the request's Site: one query with a ``CASE`` ordering each time
    (~2 ms of CPU), because only pages that show the branding have looked the Site up by then.
    Hand it the Site the branding uses — the same lookup, kept in the themes cache and emptied
    whenever a Site is saved or deleted (``themes.apps``)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 404:
            site_for_request(request)
        return response
