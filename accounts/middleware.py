from django.utils.functional import SimpleLazyObject

from accounts import selectors


class ActiveOrganisationMiddleware:
    """Sets ``request.membership`` / ``request.organisation`` from the session, lazily."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.membership = SimpleLazyObject(lambda: selectors.active_membership(request))
        request.organisation = SimpleLazyObject(
            lambda: request.membership.organisation if request.membership else None
        )
        return self.get_response(request)
