"""``Authorization: Bearer symb_…`` (an API key) or ``Bearer <OAuth access token>`` (client
credentials, ``api.oauth``): the partner API's authentication (DRF)."""

from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions

from api import services
from api.oauth import TokenProblem, key_for_access_token


class ApiKeyUser:
    """The "user" of a request made with an API key: the key's partner acting as itself."""

    is_authenticated = True
    is_anonymous = False
    is_staff = False
    is_superuser = False
    pk = None
    id = None

    def __init__(self, key):
        self.key = key
        self.partner = key.partner

    def __str__(self):
        return f"api-key:{self.key.prefix}"


class ApiKeyAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        token = services.bearer_token(request._request)
        if token is None:
            return None
        if token.startswith(services.TOKEN_PREFIX):
            key = services.key_for_token(token)
        else:  # an OAuth 2.0 access token (client credentials)
            try:
                key = key_for_access_token(token)
            except TokenProblem as problem:
                raise exceptions.AuthenticationFailed(
                    _("This access token has expired; ask for a new one."), code=problem.code
                ) from problem
        if key is None:
            raise exceptions.AuthenticationFailed(_("This API key is not valid."), code="invalid_key")
        if key.revoked_at is not None:
            raise exceptions.AuthenticationFailed(_("This API key was revoked."), code="key_revoked")
        if key.is_expired:
            raise exceptions.AuthenticationFailed(_("This API key has expired."), code="key_expired")
        if not key.allows_ip(request._request.META.get("REMOTE_ADDR", "")):
            raise exceptions.PermissionDenied(
                _("This API key may not be used from your address."), code="ip_not_allowed"
            )
        services.touch(key)
        request._request.symbio_api_key = key
        return ApiKeyUser(key), key

    def authenticate_header(self, request):
        return f'{self.keyword} realm="symbio-api"'
