"""What every ``/api/v1/`` view is wrapped in (``api/urls.py``): body size, ``Idempotency-Key``
on POST, and the response headers (rate limit, API version).

Idempotency, as Stripe does it: a POST that creates state carries ``Idempotency-Key``; the
first response (anything but a 5xx, 401 or 429) is stored for 24 hours per API key. The same key
with the same method, path and body replays that response byte for byte (with
``Idempotent-Replayed: true``); with another body it is a 422; while the first request is still
running, a 409.
"""

import functools
import hashlib
from datetime import UTC, timedelta

from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from api import services
from api.models import API_VERSIONS, IdempotentResponse
from api.problems import problem_response
from core.api import MAX_BODY_BYTES

IDEMPOTENCY_WINDOW = timedelta(hours=24)
NOT_STORED = {401, 429}
VERSION_HEADER = "Symbio-Version"


def wrap(view):
    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        # The caller's language from Accept-Language (LocaleMiddleware gives every unprefixed
        # path the default language); times in and out of the API are UTC ("…Z").
        language = translation.get_language_from_request(request, check_path=False)
        with translation.override(language), timezone.override(UTC):
            response = _handle(view, request, *args, **kwargs)
        response["Content-Language"] = language
        return response

    return wrapped


def _handle(view, request, *args, **kwargs):
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > MAX_BODY_BYTES:
        return problem_response(
            400,
            "body_too_large",
            _("The request body is larger than %(size)s KB.") % {"size": MAX_BODY_BYTES // 1024},
        )
    requested = request.headers.get(VERSION_HEADER)
    if requested and requested not in API_VERSIONS:
        return problem_response(
            400,
            "unknown_version",
            _("Unknown API version %(version)s; known: %(versions)s.")
            % {"version": requested[:20], "versions": ", ".join(API_VERSIONS)},
        )
    if request.method == "POST":
        response = _idempotent(view, request, *args, **kwargs)
    else:
        response = view(request, *args, **kwargs)
    for header, value in getattr(request, "symbio_ratelimit", {}).items():
        response[header] = value
    key = getattr(request, "symbio_api_key", None)
    version = requested or (key.api_version if key else None)
    if version:
        response[VERSION_HEADER] = version
    return response


def _render(response):
    if hasattr(response, "render") and not getattr(response, "is_rendered", True):
        response.render()
    return response


def _idempotent(view, request, *args, **kwargs):
    idem_key = request.headers.get("Idempotency-Key", "").strip()
    token = services.bearer_token(request)
    key = services.key_for_token(token) if token else None
    if key is None or not key.is_active:
        return view(request, *args, **kwargs)  # DRF answers 401
    request.symbio_api_key = key
    if not idem_key:
        return problem_response(
            400,
            "idempotency_key_required",
            _("Send an Idempotency-Key header (a unique value per operation, e.g. a UUID) with every POST."),
        )
    if len(idem_key) > 255:
        return problem_response(400, "idempotency_key_invalid", _("The Idempotency-Key is too long."))
    body_hash = hashlib.sha256(f"{request.method} {request.path}\n".encode() + request.body).hexdigest()
    IdempotentResponse.objects.filter(
        api_key=key, key=idem_key, created_at__lt=timezone.now() - IDEMPOTENCY_WINDOW
    ).delete()
    stored = IdempotentResponse.objects.filter(api_key=key, key=idem_key).first()
    if stored is None:
        try:
            with transaction.atomic():
                stored = IdempotentResponse.objects.create(
                    api_key=key, key=idem_key, method=request.method, path=request.path, body_hash=body_hash
                )
        except IntegrityError:
            stored = IdempotentResponse.objects.filter(api_key=key, key=idem_key).first()
        else:
            return _first(view, stored, request, *args, **kwargs)
    if stored is None or stored.body_hash != body_hash:
        return problem_response(
            422,
            "idempotency_key_reused",
            _("This Idempotency-Key was used with another request; use a new key for a new operation."),
        )
    if stored.status_code is None:
        return problem_response(
            409, "idempotency_in_progress", _("A request with this Idempotency-Key is still being processed.")
        )
    response = HttpResponse(
        bytes(stored.content), status=stored.status_code, content_type=stored.content_type
    )
    response["Idempotent-Replayed"] = "true"
    return response


def _first(view, stored, request, *args, **kwargs):
    try:
        response = _render(view(request, *args, **kwargs))
    except Exception:
        stored.delete()
        raise
    if response.status_code >= 500 or response.status_code in NOT_STORED:
        stored.delete()
        return response
    stored.status_code = response.status_code
    stored.content_type = response.get("Content-Type", "")
    stored.content = response.content
    stored.save(update_fields=["status_code", "content_type", "content"])
    return response
