"""The partner API's reviews: ``/api/v1/reviews/`` — published reviews of the partner's listings
(scope ``listings:read``) and the one public reply to each (``POST …/reply``, scope
``reviews:reply``), through ``marketplace.services.reviews.reply_to_review`` like the console.
A review of another partner's listing is a 404; a second reply is a 409."""

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api import PartnerAPIMixin, StrictSerializerMixin
from core.exceptions import NotAllowed
from marketplace.models import Review
from marketplace.services import reviews as review_service


class ReplySerializer(serializers.Serializer):
    body = serializers.CharField()
    created_at = serializers.DateTimeField()


class ReviewSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    listing = serializers.UUIDField(source="listing.translation_key", read_only=True)
    customer = serializers.CharField(source="organisation.name", read_only=True, allow_null=True)
    reply = serializers.SerializerMethodField()

    class Meta:
        model = Review
        fields = [
            "id",
            "listing",
            "customer",
            "rating",
            "title",
            "body",
            "language",
            "reply",
            "created_at",
            "updated_at",
        ]

    @extend_schema_field(ReplySerializer(allow_null=True))
    def get_reply(self, review):
        reply = getattr(review, "reply", None)
        return {"body": reply.body, "created_at": reply.created_at} if reply else None


class ReplyInputSerializer(StrictSerializerMixin, serializers.Serializer):
    body = serializers.CharField(max_length=2000)


@extend_schema_view(
    list=extend_schema(
        summary="Reviews of your listings", description="Published reviews. 您的产品收到的公开评价。"
    ),
    retrieve=extend_schema(summary="One review", description="One review of your listings. 单条评价。"),
)
class ReviewViewSet(
    PartnerAPIMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    serializer_class = ReviewSerializer
    lookup_field = "public_id"
    lookup_url_kwarg = "id"
    lookup_value_regex = "[0-9a-f-]{36}"
    required_scopes = {"GET": "listings:read", "reply": "reviews:reply"}

    def get_queryset(self):
        return Review.objects.filter(
            listing__partner=self.partner, status=Review.Status.PUBLISHED
        ).select_related("listing", "organisation", "reply")

    @extend_schema(
        summary="Reply to a review",
        description="Your one public reply; a second one is a 409. 公开回复评价（每条评价仅一次）。",
        request=ReplyInputSerializer,
        responses={201: ReviewSerializer},
    )
    @action(detail=True, methods=["post"])
    def reply(self, request, id=None):
        review = self.get_object()
        data = ReplyInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            review_service.reply_to_review(
                review=review, user=None, body=data.validated_data["body"], partner=self.partner
            )
        except DjangoValidationError as exc:
            if getattr(exc, "code", None) == "duplicate":
                raise NotAllowed(" ".join(exc.messages), code="already_replied") from exc
            raise exceptions.ValidationError({"body": exc.messages}) from exc
        review = self.get_queryset().get(pk=review.pk)
        return Response(ReviewSerializer(review).data, status=status.HTTP_201_CREATED)
