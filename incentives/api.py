"""The partner API's incentives resources: ``/api/v1/fund-requests/`` (the partner's market
development fund requests and their claims, read) and ``/api/v1/fund-balances/`` (per pool: the
allocation, what remains and the totals by ledger kind — the console's figures, from
``incentives.selectors.partner_pools``). Another partner's request is a 404."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from core.api import PartnerAPIMixin, money
from incentives import selectors
from incentives.models import FundRequest, IncentiveLedgerEntry


class FundRequestSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    pool = serializers.UUIDField(source="pool.public_id", read_only=True)
    budget = serializers.SerializerMethodField()
    approved_amount = serializers.SerializerMethodField()
    claim_amount = serializers.SerializerMethodField()

    class Meta:
        model = FundRequest
        fields = [
            "id",
            "pool",
            "state",
            "activity_type",
            "title",
            "start_date",
            "end_date",
            "budget",
            "submitted_at",
            "approved_amount",
            "decided_at",
            "decision_note",
            "claim_amount",
            "claim_submitted_at",
            "claim_reviewed_at",
            "claim_note",
            "paid_at",
            "created_at",
            "updated_at",
        ]

    def get_budget(self, request) -> dict:
        return money(request.budget, request.currency)

    def get_approved_amount(self, request) -> dict | None:
        return (
            money(request.approved_amount, request.currency) if request.approved_amount is not None else None
        )

    def get_claim_amount(self, request) -> dict | None:
        return money(request.claim_amount, request.currency) if request.claim_amount is not None else None


def fund_request_payload(request: FundRequest) -> dict:
    return dict(FundRequestSerializer(request).data)


def ledger_entry_payload(entry: IncentiveLedgerEntry, balance) -> dict:
    return {
        "pool": str(entry.pool.public_id),
        "kind": entry.kind,
        "amount": money(entry.amount, entry.currency),
        "balance": money(balance, entry.currency),
        "fund_request": str(entry.fund_request.public_id) if entry.fund_request_id else None,
        "created_at": entry.created_at.isoformat().replace("+00:00", "Z") if entry.created_at else None,
    }


@extend_schema_view(
    list=extend_schema(
        summary="List your fund requests",
        description="Your market development fund requests and claims. 您的市场发展基金申请与报销。",
    ),
    retrieve=extend_schema(
        summary="One fund request", description="One of your fund requests. 单个基金申请。"
    ),
)
class FundRequestViewSet(
    PartnerAPIMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    serializer_class = FundRequestSerializer
    lookup_field = "public_id"
    lookup_url_kwarg = "id"
    lookup_value_regex = "[0-9a-f-]{36}"
    required_scopes = {"GET": "incentives:read"}

    def get_queryset(self):
        return FundRequest.objects.filter(partner=self.partner).select_related("pool")


class BalanceSerializer(serializers.Serializer):
    pool = serializers.UUIDField()
    name = serializers.CharField()
    status = serializers.CharField()
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    allocation = serializers.DictField(help_text="Money: amount and currency.")
    balance = serializers.DictField(help_text="What you may still spend. 可用余额。")
    totals = serializers.DictField(help_text="Ledger kind → money.")


@extend_schema_view(
    get=extend_schema(
        summary="Your fund balances",
        description=(
            "Per incentive pool: your allocation, what remains and the totals by ledger kind (the console's "
            "figures). 各基金池的分配额、余额与分类合计。"
        ),
        responses={200: BalanceSerializer(many=True)},
    )
)
class BalanceView(PartnerAPIMixin, GenericAPIView):
    serializer_class = BalanceSerializer
    required_scopes = {"GET": "incentives:read"}
    pagination_class = None

    def get(self, request):
        rows = []
        for row in selectors.partner_pools(self.partner):
            pool, currency = row["pool"], row["pool"].currency
            rows.append(
                {
                    "pool": str(pool.public_id),
                    "name": pool.name,
                    "status": pool.status,
                    "period_start": pool.period_start.isoformat(),
                    "period_end": pool.period_end.isoformat(),
                    "allocation": money(row["allocation"].amount, currency),
                    "balance": money(row["balance"], currency),
                    "totals": {kind: money(amount, currency) for kind, amount in row["totals"].items()},
                }
            )
        return Response(rows)
