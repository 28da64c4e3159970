"""``/api/v1/exports``: request an asynchronous CSV export, poll it, download it (``api.exports``).
The key needs the exported list's read scope for each of the three; another partner's export is
a 404, a download before it is ready a 409, after it expired a 410."""

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.reverse import reverse

from api import exports
from api.models import Export
from core.api import MissingScope, PartnerAPIMixin, StrictSerializerMixin
from core.exceptions import ApplicationError, NotAllowed
from core.exports import CSV_TYPE


class Gone(ApplicationError):
    status = 410


class ExportRequestSerializer(StrictSerializerMixin, serializers.Serializer):
    resource = serializers.ChoiceField(
        choices=[], help_text="The list to export, e.g. transactions, subscriptions, leads."
    )
    updated_since = serializers.DateTimeField(required=False, help_text="Only rows changed since then.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["resource"].choices = sorted(exports.resources())


class ExportSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    rows = serializers.IntegerField(source="row_count", read_only=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Export
        fields = [
            "id",
            "resource",
            "status",
            "rows",
            "error",
            "download_url",
            "expires_at",
            "created_at",
            "finished_at",
        ]

    def get_download_url(self, export) -> str | None:
        if export.status != Export.Status.READY:
            return None
        request = self.context.get("request")
        return reverse("api:export-download", kwargs={"id": export.public_id}, request=request)


def _check_scope(request, resource: str) -> None:
    scope = exports.scope_for(resource)
    if scope not in request.auth.scopes:
        raise MissingScope(scope)


_DOC = (
    "Asynchronous CSV exports of your lists: request one (202), poll it until `ready`, download it "
    "within 24 hours. 异步导出：提交请求后轮询，就绪后 24 小时内可下载。"
)


@extend_schema_view(
    create=extend_schema(
        summary="Request an export",
        description=_DOC,
        request=ExportRequestSerializer,
        responses={202: ExportSerializer},
    ),
    retrieve=extend_schema(summary="One export", description=_DOC),
)
class ExportViewSet(
    PartnerAPIMixin, mixins.CreateModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    serializer_class = ExportSerializer
    lookup_field = "public_id"
    lookup_url_kwarg = "id"
    lookup_value_regex = "[0-9a-f-]{36}"
    required_scopes = {}  # the exported list's read scope, checked per request

    def get_queryset(self):
        return Export.objects.filter(partner=self.partner)

    def create(self, request, *args, **kwargs):
        data = ExportRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        _check_scope(request, data.validated_data["resource"])
        export = exports.request_export(
            api_key=request.auth,
            resource=data.validated_data["resource"],
            updated_since=data.validated_data.get("updated_since"),
        )
        return Response(
            ExportSerializer(export, context={"request": request}).data, status=status.HTTP_202_ACCEPTED
        )

    def retrieve(self, request, *args, **kwargs):
        export = self.get_object()
        _check_scope(request, export.resource)
        return Response(ExportSerializer(export, context={"request": request}).data)

    @extend_schema(
        summary="Download an export",
        description="The CSV (UTF-8 with BOM); 409 before it is ready, 410 once expired. 下载 CSV 文件。",
        responses={(200, "text/csv"): OpenApiResponse(OpenApiTypes.BINARY), 409: None, 410: None},
    )
    @action(detail=True, methods=["get"])
    def download(self, request, id=None):
        export = self.get_object()
        _check_scope(request, export.resource)
        if export.status != Export.Status.READY:
            raise NotAllowed(_("This export is not ready."), code="export_not_ready")
        if export.expires_at is None or export.expires_at <= timezone.now():
            raise Gone(_("This export has expired; request a new one."), code="export_expired")
        response = HttpResponse(bytes(export.content), content_type=CSV_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{export.resource}-{export.public_id}.csv"'
        return response
