"""The partner API's own-partner endpoints: ``/api/v1/partner`` (profile and tier),
``/api/v1/events`` (the last 30 days) and ``/api/v1/webhook-endpoints``."""

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from core.api import PartnerAPIMixin, StrictSerializerMixin, parse_moment
from partners.models import CertifiedPerson, Event, Partner, Tier, WebhookEndpoint
from partners.services import certifications, webhooks
from partners.services.events import EVENT_TYPES


class TierSerializer(serializers.ModelSerializer):
    class Meta:
        model = Tier
        fields = ["slug", "name", "name_en", "rank"]


class PartnerSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="organisation.name")
    name_en = serializers.CharField(source="organisation.name_en")
    slug = serializers.CharField(source="organisation.slug")
    website = serializers.CharField(source="organisation.website")
    tier = TierSerializer(allow_null=True)

    class Meta:
        model = Partner
        fields = [
            "slug",
            "name",
            "name_en",
            "kind",
            "status",
            "tier",
            "tagline",
            "tagline_en",
            "website",
            "joined_on",
            "updated_at",
        ]


class PartnerProfileView(PartnerAPIMixin, GenericAPIView):
    serializer_class = PartnerSerializer
    required_scopes = {"GET": "partner:read"}
    pagination_class = None

    @extend_schema(
        summary="Your partner profile",
        description="The partner the API key belongs to, with its tier. API 密钥所属伙伴的资料与等级。",
    )
    def get(self, request):
        partner = Partner.objects.select_related("organisation", "tier").get(pk=self.partner.pk)
        return Response(self.get_serializer(partner).data)


# --- events and webhook endpoints ---------------------------------------------------------------


class EventSerializer(serializers.ModelSerializer):
    id = serializers.CharField(source="message_id", read_only=True, help_text="Equals the webhook-id header.")
    data = serializers.JSONField(source="payload", read_only=True)

    class Meta:
        model = Event
        fields = ["id", "type", "created_at", "data"]


class ReplaySerializer(StrictSerializerMixin, serializers.Serializer):
    since = serializers.DateTimeField()
    until = serializers.DateTimeField(required=False, help_text="Default: now.")
    type = serializers.CharField(required=False, max_length=60, help_text="Only this event type.")
    endpoint = serializers.UUIDField(
        required=False, help_text="Only this endpoint (even if it filters the type)."
    )


class ReplayResultSerializer(serializers.Serializer):
    queued = serializers.IntegerField(help_text="Deliveries queued.")


@extend_schema_view(
    list=extend_schema(
        summary="Events of the last 30 days",
        description=(
            "What was (or would have been) sent to your webhooks, oldest first. `since` (ISO-8601) "
            "returns events created after that moment; `type` filters by event type. Use it to catch "
            "up after downtime. 最近 30 天的事件，可用 since 补收。"
        ),
        parameters=[
            OpenApiParameter("since", OpenApiTypes.DATETIME, description="Events created after this."),
            OpenApiParameter("type", OpenApiTypes.STR, description="Only this event type."),
        ],
    )
)
class EventViewSet(PartnerAPIMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = EventSerializer
    required_scopes = {"GET": "webhooks:manage", "POST": "webhooks:manage"}
    updated_field = "created_at"

    def get_queryset(self):
        events = Event.objects.filter(
            partner=self.partner, created_at__gte=timezone.now() - webhooks.EVENTS_LISTED_FOR
        )
        since = self.request.query_params.get("since")
        if since is not None:
            moment = parse_moment(since)
            if moment is None:
                raise exceptions.ValidationError({"since": [_("Give a date and time in ISO-8601.")]})
            events = events.filter(created_at__gt=moment)
        if self.request.query_params.get("type"):
            events = events.filter(type=self.request.query_params["type"])
        return events

    @extend_schema(
        summary="Replay events (bulk)",
        description=(
            "Sends again every event created in [since, until) — optionally of one type, to one endpoint — "
            "with its original webhook-id (at most 1,000 events per call; the last 90 days). "
            "批量重发某时间段内的事件（保留原 webhook-id）。"
        ),
        request=ReplaySerializer,
        responses={202: ReplayResultSerializer},
    )
    @action(detail=False, methods=["post"])
    def replay(self, request):
        data = ReplaySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        endpoint = None
        if values.get("endpoint"):
            endpoint = WebhookEndpoint.objects.filter(
                partner=self.partner, public_id=values["endpoint"]
            ).first()
            if endpoint is None:
                raise exceptions.NotFound()
        queued = webhooks.replay(
            partner=self.partner,
            since=values["since"],
            until=values.get("until") or timezone.now(),
            event_type=values.get("type", ""),
            endpoint=endpoint,
        )
        return Response({"queued": queued}, status=status.HTTP_202_ACCEPTED)


class EndpointSerializer(StrictSerializerMixin, serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    url = serializers.URLField(max_length=500, help_text="https only; a public address.")
    event_types = serializers.ListField(
        child=serializers.ChoiceField(choices=sorted(EVENT_TYPES)),
        required=False,
        max_length=len(EVENT_TYPES),
        help_text="Empty: every event.",
    )
    description = serializers.CharField(max_length=200, required=False, allow_blank=True)
    enabled = serializers.BooleanField(required=False, help_text="false disables; true re-enables.")
    disabled_reason = serializers.CharField(read_only=True)

    class Meta:
        model = WebhookEndpoint
        fields = [
            "id",
            "url",
            "description",
            "event_types",
            "enabled",
            "disabled_reason",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]

    def to_representation(self, endpoint):
        data = super().to_representation(endpoint)
        data["enabled"] = endpoint.disabled_at is None
        return data


class EndpointWithSecretSerializer(EndpointSerializer):
    secret = serializers.CharField(read_only=True, help_text="Shown on creation and rotation only.")

    class Meta(EndpointSerializer.Meta):
        fields = [*EndpointSerializer.Meta.fields, "secret"]


class TestEventSerializer(serializers.Serializer):
    event = serializers.CharField(help_text="The test event's id (webhook-id).")


_ENDPOINT_DOC = "Your webhook endpoints (Standard Webhooks signing). 您的 Webhook 接收地址。"


@extend_schema_view(
    list=extend_schema(summary="List webhook endpoints", description=_ENDPOINT_DOC),
    retrieve=extend_schema(summary="One webhook endpoint", description=_ENDPOINT_DOC),
    create=extend_schema(
        summary="Add a webhook endpoint",
        description="Returns the signing secret once. 返回签名密钥（仅此一次）。",
        responses={201: EndpointWithSecretSerializer},
    ),
    partial_update=extend_schema(summary="Change a webhook endpoint", description=_ENDPOINT_DOC),
    destroy=extend_schema(summary="Remove a webhook endpoint", description=_ENDPOINT_DOC),
)
class WebhookEndpointViewSet(
    PartnerAPIMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = EndpointSerializer
    lookup_field = "public_id"
    lookup_url_kwarg = "id"
    lookup_value_regex = "[0-9a-f-]{36}"
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    required_scopes = dict.fromkeys(("GET", "POST", "PATCH", "DELETE"), "webhooks:manage")

    def get_queryset(self):
        return WebhookEndpoint.objects.filter(partner=self.partner)

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = webhooks.create_endpoint(
            partner=self.partner,
            url=data["url"],
            event_types=data.get("event_types", []),
            description=data.get("description", ""),
        )

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        self.perform_create(serializer)
        return Response(
            EndpointWithSecretSerializer(serializer.instance).data, status=status.HTTP_201_CREATED
        )

    def perform_update(self, serializer):
        serializer.instance = webhooks.update_endpoint(
            endpoint=serializer.instance, **serializer.validated_data
        )

    @extend_schema(
        summary="Send a test event",
        description="Queues a `webhook.test` event to this endpoint only. 向该地址发送测试事件。",
        request=None,
        responses={202: TestEventSerializer},
    )
    @action(detail=True, methods=["post"])
    def test(self, request, id=None):
        event = webhooks.send_test_event(endpoint=self.get_object())
        return Response({"event": event.message_id}, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        summary="Rotate the signing secret",
        description=(
            "A new secret; the old one keeps signing (a second signature) for 24 hours. 轮换签名密钥。"
        ),
        request=None,
        responses={200: EndpointWithSecretSerializer},
    )
    @action(detail=True, methods=["post"], url_path="rotate-secret")
    def rotate_secret(self, request, id=None):
        endpoint = webhooks.rotate_secret(endpoint=self.get_object())
        return Response(EndpointWithSecretSerializer(endpoint).data)


# --- certifications ------------------------------------------------------------------------------


class CertifiedPersonSerializer(serializers.ModelSerializer):
    certification = serializers.CharField(source="certification.slug", read_only=True)
    certification_name = serializers.CharField(source="certification.name", read_only=True)
    certification_name_en = serializers.CharField(source="certification.name_en", read_only=True)
    level = serializers.CharField(source="certification.level", read_only=True)
    valid = serializers.SerializerMethodField()

    class Meta:
        model = CertifiedPerson
        fields = [
            "id",
            "name",
            "email",
            "certification",
            "certification_name",
            "certification_name_en",
            "level",
            "issued_on",
            "expires_on",
            "valid",
            "updated_at",
        ]

    def get_valid(self, person) -> bool:
        today = timezone.localdate()
        return person.issued_on <= today < person.expires_on


class CertificationRowSerializer(StrictSerializerMixin, serializers.Serializer):
    name = serializers.CharField(max_length=200, allow_blank=True)
    email = serializers.CharField(max_length=254, allow_blank=True)
    certification = serializers.CharField(max_length=200, allow_blank=True, help_text="Slug or name.")
    issued_on = serializers.CharField(max_length=20, allow_blank=True, help_text="YYYY-MM-DD")
    expires_on = serializers.CharField(
        max_length=20,
        required=False,
        allow_blank=True,
        help_text="YYYY-MM-DD; default: issued_on plus the certification's validity.",
    )


class CertificationImportSerializer(StrictSerializerMixin, serializers.Serializer):
    rows = CertificationRowSerializer(many=True, allow_empty=False, max_length=500)


class CertificationRowResultSerializer(serializers.Serializer):
    index = serializers.IntegerField(help_text="The row's position in `rows`, from 0.")
    status = serializers.ChoiceField(choices=["created", "updated", "error"])
    code = serializers.CharField(allow_null=True, help_text="Why the row was refused (stable).")
    detail = serializers.CharField(allow_null=True, help_text="The reason, in your language.")
    person = CertifiedPersonSerializer(allow_null=True)


class CertificationImportResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    failed = serializers.IntegerField()
    results = CertificationRowResultSerializer(many=True)


@extend_schema_view(
    list=extend_schema(
        summary="Your certified people",
        description="Your people's certifications with their validity. 您团队成员的认证及有效期。",
    ),
    retrieve=extend_schema(summary="One certified person", description="One certification. 单条认证。"),
)
class CertifiedPersonViewSet(
    PartnerAPIMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    serializer_class = CertifiedPersonSerializer
    required_scopes = {"GET": "partner:read", "import_rows": "certifications:write"}

    def get_queryset(self):
        return CertifiedPerson.objects.filter(partner=self.partner).select_related("certification")

    @extend_schema(
        summary="Import certified people",
        description=(
            "The console's CSV import as JSON: each row has the CSV's columns (`name`, `email`, "
            "`certification` by slug or name, `issued_on`, optional `expires_on`; ISO dates) and is "
            "imported on its own, keyed by (email, certification) — sending a row again updates it. "
            "At most 500 rows; one result per row, in order. "
            "以 JSON 导入认证人员（与控制台 CSV 导入相同的规则）：每行单独导入，按邮箱和认证去重，"
            "重复提交即更新；每次最多 500 行，逐行返回结果。"
        ),
        request=CertificationImportSerializer,
        responses={200: CertificationImportResultSerializer},
    )
    @action(detail=False, methods=["post"], url_path="import")
    def import_rows(self, request):
        data = CertificationImportSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        report, results = certifications.import_rows(
            partner=self.partner, rows=[dict(row) for row in data.validated_data["rows"]]
        )
        return Response(
            {
                "created": report.created,
                "updated": report.updated,
                "failed": len(report.errors),
                "results": [_row_result(result) for result in results],
            }
        )


def _row_result(result: dict) -> dict:
    if result["status"] == "error":
        reason = result["reason"]
        return {
            "index": result["index"],
            "status": "error",
            "code": certifications.ROW_CODES.get(reason, "invalid_row"),
            "detail": _(reason) % result["params"] if result["params"] else _(reason),
            "person": None,
        }
    return {
        "index": result["index"],
        "status": result["status"],
        "code": None,
        "detail": None,
        "person": CertifiedPersonSerializer(result["person"]).data,
    }
