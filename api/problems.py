"""Every API error is one ``application/problem+json`` document (RFC 9457)::

    {"type": "https://…/api/v1/docs/#problem-missing_scope", "title": "Forbidden", "status": 403,
     "detail": "This API key does not have the scope listings:read.", "code": "missing_scope",
     "scope": "listings:read"}

``code`` is stable (clients branch on it); ``title`` and ``detail`` are in the caller's language
(``Accept-Language``). Validation problems add ``errors`` (field → messages). Refusals raised by
services (``core.exceptions.ApplicationError``) keep their own status and code.
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.api import MissingScope
from core.exceptions import ApplicationError

PROBLEM_CONTENT_TYPE = "application/problem+json"


def titles() -> dict[int, str]:
    return {
        400: _("Bad request"),
        401: _("Unauthorised"),
        403: _("Forbidden"),
        404: _("Not found"),
        405: _("Method not allowed"),
        406: _("Not acceptable"),
        409: _("Conflict"),
        413: _("Request too large"),
        415: _("Unsupported media type"),
        422: _("Unprocessable request"),
        429: _("Too many requests"),
        500: _("Server error"),
        503: _("Service unavailable"),
    }


def problem(status: int, code: str, detail, **extra) -> dict:
    return {
        "type": f"{settings.SITE_URL.rstrip('/')}/api/v1/docs/#problem-{code}",
        "title": titles().get(status, _("Error")),
        "status": status,
        "detail": str(detail),
        "code": code,
        **extra,
    }


def problem_response(status: int, code: str, detail, **extra) -> JsonResponse:
    """A problem document outside DRF (URL not found, idempotency conflicts, huge bodies)."""
    return JsonResponse(
        problem(status, code, detail, **extra),
        status=status,
        content_type=PROBLEM_CONTENT_TYPE,
        json_dumps_params={"ensure_ascii": False},
    )


def _flatten(detail) -> dict | list | str:
    if isinstance(detail, dict):
        return {str(k): _flatten(v) for k, v in detail.items()}
    if isinstance(detail, list):
        return [_flatten(v) for v in detail]
    return str(detail)


def exception_handler(exc, context):
    request = context.get("request")
    if request is not None and not request.path.startswith("/api/"):
        return drf_exception_handler(exc, context)  # Wagtail's admin API keeps DRF's format
    if isinstance(exc, ApplicationError):
        body = problem(exc.status, exc.code, exc.message, **({"field": exc.field} if exc.field else {}))
        return Response(body, status=exc.status, content_type=PROBLEM_CONTENT_TYPE)
    if isinstance(exc, RequestDataTooBig):
        exc = exceptions.ParseError(_("The request body is too large."), code="body_too_large")
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(_("No such object of yours."))
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    extra = {}
    if isinstance(exc, exceptions.ValidationError):
        code, detail = "invalid", _("The request has invalid fields; see errors.")
        extra["errors"] = _flatten(exc.detail) if isinstance(exc.detail, dict) else {"": _flatten(exc.detail)}
    else:
        detail = exc.detail if not isinstance(exc.detail, list | dict) else _flatten(exc.detail)
        codes = exc.get_codes()
        code = codes if isinstance(codes, str) else exc.default_code
        if isinstance(exc, exceptions.NotAuthenticated):
            detail = _("Send your API key: Authorization: Bearer symb_….")
            code = "not_authenticated"
        if isinstance(exc, exceptions.NotFound):
            code = "not_found"
        if isinstance(exc, exceptions.Throttled):
            detail = _("Too many requests for this API key; retry after %(seconds)s s.") % {
                "seconds": exc.wait and int(exc.wait + 0.999)
            }
            code = "rate_limited"
        if isinstance(exc, MissingScope):
            extra["scope"] = exc.scope
    if code == "parse_error":
        code = "malformed_json"
    response.data = problem(response.status_code, code, detail, **extra)
    response.content_type = PROBLEM_CONTENT_TYPE
    return response
