"""The partner API's profile endpoint: ``GET /api/v1/partner/`` (the key's own partner and tier)."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from core.api import PartnerAPIMixin
from partners.models import Partner, Tier


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
