"""The partner API's demand resources: ``/api/v1/leads/`` (read; change a lead's state),
``/api/v1/requirements/`` (the hall: requirements the partner is invited to or may claim) and
``/api/v1/proposals/`` (the partner's own proposals).

Reads go through ``demand.selectors`` and writes through ``demand.services`` (the console's own
paths), so the API sees and refuses exactly what the console does; another partner's lead or
proposal, or a requirement the partner may not see, is a 404.
"""

import uuid

from django.http import Http404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api import PartnerAPIMixin, StrictSerializerMixin, money
from demand import selectors
from demand.models import Lead, LeadMessage, LeadState, PricingModel, Proposal, Requirement
from demand.services import leads as lead_service
from demand.services import proposals as proposal_service

UUID_RE = "[0-9a-f-]{36}"


class LeadSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    listing = serializers.UUIDField(source="listing.translation_key", read_only=True, allow_null=True)

    class Meta:
        model = Lead
        fields = [
            "id",
            "listing",
            "contact_name",
            "email",
            "phone",
            "company",
            "topic",
            "message",
            "preferred_contact",
            "language",
            "state",
            "lost_reason",
            "verified_at",
            "first_response_due",
            "first_responded_at",
            "closed_at",
            "created_at",
            "updated_at",
        ]


class LeadStateSerializer(StrictSerializerMixin, serializers.Serializer):
    state = serializers.ChoiceField(
        choices=LeadState.choices, help_text="new → contacted → qualified → won; or lost (with a reason)."
    )
    reason = serializers.CharField(max_length=255, required=False, allow_blank=True)


class LeadReplySerializer(StrictSerializerMixin, serializers.Serializer):
    body = serializers.CharField(max_length=4000, help_text="Your answer; e-mailed to the customer.")


class LeadMessageSerializer(serializers.ModelSerializer):
    class Meta:
        model = LeadMessage
        fields = ["body", "from_partner", "created_at"]


class LeadReplyResultSerializer(serializers.Serializer):
    message = LeadMessageSerializer()
    lead = LeadSerializer()


def lead_payload(lead: Lead) -> dict:
    """A lead as the API and its events show it (JSON-ready)."""
    return dict(LeadSerializer(lead).data)


@extend_schema_view(
    list=extend_schema(
        summary="List your leads",
        description="Enquiries customers sent you (verified ones), newest last. 客户发给您的询盘（已验证）。",
    ),
    retrieve=extend_schema(summary="One lead", description="One of your leads. 单条询盘。"),
)
class LeadViewSet(PartnerAPIMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = LeadSerializer
    lookup_field = "public_id"
    lookup_url_kwarg = "id"
    lookup_value_regex = UUID_RE
    required_scopes = {"GET": "leads:read", "state": "leads:write", "replies": "leads:write"}

    def get_queryset(self):
        return Lead.objects.filter(partner=self.partner, verified_at__isnull=False).select_related("listing")

    @extend_schema(
        summary="Change a lead's state",
        description=(
            "Moves the lead as the console does (a lost lead needs a reason); an illegal move is a 403 "
            "problem. 更改询盘状态（标记为丢失需说明原因）。"
        ),
        request=LeadStateSerializer,
        responses={200: LeadSerializer},
    )
    @action(detail=True, methods=["post"])
    def state(self, request, id=None):
        lead = self.get_object()
        serializer = LeadStateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        lead = lead_service.change_state(
            lead=lead,
            to_state=serializer.validated_data["state"],
            reason=serializer.validated_data.get("reason", ""),
        )
        return Response(LeadSerializer(lead).data)

    @extend_schema(
        summary="Reply to a lead",
        description=(
            "Answers the customer as the console's reply does: the message is e-mailed to them, your first "
            "reply is the lead's first response and moves a new lead to contacted (a `lead.updated` "
            "event). Accept or decline a lead with its state (`qualified`, or `lost` with a reason). "
            "回复询盘（与控制台相同：邮件通知客户；首次回复计为首次响应，新询盘转为已联系）。"
            "接受或拒绝询盘请更改其状态。"
        ),
        request=LeadReplySerializer,
        responses={201: LeadReplyResultSerializer},
    )
    @action(detail=True, methods=["post"])
    def replies(self, request, id=None):
        lead = self.get_object()
        serializer = LeadReplySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        message = lead_service.reply(
            lead=lead, user=None, body=serializer.validated_data["body"], from_partner=True
        )
        lead.refresh_from_db()
        return Response(
            {"message": LeadMessageSerializer(message).data, "lead": LeadSerializer(lead).data},
            status=status.HTTP_201_CREATED,
        )


class RequirementSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    budget = serializers.SerializerMethodField(help_text="Only when the customer shows it to partners.")
    industry = serializers.CharField(source="industry.name", read_only=True, allow_null=True)
    region = serializers.CharField(source="region.name", read_only=True, allow_null=True)

    class Meta:
        model = Requirement
        fields = [
            "id",
            "title",
            "title_en",
            "description",
            "description_en",
            "industry",
            "region",
            "budget",
            "proposal_due",
            "award_by",
            "mode",
            "state",
            "screening_questions",
            "created_at",
            "updated_at",
        ]

    def get_budget(self, requirement) -> dict | None:
        if not requirement.disclose_budget:
            return None
        return {
            "min": money(requirement.budget_min, requirement.currency) if requirement.budget_min else None,
            "max": money(requirement.budget_max, requirement.currency) if requirement.budget_max else None,
        }


@extend_schema_view(
    list=extend_schema(
        summary="Requirements open to you",
        description=(
            "Customer requirements you are invited to or may claim (the hall). 您受邀或可认领的客户需求。"
        ),
    ),
    retrieve=extend_schema(
        summary="One requirement",
        description="A requirement you may see; others are 404. 单个需求（无权查看时返回 404）。",
    ),
)
class RequirementViewSet(PartnerAPIMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = RequirementSerializer
    lookup_field = "public_id"
    lookup_url_kwarg = "id"
    lookup_value_regex = UUID_RE
    required_scopes = {"GET": "demand:read"}

    def get_queryset(self):
        if self.partner is None:
            return Requirement.objects.none()
        return selectors.hall_for_partner(partner=self.partner)

    def get_object(self):
        try:
            public_id = uuid.UUID(self.kwargs["id"])
        except ValueError as exc:
            raise Http404 from exc
        requirement, _invitation = selectors.get_requirement_for_partner(
            partner=self.partner, public_id=public_id
        )
        return requirement


class MilestoneSerializer(serializers.Serializer):
    title = serializers.CharField()
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    acceptance_criteria = serializers.CharField()
    due_in_days = serializers.IntegerField()


class ProposalSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    requirement = serializers.UUIDField(source="requirement.public_id", read_only=True)
    total = serializers.SerializerMethodField()
    milestones = MilestoneSerializer(many=True, read_only=True)

    class Meta:
        model = Proposal
        fields = [
            "id",
            "requirement",
            "pricing_model",
            "total",
            "timeline_days",
            "summary",
            "assumptions",
            "valid_until",
            "version",
            "state",
            "decline_reason",
            "milestones",
            "created_at",
            "updated_at",
        ]

    def get_total(self, proposal) -> dict:
        return money(proposal.total, proposal.currency)


class MilestoneInputSerializer(StrictSerializerMixin, serializers.Serializer):
    title = serializers.CharField(max_length=200)
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    acceptance_criteria = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    due_in_days = serializers.IntegerField(min_value=0, max_value=3650, required=False)


class ProposalSubmitSerializer(StrictSerializerMixin, serializers.Serializer):
    requirement = serializers.UUIDField(help_text="A requirement you are invited to (or claimed).")
    pricing_model = serializers.ChoiceField(choices=PricingModel.choices)
    total = serializers.DecimalField(
        max_digits=14, decimal_places=2, help_text="In the requirement's currency, as a decimal string."
    )
    max_cost = serializers.DecimalField(max_digits=14, decimal_places=2, required=False, allow_null=True)
    timeline_days = serializers.IntegerField(min_value=1, max_value=3650)
    summary = serializers.CharField(max_length=8000)
    assumptions = serializers.CharField(max_length=4000, required=False, allow_blank=True)
    answers = serializers.ListField(
        child=serializers.CharField(max_length=2000),
        required=False,
        max_length=50,
        help_text="One answer per screening question, in order.",
    )
    milestones = MilestoneInputSerializer(
        many=True, required=False, max_length=50, help_text="Their amounts add up to the total."
    )


def proposal_payload(proposal: Proposal) -> dict:
    return dict(ProposalSerializer(proposal).data)


@extend_schema_view(
    list=extend_schema(summary="List your proposals", description="Your proposals. 您提交的方案。"),
    retrieve=extend_schema(summary="One proposal", description="One of your proposals. 单个方案。"),
    create=extend_schema(
        summary="Submit a proposal",
        description=(
            "Proposes on a requirement you are invited to, with the console's rules: before the due date, "
            "one proposal per requirement (revise it in the console), every screening question answered, "
            "milestones adding up to the total, your tier's daily cap. Emits `proposal.submitted`. A "
            "requirement you may not see is a 404; one you may not propose on (not invited, closed, past "
            "due, already proposed) a 409. "
            "为受邀的需求提交方案（规则与控制台相同：截止前、每个需求一份、回答全部筛选问题、"
            "里程碑金额之和等于总价）。无权查看的需求返回 404，不可提交时返回 409。"
        ),
        request=ProposalSubmitSerializer,
        responses={201: ProposalSerializer},
    ),
)
class ProposalViewSet(
    PartnerAPIMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    serializer_class = ProposalSerializer
    lookup_field = "public_id"
    lookup_url_kwarg = "id"
    lookup_value_regex = UUID_RE
    required_scopes = {"GET": "demand:read", "POST": "proposals:write"}

    def create(self, request):
        serializer = ProposalSubmitSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        requirement, _invitation = selectors.get_requirement_for_partner(
            partner=self.partner, public_id=data.pop("requirement")
        )
        data["milestones"] = [dict(m) for m in data.get("milestones", [])]
        proposal = proposal_service.submit_proposal(
            requirement=requirement, partner=self.partner, user=None, **data
        )
        proposal = self.get_queryset().get(pk=proposal.pk)
        return Response(ProposalSerializer(proposal).data, status=status.HTTP_201_CREATED)

    def get_queryset(self):
        return (
            Proposal.objects.filter(partner=self.partner)
            .select_related("requirement")
            .prefetch_related("milestones")
        )
