"""The partner API's money and customers: subscriptions and entitlements of the partner's
listings, ledger transactions, payout statements and payouts (read), and usage records (write).

Usage records go through :func:`billing.services.usage.report_usage`, the same path as the
signed ``/billing/api/usage/`` endpoint.
"""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response

from billing.models import Entitlement, LedgerEntry, Payout, PayoutStatement, Subscription
from billing.services import usage as usage_service
from core.api import PartnerAPIMixin, PartnerReadOnlyViewSet, PublicIdLookupMixin, StrictSerializerMixin


class MoneySerializer(serializers.Serializer):
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, help_text="Decimal string.")
    currency = serializers.CharField(help_text="ISO 4217: CNY or USD.")


def _money(amount, currency):
    return {"amount": f"{amount:.2f}", "currency": currency}


class CustomerSerializer(serializers.Serializer):
    name = serializers.CharField()
    slug = serializers.CharField()


class SubscriptionSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    listing = serializers.UUIDField(source="listing.translation_key", read_only=True)
    customer = CustomerSerializer(source="organisation", read_only=True)
    unit_price = serializers.SerializerMethodField()
    metered = serializers.BooleanField(source="is_metered", read_only=True)

    class Meta:
        model = Subscription
        fields = [
            "id",
            "listing",
            "customer",
            "plan_name",
            "plan_name_en",
            "status",
            "interval",
            "quantity",
            "unit_price",
            "metered",
            "current_period_start",
            "current_period_end",
            "cancel_at_period_end",
            "canceled_at",
            "created_at",
            "updated_at",
        ]

    def get_unit_price(self, sub) -> MoneySerializer:
        return _money(sub.unit_amount, sub.currency)


class EntitlementSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    listing = serializers.UUIDField(source="listing.translation_key", read_only=True)
    customer = CustomerSerializer(source="organisation", read_only=True)
    subscription = serializers.UUIDField(source="subscription.public_id", read_only=True, allow_null=True)

    class Meta:
        model = Entitlement
        fields = [
            "id",
            "listing",
            "customer",
            "source",
            "subscription",
            "status",
            "seats",
            "starts_at",
            "ends_at",
            "created_at",
            "updated_at",
        ]


class TransactionSerializer(serializers.ModelSerializer):
    amount = serializers.SerializerMethodField(help_text="Positive: owed to you; negative: deducted.")
    statement = serializers.UUIDField(source="statement.public_id", read_only=True, allow_null=True)

    class Meta:
        model = LedgerEntry
        fields = ["id", "kind", "amount", "occurred_at", "description", "statement", "created_at"]

    def get_amount(self, entry) -> MoneySerializer:
        return _money(entry.amount, entry.currency)


class StatementSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    charges = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)
    refunds = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)
    commission = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)
    adjustments = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)
    net = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)

    class Meta:
        model = PayoutStatement
        fields = [
            "id",
            "number",
            "month",
            "currency",
            "charges",
            "refunds",
            "commission",
            "adjustments",
            "net",
            "entry_count",
            "status",
            "issued_at",
            "created_at",
            "updated_at",
        ]


class PayoutSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    amount = serializers.SerializerMethodField()
    statement = serializers.UUIDField(source="statement.public_id", read_only=True, allow_null=True)

    class Meta:
        model = Payout
        fields = [
            "id",
            "amount",
            "status",
            "statement",
            "paid_at",
            "failure_message",
            "created_at",
            "updated_at",
        ]

    def get_amount(self, payout) -> MoneySerializer:
        return _money(payout.amount, payout.currency)


def _read_only(summary, description):
    return extend_schema_view(
        list=extend_schema(summary=f"List {summary}", description=description),
        retrieve=extend_schema(summary=f"One of {summary}", description=description),
    )


@_read_only("subscriptions", "Subscriptions of your listings. 您的上架产品的订阅。")
class SubscriptionViewSet(PublicIdLookupMixin, PartnerReadOnlyViewSet):
    serializer_class = SubscriptionSerializer
    required_scopes = {"GET": "entitlements:read"}
    model, partner_field, select_related = (
        Subscription,
        "listing__partner",
        ("listing", "organisation", "price"),
    )


@_read_only("entitlements", "Entitlements to your listings: who may use what. 客户对您产品的使用权。")
class EntitlementViewSet(PublicIdLookupMixin, PartnerReadOnlyViewSet):
    serializer_class = EntitlementSerializer
    required_scopes = {"GET": "entitlements:read"}
    model, partner_field = Entitlement, "listing__partner"
    select_related = ("listing", "organisation", "subscription")


@_read_only("transactions", "Your ledger: charges, refunds, commission, payouts, adjustments. 您的账目流水。")
class TransactionViewSet(PartnerReadOnlyViewSet):
    serializer_class = TransactionSerializer
    lookup_url_kwarg = "id"
    lookup_value_regex = "[0-9]{1,18}"
    required_scopes = {"GET": "payouts:read"}
    updated_field = "created_at"
    model, select_related, ordering = LedgerEntry, ("statement",), ("pk",)


@_read_only("payout statements", "Your monthly payout statements. 您的月度结算单。")
class StatementViewSet(PublicIdLookupMixin, PartnerReadOnlyViewSet):
    serializer_class = StatementSerializer
    required_scopes = {"GET": "payouts:read"}
    model = PayoutStatement


@_read_only("payouts", "Transfers to your account. 打款记录。")
class PayoutViewSet(PublicIdLookupMixin, PartnerReadOnlyViewSet):
    serializer_class = PayoutSerializer
    required_scopes = {"GET": "payouts:read"}
    model, select_related = Payout, ("statement",)


# --- usage records ------------------------------------------------------------------------------


class UsageRecordInSerializer(StrictSerializerMixin, serializers.Serializer):
    subscription = serializers.UUIDField(help_text="A usage-based subscription of one of your listings.")
    quantity = serializers.IntegerField(min_value=1, max_value=10**9)
    key = serializers.CharField(
        max_length=60, help_text="Unique per record: a repeated key is not charged twice."
    )
    timestamp = serializers.DateTimeField(help_text="When the usage happened; at most 24 hours ago.")
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")

    def to_internal_value(self, data):
        if isinstance(data, dict) and isinstance(data.get("quantity"), bool | float | str):
            raise serializers.ValidationError({"quantity": [_("Enter a whole number of units above zero.")]})
        return super().to_internal_value(data)


class UsageBatchSerializer(StrictSerializerMixin, serializers.Serializer):
    records = UsageRecordInSerializer(many=True, allow_empty=False, max_length=usage_service.MAX_BATCH)


class UsageResultSerializer(serializers.Serializer):
    key = serializers.CharField()
    status = serializers.ChoiceField(choices=["created", "duplicate", "rejected"])
    id = serializers.IntegerField(required=False, help_text="The usage record (created or duplicate).")
    code = serializers.CharField(required=False, help_text="Why a record was rejected (stable).")
    detail = serializers.CharField(required=False, help_text="Why, in your language.")


class UsageBatchResultSerializer(serializers.Serializer):
    results = UsageResultSerializer(many=True)


class UsageViewSet(PartnerAPIMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    serializer_class = UsageBatchSerializer
    required_scopes = {"POST": "usage:write"}

    @extend_schema(
        summary="Report metered usage",
        description=(
            "Up to 100 usage records per request. Each record is handled on its own: the response "
            "lists, in order, `created`, `duplicate` (its key was already reported: not charged again) "
            "or `rejected` with a code (`late` when more than 24 hours old, `not_found` for a "
            "subscription that is not a usage-based subscription of yours, `refused`). "
            "每批最多 100 条用量记录，逐条返回结果；超过 24 小时的记录会被拒绝。"
        ),
        responses={
            201: UsageBatchResultSerializer,
            200: OpenApiResponse(UsageBatchResultSerializer, description="Nothing new was created."),
        },
    )
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        records = [
            usage_service.UsageInput(
                subscription_id=r["subscription"],
                quantity=r["quantity"],
                key=r["key"],
                occurred_at=r["timestamp"],
                note=r.get("note", ""),
            )
            for r in serializer.validated_data["records"]
        ]
        outcomes = usage_service.report_batch(partner=self.partner, records=records)
        results = [{"key": r.key, **o.as_dict()} for r, o in zip(records, outcomes, strict=True)]
        created = any(r["status"] == "created" for r in results)
        return Response(
            {"results": results}, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )


# --- customers -----------------------------------------------------------------------------------


class PartnerCustomerSerializer(serializers.Serializer):
    id = serializers.CharField(source="slug", help_text="The customer organisation's slug.")
    name = serializers.CharField()
    name_en = serializers.CharField()
    website = serializers.CharField()
    active_entitlements = serializers.IntegerField()
    subscriptions = serializers.IntegerField(source="subscription_count")


@extend_schema_view(
    list=extend_schema(
        summary="Your customers",
        description=(
            "Organisations with a subscription to or an entitlement on one of your listings. "
            "订阅或获授权使用您产品的客户组织。"
        ),
    ),
    retrieve=extend_schema(summary="One customer", description="One of your customers. 单个客户。"),
)
class CustomerViewSet(
    PartnerAPIMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    serializer_class = PartnerCustomerSerializer
    lookup_field = "slug"
    lookup_url_kwarg = "id"
    lookup_value_regex = "[-a-zA-Z0-9_]+"
    required_scopes = {"GET": "entitlements:read"}

    def get_queryset(self):
        from django.db.models import Count, Q

        from accounts.models import Organisation

        partner = self.partner
        return (
            Organisation.objects.filter(
                Q(entitlements__listing__partner=partner) | Q(subscriptions__listing__partner=partner)
            )
            .annotate(
                active_entitlements=Count(
                    "entitlements",
                    filter=Q(entitlements__listing__partner=partner, entitlements__status="active"),
                    distinct=True,
                ),
                subscription_count=Count(
                    "subscriptions", filter=Q(subscriptions__listing__partner=partner), distinct=True
                ),
            )
            .distinct()
        )
