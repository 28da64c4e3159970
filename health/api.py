"""The partner API's health: ``/api/v1/health-snapshots/`` — the partner's monthly health scores
(composite, dimensions and the metric drill-down), newest last; scope ``partner:read``."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets

from core.api import PartnerAPIMixin
from health.models import HealthSnapshot


class HealthSnapshotSerializer(serializers.ModelSerializer):
    tier = serializers.CharField(source="tier.slug", read_only=True, allow_null=True)
    kind = serializers.CharField(read_only=True, help_text="Your partner kind that month.")

    class Meta:
        model = HealthSnapshot
        fields = [
            "id",
            "month",
            "kind",
            "tier",
            "composite",
            "previous_composite",
            "productivity",
            "robustness",
            "innovation",
            "metrics",
            "computed_at",
        ]


@extend_schema_view(
    list=extend_schema(
        summary="Your health snapshots",
        description="Your monthly health scores with the metric drill-down. 您每月的健康度评分及明细。",
    ),
    retrieve=extend_schema(summary="One health snapshot", description="One month. 单月健康度。"),
)
class HealthSnapshotViewSet(
    PartnerAPIMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    serializer_class = HealthSnapshotSerializer
    required_scopes = {"GET": "partner:read"}
    updated_field = "computed_at"

    def get_queryset(self):
        return HealthSnapshot.objects.filter(partner=self.partner).select_related("tier")
