"""``POST /api/v1/listings/{id}/change-sets`` and ``GET /api/v1/change-sets/{id}``: listing
change sets over HTTP (the rules are in ``api.changesets``)."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.generics import GenericAPIView, get_object_or_404
from rest_framework.response import Response

from api import changesets
from api.models import ChangeSet
from catalog.models import ListingPage
from core.api import PartnerAPIMixin, StrictSerializerMixin


class ChangeSerializer(StrictSerializerMixin, serializers.Serializer):
    field = serializers.ChoiceField(choices=changesets.EDITABLE_FIELDS)
    value = serializers.CharField(allow_blank=True, max_length=2000)


class StartChangeSetSerializer(StrictSerializerMixin, serializers.Serializer):
    revision = serializers.IntegerField(
        allow_null=True,
        help_text="The listing's `revision` you read (optimistic lock); null skips the check.",
    )
    changes = ChangeSerializer(many=True, min_length=1, max_length=changesets.MAX_CHANGES)
    submit_for_review = serializers.BooleanField(default=True)


class ChangeErrorSerializer(serializers.Serializer):
    index = serializers.IntegerField(allow_null=True, help_text="Position in `changes`; null: the whole set.")
    field = serializers.CharField(allow_null=True)
    code = serializers.CharField()
    message = serializers.CharField()


class ChangeSetSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    listing = serializers.UUIDField(source="listing.translation_key", read_only=True)
    errors = ChangeErrorSerializer(many=True, read_only=True)
    revision = serializers.IntegerField(source="revision_id", read_only=True, allow_null=True)
    base_revision = serializers.IntegerField(source="base_revision_id", read_only=True, allow_null=True)

    class Meta:
        model = ChangeSet
        fields = [
            "id",
            "listing",
            "status",
            "base_revision",
            "revision",
            "submit_for_review",
            "changes",
            "errors",
            "created_at",
            "finished_at",
        ]


class StartChangeSetView(PartnerAPIMixin, GenericAPIView):
    serializer_class = StartChangeSetSerializer
    required_scopes = {"POST": "listings:write"}
    pagination_class = None

    @extend_schema(
        summary="Start a change set on a listing",
        description=(
            "Edits one of your listings as a batch, applied in the background and sent to review. While "
            "a change set runs the listing is locked: another one is a 409 `change_set_in_progress`; a "
            "`revision` other than the listing's latest is a 409 `revision_conflict`. Poll "
            "GET /change-sets/{id}; a failed set lists an error per change and changes nothing. "
            "变更集：后台应用并提交审核；运行期间锁定上架产品（再次提交返回 409），修订号不符返回 409。"
        ),
        request=StartChangeSetSerializer,
        responses={202: ChangeSetSerializer},
    )
    def post(self, request, id):
        listing = get_object_or_404(ListingPage.objects.filter(partner=self.partner), translation_key=id)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        change_set = changesets.start(
            listing=listing,
            api_key=request.auth,
            revision=data["revision"],
            changes=[dict(change) for change in data["changes"]],
            submit_for_review=data["submit_for_review"],
        )
        return Response(ChangeSetSerializer(change_set).data, status=status.HTTP_202_ACCEPTED)


@extend_schema_view(
    list=extend_schema(
        summary="List your change sets", description="Your listings' change sets. 变更集列表。"
    ),
    retrieve=extend_schema(
        summary="One change set",
        description="Its status (preparing, applying, succeeded, failed) and errors. 变更集状态与错误。",
    ),
)
class ChangeSetViewSet(
    PartnerAPIMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    serializer_class = ChangeSetSerializer
    lookup_field = "public_id"
    lookup_url_kwarg = "id"
    lookup_value_regex = "[0-9a-f-]{36}"
    required_scopes = {"GET": "listings:read"}

    def get_queryset(self):
        return ChangeSet.objects.filter(partner=self.partner).select_related("listing")
