"""Demo demand: enquiries (leads) to the flagship and other partners in every state, and ~30
requirements across every state and mode, with invitations, proposals and one award in delivery.

Runs after ``demo.marketplace`` (reads ``partners.flagship``, ``accounts.customers``; falls back
to the database). Everything goes through ``demand.services``. Idempotent: once the demo customer
organisation has requirements (or the flagship has leads), that part is skipped on a rerun.
Deterministic choices (``ctx.rng``); dates relative to the moment of seeding, because the
services refuse due dates in the past.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Q
from django.test import override_settings
from django.utils import timezone

from accounts.models import Membership, Organisation, User
from catalog.models import ListingPage
from demand.models import Invitation, Lead, LeadState, Requirement, RequirementMode, RequirementState
from demand.services import attachments as attachment_services
from demand.services import leads as lead_services
from demand.services import proposals as proposal_services
from demand.services import requirements as requirement_services
from demo.accounts import demo_login
from demo.base import SeedContext
from partners.models import Industry, Partner, PartnerKind

TOPICS = (
    ("ERP 上云实施", "Moving our ERP to the cloud", "将现有本地 ERP 迁移到云端，含数据迁移与培训。",
     "Move our on-premises ERP to the cloud, with data migration and training."),
    ("门店收银系统对接", "Point-of-sale integration for 120 stores",
     "把 120 家门店的收银系统与总部财务打通。", "Connect the tills of 120 stores to head-office finance."),
    ("费用报销移动化", "Mobile expense claims", "员工用手机提交报销，与审批和付款流程对接。",
     "Employees file expenses from their phones, tied to approval and payment."),
    ("数据中台建设", "A data platform for group reporting", "整合各子公司数据，统一口径的经营报表。",
     "Consolidate subsidiaries' data into consistent management reports."),
    ("供应链协同平台", "Supplier collaboration portal", "与 300 家供应商在线协同订单、发货与对账。",
     "Work with 300 suppliers online on orders, shipping and reconciliation."),
    ("制造执行系统(MES)", "Manufacturing execution system", "两条产线的 MES 实施，与 ERP 工单对接。",
     "MES for two production lines, integrated with ERP work orders."),
    ("电子签章与合同管理", "E-signature and contract management", "合同在线起草、审批、签署与归档。",
     "Draft, approve, sign and archive contracts online."),
    ("HR 薪酬外包对接", "Payroll outsourcing integration", "把考勤与薪酬外包服务商的系统打通。",
     "Connect time tracking with our payroll provider's system."),
    ("安全合规评估", "Security and compliance assessment", "等保 2.0 三级测评前的整改咨询。",
     "Remediation advice before a level-3 MLPS 2.0 assessment."),
    ("客服工单系统定制", "Customer-service ticketing customisation", "在现有工单系统上定制售后流程与报表。",
     "Customise after-sales flows and reports in our ticketing system."),
)  # fmt: skip

# (state, mode) for every demo requirement: every state and every mode appear.
PLAN = (
    [(RequirementState.DRAFT, RequirementMode.ROUTED)] * 3
    + [(RequirementState.PENDING_REVIEW, RequirementMode.ROUTED)] * 2
    + [(RequirementState.PENDING_REVIEW, RequirementMode.OPEN_CLAIM)] * 2
    + [(RequirementState.OPEN, RequirementMode.ROUTED)] * 6
    + [(RequirementState.OPEN, RequirementMode.OPEN_CLAIM)] * 3
    + [(RequirementState.OPEN, RequirementMode.DIRECTED)] * 2
    + [(RequirementState.OPEN, RequirementMode.PRIVATE_INVITE)] * 2
    + [(RequirementState.SHORTLISTING, RequirementMode.ROUTED)] * 2
    + [(RequirementState.AWARDED, RequirementMode.ROUTED)] * 2
    + [(RequirementState.IN_DELIVERY, RequirementMode.ROUTED)] * 2
    + [(RequirementState.ACCEPTANCE, RequirementMode.ROUTED)]
    + [(RequirementState.CLOSED, RequirementMode.ROUTED)]
    + [(RequirementState.REJECTED, RequirementMode.ROUTED)]
    + [(RequirementState.CANCELLED, RequirementMode.OPEN_CLAIM)]
    + [(RequirementState.EXPIRED, RequirementMode.ROUTED)]
)
# The flagship pastes one long text into every proposal: staff see it under "Near-duplicate
# proposals" (demand.services.quality).
FLAGSHIP_TEMPLATE = (
    "我们拥有十年以上同类项目经验，将按照标准方法论分四个阶段实施：需求调研与蓝图设计、系统配置与"
    "二次开发、数据迁移与集成测试、上线切换与驻场支持。项目经理全程负责，每周提交进度报告。"
)
DEMO_PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
AFTER_AWARD = {
    RequirementState.IN_DELIVERY: [RequirementState.IN_DELIVERY],
    RequirementState.ACCEPTANCE: [RequirementState.IN_DELIVERY, RequirementState.ACCEPTANCE],
    RequirementState.CLOSED: [
        RequirementState.IN_DELIVERY,
        RequirementState.ACCEPTANCE,
        RequirementState.CLOSED,
    ],
}


def _flagship(ctx) -> Partner | None:
    pk = ctx.registry.get("partners.flagship")
    qs = Partner.objects.select_related("organisation")
    return qs.filter(pk=pk).first() if pk else qs.filter(kind=PartnerKind.SERVICE).order_by("pk").first()


def _customer_users(customer_orgs) -> list[User]:
    users = []
    for org in customer_orgs:
        membership = Membership.objects.filter(organisation=org).select_related("user").order_by("pk").first()
        if membership:
            users.append(membership.user)
    return users


def seed(ctx: SeedContext) -> None:
    flagship = _flagship(ctx)
    demo_customer = User.objects.filter(email=demo_login("customer").email).first()
    customer_org = (
        Organisation.objects.filter(kind=Organisation.Kind.CUSTOMER, memberships__user=demo_customer).first()
        if demo_customer
        else None
    )
    if flagship is None or customer_org is None:
        ctx.log("  no flagship partner or demo customer: demand demo skipped")
        return
    customer_orgs = list(Organisation.objects.filter(kind=Organisation.Kind.CUSTOMER).order_by("pk")[:8])
    _seed_leads(ctx, flagship, demo_customer, customer_org, customer_orgs)
    # A month of proposals is seeded in one go: the per-day cap by tier would stop the flagship.
    with override_settings(DEMAND_DAILY_PROPOSAL_CAPS={0: 10_000}):
        _seed_requirements(ctx, flagship, demo_customer, customer_org)


def _lead(partner, *, user, org, listing, n, rng, topic):
    name = user.display_name if user else rng.choice(["王芳", "李雷", "Emma Li", "张伟", "刘洋"])
    email = user.email if user else f"guest{n}@customer.example.com"
    lead = lead_services.create_lead(
        partner=partner,
        user=user,
        organisation=org if user else None,
        listing=listing,
        contact_name=name,
        email=email,
        company="" if user else "示例贸易有限公司",
        topic=topic,
        message=rng.choice(
            [
                "你好，我们有 200 名员工，想了解价格和上线周期。",
                "能否安排一次线上演示？我们周三下午有空。",
                "Could you send a quote for 50 seats with annual billing?",
                "请问是否支持与金蝶云星空对接？",
            ]
        ),
        preferred_contact="email",
        consent=True,
        language="en" if n % 4 == 3 else "zh-hans",
    )
    cache.delete_many(lead_services.rate_limit_keys(user=user, ip=None))
    if user is None:
        lead_services.verify_lead(token=lead.verify_token)
    return lead


def _seed_leads(ctx, flagship, demo_customer, customer_org, customer_orgs) -> None:
    with ctx.section("Demand: leads") as counts:
        if Lead.objects.filter(partner=flagship).exists():
            counts["leads (kept)"] = Lead.objects.filter(partner=flagship).count()
            return
        rng = ctx.rng("demand.leads")
        listings = list(ListingPage.objects.live().filter(partner=flagship).order_by("pk")[:3])
        users = [demo_customer, *[u for u in _customer_users(customer_orgs) if u.pk != demo_customer.pk]]
        owner = Membership.objects.filter(organisation_id=flagship.organisation_id, role="owner").first()
        partner_user = owner.user if owner else None
        # (final state, signed-in?, topic)
        plan = [
            (LeadState.NEW, True, "ask"),
            (LeadState.NEW, False, "demo"),
            (LeadState.NEW, False, "quote"),  # made overdue below
            (LeadState.CONTACTED, True, "demo"),
            (LeadState.CONTACTED, False, "ask"),
            (LeadState.QUALIFIED, True, "quote"),
            (LeadState.WON, True, "quote"),
            (LeadState.LOST, False, "demo"),
            (LeadState.LOST, True, "ask"),
        ]
        for n, (state, signed_in, topic) in enumerate(plan):
            user = users[n % len(users)] if signed_in else None
            org = (
                Organisation.objects.filter(memberships__user=user, kind="customer").first() if user else None
            )
            listing = listings[n % len(listings)] if listings and n % 3 else None
            lead = _lead(flagship, user=user, org=org, listing=listing, n=n, rng=rng, topic=topic)
            if state != LeadState.NEW:
                lead_services.reply(
                    lead=lead,
                    user=partner_user,
                    body="您好，感谢咨询！我们的顾问会在今天内与您联系，方便的话请告诉我们您的电话。",
                    from_partner=True,
                )
            if state in (LeadState.QUALIFIED, LeadState.WON):
                lead_services.change_state(lead=lead, to_state=LeadState.QUALIFIED, user=partner_user)
            if state == LeadState.WON:
                lead_services.change_state(lead=lead, to_state=LeadState.WON, user=partner_user)
            if state == LeadState.LOST:
                lead_services.change_state(
                    lead=lead, to_state=LeadState.LOST, reason="客户预算不足，明年再议", user=partner_user
                )
            if n == 2:
                past = timezone.now() - timedelta(days=3)
                Lead.objects.filter(pk=lead.pk).update(
                    created_at=past, verified_at=past, first_response_due=past
                )
        # A few leads for other service partners, so the staff overdue view has several partners.
        others = list(
            Partner.objects.filter(kind=PartnerKind.SERVICE).exclude(pk=flagship.pk).order_by("pk")[:4]
        )
        for n, partner in enumerate(others, start=len(plan)):
            lead = _lead(partner, user=None, org=None, listing=None, n=n, rng=rng, topic="ask")
            if n % 2:
                past = timezone.now() - timedelta(days=2)
                Lead.objects.filter(pk=lead.pk).update(first_response_due=past)
        counts["leads"] = len(plan) + len(others)


def _seed_requirements(ctx, flagship, demo_customer, customer_org) -> None:
    with ctx.section("Demand: requirements, invitations and proposals") as counts:
        if Requirement.objects.filter(customer_organisation=customer_org).exists():
            counts["requirements (kept)"] = Requirement.objects.filter(
                customer_organisation=customer_org
            ).count()
            return
        rng = ctx.rng("demand.requirements")
        staff = User.objects.filter(email=demo_login("programme_manager").email).first()
        industries = list(Industry.objects.order_by("position", "slug"))
        service_partners = list(
            Partner.objects.filter(kind=PartnerKind.SERVICE, status="active").order_by("pk")[:30]
        )
        now = timezone.now()
        proposals = 0
        paid_one = False
        split_one = attached_one = False
        for n, (state, mode) in enumerate(PLAN):
            title, title_en, description, description_en = TOPICS[n % len(TOPICS)]
            currency = "USD" if n % 5 == 4 else "CNY"
            low = Decimal(rng.choice([20000, 50000, 80000, 150000]))
            if currency == "USD":
                low = (low / 7).quantize(Decimal("1000"))
            fields = {
                "title": title,
                "title_en": title_en,
                "description": description,
                "description_en": description_en,
                "industry": industries[n % len(industries)] if industries and n % 3 == 0 else None,
                "region": None,
                "budget_min": low,
                "budget_max": low * 2,
                "currency": currency,
                "disclose_budget": n % 2 == 0,
                "proposal_due": now + timedelta(days=7 + n % 10),
                "award_by": (now + timedelta(days=30 + n % 10)).date(),
                "required_kinds": [PartnerKind.SERVICE],
                "screening_questions": ["贵司做过类似规模的项目吗？"] if n % 3 == 1 else [],
                "mode": mode,
                "claim_limit": 5,
            }
            invited = []
            if mode == RequirementMode.DIRECTED:
                fields["directed_partner"] = flagship
            if mode == RequirementMode.PRIVATE_INVITE:
                invited = [flagship, *service_partners[1:4]]
            requirement = requirement_services.create_requirement(
                organisation=customer_org,
                user=demo_customer,
                invited=invited,
                submit=state != RequirementState.DRAFT,
                **fields,
            )
            if state in (RequirementState.PENDING_REVIEW, RequirementState.OPEN) and not attached_one:
                attachment_services.attach(
                    requirement=requirement,
                    user=demo_customer,
                    files=[SimpleUploadedFile("需求说明.pdf", DEMO_PDF, content_type="application/pdf")],
                )
                attached_one = True
            if state in (RequirementState.DRAFT, RequirementState.PENDING_REVIEW):
                continue
            if state == RequirementState.REJECTED:
                requirement_services.reject(
                    requirement=requirement, by=staff, reason="描述过于笼统，请补充范围与验收标准。"
                )
                continue
            requirement, _invited = requirement_services.approve(requirement=requirement, by=staff)
            if mode == RequirementMode.OPEN_CLAIM:
                for partner in service_partners[:3]:
                    try:
                        requirement_services.claim(requirement=requirement, partner=partner)
                    except Exception:  # noqa: BLE001 - a partner that does not qualify just does not claim
                        continue
            if state == RequirementState.CANCELLED:
                requirement_services.cancel(requirement=requirement, by=demo_customer, reason="内部预算冻结")
                continue
            if state == RequirementState.EXPIRED:
                requirement_services.transition(
                    requirement=requirement, to_state=state, reason="award-by date passed"
                )
                continue
            made = []
            invitations = list(
                Invitation.objects.filter(requirement=requirement)
                .exclude(partner=flagship)
                .order_by("-score", "pk")[:2]
            )
            if mode != RequirementMode.OPEN_CLAIM and n % 2 == 0:
                invitations += list(Invitation.objects.filter(requirement=requirement, partner=flagship))
            for i, invitation in enumerate(invitations):
                total = (requirement.budget_min * Decimal(1 + i) / 2 + requirement.budget_min).quantize(
                    Decimal("1")
                )
                first = (total * Decimal("0.4")).quantize(Decimal("1"))
                made.append(
                    proposal_services.submit_proposal(
                        requirement=requirement,
                        partner=invitation.partner,
                        user=None,
                        pricing_model="milestones",
                        total=total,
                        max_cost=total * Decimal("1.1"),
                        timeline_days=30 + 15 * i,
                        summary=FLAGSHIP_TEMPLATE
                        if invitation.partner_id == flagship.pk
                        else "分阶段实施：调研与蓝图、配置与开发、上线与培训。",
                        assumptions="客户提供测试环境与关键用户。",
                        answers=["做过，去年为一家 500 人的零售企业完成了同类项目。"]
                        * len(requirement.screening_questions),
                        milestones=[
                            {"title": "蓝图确认", "amount": first, "acceptance_criteria": "蓝图文档签字"},
                            {
                                "title": "上线验收",
                                "amount": total - first,
                                "acceptance_criteria": "生产环境稳定运行两周",
                            },
                        ],
                    )
                )
            proposals += len(made)
            if state == RequirementState.OPEN or not made:
                continue
            if state == RequirementState.SHORTLISTING:
                requirement_services.transition(requirement=requirement, to_state=state, by=demo_customer)
                continue
            if state == RequirementState.AWARDED and len(made) >= 2 and not split_one:
                # One split award (FastTrack): two partners, each on its own milestones.
                proposal_services.award_split(
                    proposals=made[:2], by=demo_customer, decline_reason="我们选择了报价更合适的方案。"
                )
                split_one = True
                continue
            proposal_services.award(
                proposal=made[0], by=demo_customer, decline_reason="我们选择了报价更合适的方案。"
            )
            if state == RequirementState.IN_DELIVERY and not paid_one:
                _paid_milestone(made[0], demo_customer)
                paid_one = True
                continue
            for step in AFTER_AWARD.get(state, []):
                requirement_services.transition(requirement=requirement, to_state=step, by=demo_customer)
        counts["requirements"] = len(PLAN)
        counts["proposals"] = proposals


def _paid_milestone(proposal, customer) -> None:
    """One requirement in delivery whose first milestone is accepted and its payment approved."""
    from demand.services import delivery

    delivery.start_delivery(requirement=proposal.requirement, by=customer)
    first = proposal.milestones.order_by("position").first()
    payment = delivery.request_payment(
        milestone=first,
        partner=proposal.partner,
        user=None,
        amount=first.amount,
        idempotency_key=f"demo-{proposal.public_id}",
    )
    delivery.decide_milestone(milestone=first, by=customer, accept=True, note="蓝图文档已签字确认。")
    delivery.decide_payment(payment_request=payment, by=customer, approve=True, charge=False)
    delivery.record_external_payment(
        payment_request=payment, reference=f"demo_pi_{payment.public_id.hex[:20]}"
    )


def reset(ctx: SeedContext) -> None:
    """Payment requests protect their milestones: remove the demo partners' ones first, so the
    accounts reset can delete demo organisations (everything else of demand cascades)."""
    from demand.models import PaymentRequest

    with ctx.section("Reset: demand payment requests") as counts:
        demo = ".example.com"
        _, deleted = PaymentRequest.objects.filter(
            Q(partner__organisation__website__endswith=demo)
            | Q(milestone__proposal__requirement__customer_organisation__website__endswith=demo)
        ).delete()
        counts["payment requests"] = deleted.get(PaymentRequest._meta.label, 0)
