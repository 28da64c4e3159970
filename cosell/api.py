"""The partner API's co-sell resources: ``/api/v1/deal-registrations/`` — the partner's deal
registrations (read), registering a deal (a draft), submitting it, and updating an approved deal's
pipeline figures.

Writes go through ``cosell.services.registrations`` (the console's path: the same field rules,
the same conflict check on submit, the same fields locked per state); another partner's
registration is a 404.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from catalog.models import ListingPage
from core.api import PartnerAPIMixin, StrictSerializerMixin, money
from core.money import Currency
from cosell.models import CompanySize, DealRegistration, Stage
from cosell.services import registrations as service

UUID_RE = "[0-9a-f-]{36}"


class DealRegistrationSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    listings = serializers.SerializerMethodField()
    estimated_value = serializers.SerializerMethodField()

    class Meta:
        model = DealRegistration
        fields = [
            "id",
            "status",
            "customer_name",
            "customer_name_en",
            "customer_uscc",
            "customer_domain",
            "customer_size",
            "contact_name",
            "contact_email",
            "contact_phone",
            "listings",
            "estimated_value",
            "expected_close",
            "stage",
            "notes",
            "submitted_at",
            "decided_at",
            "reject_reason",
            "lost_reason",
            "decision_note",
            "protection_until",
            "created_at",
            "updated_at",
        ]

    def get_listings(self, registration) -> list[str]:
        return [str(key) for key in registration.listings.values_list("translation_key", flat=True)]

    def get_estimated_value(self, registration) -> dict:
        return money(registration.estimated_value, registration.currency)


def registration_payload(registration: DealRegistration) -> dict:
    return dict(DealRegistrationSerializer(registration).data)


class DealInputSerializer(StrictSerializerMixin, serializers.Serializer):
    customer_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    customer_name_en = serializers.CharField(max_length=200, required=False, allow_blank=True)
    customer_uscc = serializers.CharField(max_length=18, required=False, allow_blank=True)
    customer_domain = serializers.CharField(max_length=200, required=False, allow_blank=True)
    customer_size = serializers.ChoiceField(choices=CompanySize.choices, required=False, allow_blank=True)
    contact_name = serializers.CharField(max_length=100, required=False)
    contact_email = serializers.EmailField(required=False, allow_blank=True)
    contact_phone = serializers.CharField(max_length=40, required=False, allow_blank=True)
    listings = serializers.ListField(
        child=serializers.UUIDField(), required=False, max_length=10, help_text="Live listings' ids."
    )
    estimated_value = serializers.DecimalField(max_digits=14, decimal_places=2, required=False)
    currency = serializers.ChoiceField(choices=Currency.choices, required=False)
    expected_close = serializers.DateField(required=False)
    stage = serializers.ChoiceField(choices=Stage.choices, required=False)
    notes = serializers.CharField(max_length=4000, required=False, allow_blank=True)

    def validate_listings(self, value):
        keys = {str(v) for v in value}
        pages = list(ListingPage.objects.live().filter(translation_key__in=keys))
        if len({str(p.translation_key) for p in pages}) != len(keys):
            raise serializers.ValidationError(_("Unknown or unpublished listing."))
        return pages


def _service_call(func, **kwargs):
    """Run a co-sell service; its field errors become a 400 problem with ``errors``."""
    try:
        return func(**kwargs)
    except DjangoValidationError as exc:
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
        raise exceptions.ValidationError(detail) from exc


_DOC = "Your deal registrations (co-sell). 您的商机报备。"


@extend_schema_view(
    list=extend_schema(summary="List your deal registrations", description=_DOC),
    retrieve=extend_schema(summary="One deal registration", description=_DOC),
    create=extend_schema(
        summary="Register a deal (draft)",
        description="Creates a draft; submit it with /submit. 创建报备草稿，再调用 submit 提交。",
        request=DealInputSerializer,
        responses={201: DealRegistrationSerializer},
    ),
    partial_update=extend_schema(
        summary="Change a deal registration",
        description=(
            "Only the fields its state allows (a draft: all; an approved deal: stage, value, close date, "
            "notes, contact); a locked field is a 409 problem. 按状态修改允许的字段。"
        ),
        request=DealInputSerializer,
        responses={200: DealRegistrationSerializer},
    ),
)
class DealRegistrationViewSet(
    PartnerAPIMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = DealRegistrationSerializer
    lookup_field = "public_id"
    lookup_url_kwarg = "id"
    lookup_value_regex = UUID_RE
    http_method_names = ["get", "post", "patch", "head", "options"]
    required_scopes = {"GET": "deals:read", "POST": "deals:write", "PATCH": "deals:write"}

    def get_queryset(self):
        return DealRegistration.objects.filter(partner=self.partner).prefetch_related("listings")

    def create(self, request, *args, **kwargs):
        data = DealInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = {"listings": [], **data.validated_data}  # the service reads listings from the data
        registration = _service_call(
            service.create_registration, partner=self.partner, user=None, data=fields
        )
        return Response(DealRegistrationSerializer(registration).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        registration = self.get_object()
        data = DealInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        registration = _service_call(
            service.update_registration, registration=registration, user=None, data=data.validated_data
        )
        return Response(DealRegistrationSerializer(registration).data)

    @extend_schema(
        summary="Submit a deal registration",
        description=(
            "Submits a draft (or one that needed action): approved at once when nothing conflicts and "
            "your programme allows it, otherwise in review. 提交报备：无冲突时自动批准，否则进入审核。"
        ),
        request=None,
        responses={200: DealRegistrationSerializer},
    )
    @action(detail=True, methods=["post"])
    def submit(self, request, id=None):
        registration = _service_call(service.submit, registration=self.get_object(), user=None)
        return Response(DealRegistrationSerializer(registration).data)
