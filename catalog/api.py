"""The partner API's listings and plans (read): ``/api/v1/listings/``.

A listing is identified by its Wagtail ``translation_key`` (a UUID; the page id stays internal).
Only the API key's partner's listings are visible; another partner's listing is a 404.
"""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, viewsets

from catalog.models import ListingPage, ListingPlan
from core.api import PartnerAPIMixin


class PlanSerializer(serializers.ModelSerializer):
    name = serializers.CharField(help_text="Plan name (Chinese).")
    name_en = serializers.CharField(help_text="Plan name (English).")
    price_cny = serializers.DecimalField(
        max_digits=12, decimal_places=2, allow_null=True, coerce_to_string=True
    )
    price_usd = serializers.DecimalField(
        max_digits=12, decimal_places=2, allow_null=True, coerce_to_string=True
    )

    class Meta:
        model = ListingPlan
        fields = [
            "name",
            "name_en",
            "pricing_model",
            "trial_days",
            "price_cny",
            "price_usd",
            "unit",
            "unit_en",
        ]


class ListingSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="translation_key", read_only=True)
    name = serializers.CharField(source="title", read_only=True)
    name_en = serializers.CharField(source="title_en", read_only=True)
    status = serializers.SerializerMethodField(help_text="draft, in_review, live or delisted.")
    url = serializers.SerializerMethodField()
    plans = PlanSerializer(many=True, read_only=True)
    rating_average = serializers.DecimalField(max_digits=3, decimal_places=2, read_only=True, allow_null=True)
    updated_at = serializers.DateTimeField(
        source="latest_revision_created_at", read_only=True, allow_null=True
    )
    revision = serializers.IntegerField(
        source="latest_revision_id",
        read_only=True,
        allow_null=True,
        help_text="Send it with a change set (optimistic lock). 变更集需附带的修订号。",
    )

    class Meta:
        model = ListingPage
        fields = [
            "id",
            "slug",
            "name",
            "name_en",
            "tagline",
            "tagline_en",
            "listing_type",
            "deployment",
            "status",
            "url",
            "live",
            "first_published_at",
            "last_published_at",
            "updated_at",
            "revision",
            "delisted_at",
            "rating_average",
            "rating_count",
            "active_subscriptions",
            "plans",
        ]

    def get_status(self, listing) -> str:
        if listing.delisted_at:
            return "delisted"
        if listing.live:
            return "live"
        if getattr(listing, "in_review", False):
            return "in_review"
        return "draft"

    def get_url(self, listing) -> str | None:
        return listing.full_url if listing.live else None


@extend_schema_view(
    list=extend_schema(
        summary="List your listings",
        description="Your listings in every state, with their plans. 列出您的全部上架产品及其方案。",
    ),
    retrieve=extend_schema(summary="One listing", description="One of your listings. 单个上架产品。"),
)
class ListingViewSet(PartnerAPIMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = ListingSerializer
    lookup_field = "translation_key"
    lookup_url_kwarg = "id"
    lookup_value_regex = "[0-9a-f-]{36}"
    required_scopes = {"GET": "listings:read"}
    updated_field = "latest_revision_created_at"

    def get_queryset(self):
        return ListingPage.objects.filter(partner=self.partner).prefetch_related("plans").order_by("pk")
