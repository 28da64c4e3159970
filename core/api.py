"""The pieces every app's ``<app>/api.py`` builds its partner API views from.

The wiring (API keys, rate limits, problem documents, idempotency, routing) lives in ``api/``
at the top; apps below it cannot import it, so what their viewsets need sits here:
:class:`PartnerAPIMixin` (authenticated partner, scope per method, cursor pagination),
:class:`StrictSerializerMixin` (unknown fields are an error) and :func:`api_partner`.
"""

from __future__ import annotations

import json
from datetime import UTC

from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from rest_framework import exceptions, parsers, permissions, serializers, viewsets
from rest_framework.pagination import CursorPagination

#: The largest request body the API reads (a usage batch of 100 records is ~15 KB).
MAX_BODY_BYTES = 256 * 1024


class MissingScope(exceptions.PermissionDenied):
    default_code = "missing_scope"

    def __init__(self, scope: str):
        self.scope = scope
        super().__init__(
            _("This API key does not have the scope %(scope)s.") % {"scope": scope}, code="missing_scope"
        )


def api_partner(request):
    """The partner an authenticated API request acts for (the API key's partner)."""
    key = getattr(request, "auth", None)
    partner = getattr(key, "partner", None)
    if partner is None:
        raise exceptions.NotAuthenticated()
    return partner


class HasScope(permissions.BasePermission):
    """The key must carry the scope the view names for the request's method
    (``required_scopes = {"GET": "listings:read", "POST": "usage:write"}``)."""

    def has_permission(self, request, view):
        scopes = getattr(request.auth, "scopes", None)
        if scopes is None:
            raise exceptions.NotAuthenticated()
        required = required_scope(view, request.method)
        if required and required not in scopes:
            raise MissingScope(required)
        return True


def required_scope(view, method: str) -> str | None:
    table = getattr(view, "required_scopes", {}) or {}
    action = getattr(view, "action", None)
    if action and action in table:
        return table[action]
    if method in ("HEAD", "OPTIONS"):
        method = "GET"
    return table.get(method)


class StrictJSONParser(parsers.JSONParser):
    """JSON only, at most :data:`MAX_BODY_BYTES`, and a clear 400 for anything else."""

    def parse(self, stream, media_type=None, parser_context=None):
        raw = stream.read(MAX_BODY_BYTES + 1) if stream is not None else b""
        if len(raw) > MAX_BODY_BYTES:
            raise exceptions.ParseError(
                _("The request body is larger than %(size)s KB.") % {"size": MAX_BODY_BYTES // 1024},
                code="body_too_large",
            )
        if not raw:
            raise exceptions.ParseError(_("The request body is empty; send JSON."), code="malformed_json")
        try:
            return json.loads(raw.decode("utf-8"), parse_constant=_refuse_constant)
        except (ValueError, UnicodeDecodeError) as exc:
            raise exceptions.ParseError(
                _("The request body is not valid JSON: %(error)s") % {"error": exc}, code="malformed_json"
            ) from exc


def _refuse_constant(name):
    raise ValueError(f"{name} is not JSON")


class PartnerCursorPagination(CursorPagination):
    """Cursor pagination in creation order (primary key): a client paging through while rows
    change sees each row once — new rows arrive at the end, changed rows keep their place — and
    picks up later changes with ``updated_since`` (ISO-8601; the view's ``updated_field``,
    ``updated_at`` by default). ``limit``: default 50, at most 200."""

    page_size = 50
    max_page_size = 200
    page_size_query_param = "limit"
    ordering = ("pk",)  # a view may name another (``cursor_ordering``)

    def get_ordering(self, request, queryset, view):
        return tuple(getattr(view, "cursor_ordering", self.ordering))

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not raw.isdigit() or not 1 <= int(raw) <= self.max_page_size:
            raise exceptions.ValidationError(
                {"limit": [_("Give a whole number from 1 to %(max)s.") % {"max": self.max_page_size}]}
            )
        return int(raw)

    def paginate_queryset(self, queryset, request, view=None):
        since = request.query_params.get("updated_since")
        if since is not None:
            moment = parse_moment(since)
            if moment is None:
                raise exceptions.ValidationError(
                    {"updated_since": [_("Give a date and time in ISO-8601, e.g. 2026-12-01T08:00:00Z.")]}
                )
            field = getattr(view, "updated_field", "updated_at")
            queryset = queryset.filter(**{f"{field}__gte": moment})
        return super().paginate_queryset(queryset, request, view)

    def decode_cursor(self, request):
        try:
            return super().decode_cursor(request)
        except exceptions.NotFound as exc:
            raise exceptions.ValidationError({"cursor": [_("This cursor is not valid.")]}) from exc


def parse_moment(value: str):
    from django.utils import timezone

    try:
        moment = parse_datetime(value.replace(" ", "+"))
    except ValueError:
        return None
    if moment is None:
        return None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, UTC)
    try:  # in UTC: PostgreSQL refuses offsets beyond ±15:59 that Python parses
        return moment.astimezone(UTC)
    except OverflowError:
        return None


class StrictSerializerMixin:
    """Unknown fields in a request body are a 400, not silently ignored."""

    def to_internal_value(self, data):
        if isinstance(data, dict):
            writable = {name for name, field in self.fields.items() if not field.read_only}
            unknown = sorted(set(data) - writable)
            if unknown:
                raise serializers.ValidationError({name: [_("Unknown field.")] for name in unknown})
        return super().to_internal_value(data)


class PartnerAPIMixin:
    """Base of every partner API view: the key's partner, its scopes, strict JSON, cursors."""

    permission_classes = [HasScope]
    parser_classes = [StrictJSONParser]
    pagination_class = PartnerCursorPagination
    required_scopes: dict = {}

    @property
    def partner(self):
        if getattr(self, "swagger_fake_view", False):  # drf-spectacular reading the queryset's model
            return None
        return api_partner(self.request)


class PublicIdLookupMixin:
    """Objects addressed by their public UUID, as ``{id}`` in the URL."""

    lookup_field = "public_id"
    lookup_url_kwarg = "id"
    lookup_value_regex = "[0-9a-f-]{36}"


class PartnerReadOnlyViewSet(PartnerAPIMixin, viewsets.ReadOnlyModelViewSet):
    """List and retrieve the key's partner's objects: ``model`` rows whose ``partner_field`` is the
    partner, with ``select_related`` and ``ordering`` applied (declare those, not ``get_queryset``)."""

    model = None
    partner_field = "partner"
    select_related: tuple = ()
    ordering: tuple = ()

    def get_queryset(self):
        queryset = self.model.objects.filter(**{self.partner_field: self.partner})
        if self.select_related:
            queryset = queryset.select_related(*self.select_related)
        return queryset.order_by(*self.ordering) if self.ordering else queryset


def money(amount, currency) -> dict:
    """Money in the API: a decimal string plus the currency."""
    return {"amount": f"{amount:.2f}" if amount is not None else None, "currency": currency}
