"""Demo incentives: a 10,000,000 CNY annual MDF pool allocated over the demo service and
channel partners, fund requests and claims in every state, two fraud flags to review, and the
monthly star ratings. Seeded through the incentives services; dates hang off ``DEMO_TODAY``.

Idempotent: the pool is looked up by name and nothing is added when it exists (star ratings
are upserts). ``reset`` removes every incentives row of the demo (ledger rows included).
"""

from __future__ import annotations

import io
import random
from datetime import date, timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.test import override_settings

from accounts.models import Membership, User
from demo.base import DEMO_TODAY, SeedContext
from incentives.models import (
    ActivityType,
    Allocation,
    ClaimDocument,
    FraudFlag,
    FundRequest,
    FundRequestEvent,
    IncentiveLedgerEntry,
    IncentivePool,
    Sanction,
    StarRating,
)
from incentives.services import allocation, funds, stars
from partners.models import Partner
from partners.services.facts import FactRow, ensure_metric, report_facts

POOL_NAME = "2026 年度市场发展基金"


def _photo(seed: int, *, taken: date, size=(800, 600)) -> SimpleUploadedFile:
    from PIL import Image, ImageDraw

    rng = random.Random(seed)
    image = Image.new("RGB", (800, 600), (rng.randrange(256), rng.randrange(256), rng.randrange(256)))
    draw = ImageDraw.Draw(image)
    for _ in range(10):
        x, y = rng.randrange(760), rng.randrange(560)
        w, h = rng.randrange(40, 300), rng.randrange(40, 300)
        colour = (rng.randrange(256), rng.randrange(256), rng.randrange(256))
        (draw.ellipse if rng.random() < 0.5 else draw.rectangle)([x, y, x + w, y + h], fill=colour)
    if size != (800, 600):
        image = image.resize(size)
    exif = Image.Exif()
    exif[306] = taken.strftime("%Y:%m:%d 10:00:00")
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85, exif=exif)
    return SimpleUploadedFile(f"activity-{seed}.jpg", buffer.getvalue(), content_type="image/jpeg")


def _invoice(seed: int) -> SimpleUploadedFile:
    body = b"%PDF-1.4\n% demo invoice " + str(seed).encode() + b"\n%%EOF\n"
    return SimpleUploadedFile(f"invoice-{seed}.pdf", body, content_type="application/pdf")


def _owner(partner):
    membership = (
        Membership.objects.filter(organisation_id=partner.organisation_id)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    return membership.user if membership else None


# (title, title_en, activity, start offset from DEMO_TODAY in days, length, budget, target state)
PLANS = [
    ("华东区客户答谢会", "East China customer evening", ActivityType.EVENT, -70, 1, "120000", "paid"),
    ("年底新品发布会", "Year-end launch event", ActivityType.EVENT, 30, 2, "200000", "pre_approved"),
    (
        "行业白皮书联合推广",
        "Joint white-paper campaign",
        ActivityType.JOINT_MARKETING,
        45,
        10,
        "80000",
        "draft",
    ),
    (
        "实施顾问认证培训",
        "Consultant certification training",
        ActivityType.TRAINING,
        40,
        3,
        "60000",
        "submitted",
    ),
    ("线上直播推广", "Live-stream campaign", ActivityType.CAMPAIGN, 35, 10, "90000", "rejected"),
    (
        "制造业数字化沙龙",
        "Manufacturing digitalisation salon",
        ActivityType.EVENT,
        -20,
        1,
        "50000",
        "dup_invoice",
    ),
    ("零售客户体验日", "Retail customer day", ActivityType.EVENT, -15, 1, "40000", "photo_date"),
    ("渠道伙伴大会", "Channel partner summit", ActivityType.EVENT, -25, 2, "150000", "claim_approved"),
    ("财务云培训周", "Finance cloud training week", ActivityType.TRAINING, -30, 5, "70000", "claim_rejected"),
    ("夏季促销活动", "Summer promotion", ActivityType.CAMPAIGN, -100, 10, "30000", "expired"),
]


def seed(ctx: SeedContext) -> None:
    if IncentivePool.objects.filter(name=POOL_NAME).exists():
        ctx.log("  incentives: the demo pool exists, nothing added")
        seed_stars(ctx)
        return
    pm = User.objects.filter(email="pm@symbio.demo").first()
    finance = User.objects.filter(email="finance@symbio.demo").first()
    if pm is None or finance is None:
        ctx.log("  incentives: no programme manager or finance login: run demo.accounts first")
        return
    with (
        ctx.section("Incentives: 10,000,000 CNY pool, allocation, requests and claims") as counts,
        override_settings(INCENTIVES_AUDIT_RATE=Decimal("0"), INCENTIVES_MIN_WORKING_DAYS_AHEAD=10),
    ):
        pool = allocation.create_pool(
            user=pm,
            name=POOL_NAME,
            period_start=date(DEMO_TODAY.year, 1, 1),
            period_end=date(DEMO_TODAY.year, 12, 31),
            amount=Decimal("10000000.00"),
            currency="CNY",
            region_weights={"west": "1.3", "northeast": "1.2"},
            # the demo partner login is flagged at risk this month; its lower health score
            # already weighs its share down, so the demo pool keeps at-risk partners in
            exclude_at_risk=False,
        )
        rows = allocation.preview_allocation(pool=pool, user=pm)
        pool = allocation.publish_pool(pool=pool, user=pm)
        counts["allocations"] = len(rows)
        seed_requests(ctx, pool, pm, finance)
        counts["requests"] = pool.requests.count()
    seed_stars(ctx)


def seed_requests(ctx: SeedContext, pool, pm, finance) -> None:
    candidates = []
    flagship_id = ctx.registry.get("partners.flagship") or (
        Membership.objects.filter(user__email="partner@symbio.demo")
        .values_list("organisation__partner__pk", flat=True)
        .first()
    )
    remaining = {}  # partner id → what its allocation still has for new requests
    for a in Allocation.objects.filter(pool=pool).select_related("partner").order_by("-amount", "partner_id"):
        remaining[a.partner_id] = a.amount
        owner = _owner(a.partner)
        if owner is not None and owner.pk not in (pm.pk, finance.pk):
            a.partner.demo_owner = owner
            candidates.append(a.partner)
    candidates.sort(key=lambda p: (p.pk != flagship_id, 0))
    if not candidates:
        return
    # the flagship (the demo partner login) owns the first three; the others go round the rest
    paid_invoice = None
    for index, (title, title_en, activity, offset, length, budget, target) in enumerate(PLANS):
        partner = candidates[0] if index < 3 else candidates[(index - 2) % len(candidates)]
        user = partner.demo_owner
        start = DEMO_TODAY + timedelta(days=offset)
        end = start + timedelta(days=length - 1)
        submit_day = start - timedelta(days=21)
        claim_day = min(end + timedelta(days=5), DEMO_TODAY)
        budget = Decimal(budget)
        if target != "draft" and budget > remaining[partner.pk]:
            # many partners (``--size large``) share the same pool: a smaller activity that fits
            budget = max(Decimal("100"), (remaining[partner.pk] / 2 // 100) * 100)
        if target != "draft":
            remaining[partner.pk] -= budget
        request = funds.create_request(
            partner=partner,
            pool=pool,
            user=user,
            activity_type=activity,
            title=f"{title} · {title_en}",
            plan=f"{title}：活动方案、场地、议程与预算明细。 / {title_en}: venue, agenda and budget lines.",
            expected_results="200 名参会者，30 条合格线索。 / 200 attendees, 30 qualified leads.",
            start_date=start,
            end_date=end,
            budget=budget,
        )
        if target == "draft":
            continue
        funds.submit_request(request=request, user=user, today=submit_day)
        if target == "submitted":
            continue
        if target == "rejected":
            funds.reject_request(request=request, user=pm, note="活动目标与本年度重点行业不符。")
            continue
        approved = (budget * Decimal("0.9")).quantize(Decimal("1"))
        funds.pre_approve(request=request, user=pm, amount=approved, note="同意，按 90% 预批。")
        if target in ("pre_approved", "expired"):
            continue
        claimed = (approved * Decimal("0.95")).quantize(Decimal("0.01"))
        invoice_number = f"{26000000 + index * 7919:08d}"
        if target == "dup_invoice" and paid_invoice:
            invoice_number = paid_invoice
        photos = [_photo(1000 + index, taken=start)]
        if target == "photo_date":
            photos = [_photo(1000 + index, taken=start - timedelta(days=200))]
        funds.submit_claim(
            request=request,
            user=user,
            amount=claimed,
            summary="实际参会 212 人，收集线索 34 条。 / 212 attendees, 34 leads.",
            invoices=[{"file": _invoice(index), "code": "031002600111", "number": invoice_number}],
            photos=photos,
            today=claim_day,
        )
        if target == "paid":
            paid_invoice = invoice_number
        if target in ("dup_invoice", "photo_date"):
            continue
        if target == "claim_rejected":
            funds.reject_claim(request=request, user=pm, note="发票抬头与伙伴名称不一致。")
            continue
        funds.approve_claim(request=request, user=pm, note="材料齐全。")
        if target == "paid":
            funds.pay_claim(request=request, user=finance)
    funds.expire_overdue(today=DEMO_TODAY)


# The demo partner login's hours to a lead's first reply, the last three months (oldest first):
# its delivery stars then count lead response too instead of leaving it out.
LEAD_RESPONSE_HOURS = (Decimal("5.5"), Decimal("4.5"), Decimal("3.5"))


def seed_lead_response(ctx: SeedContext, first: date) -> int:
    pk = ctx.registry.get("partners.flagship")
    partners = Partner.objects.filter(kind__in=stars.KINDS)
    flagship = (
        partners.filter(pk=pk).first() if pk else partners.filter(kind="service").order_by("pk").first()
    )
    if flagship is None:
        return 0
    ensure_metric(
        slug="lead_response_hours",
        name="线索响应时间（小时）",
        name_en="Lead response time (hours)",
        source="demand",
    )
    months = [first]
    while len(months) < len(LEAD_RESPONSE_HOURS):
        months.insert(0, (months[0] - timedelta(days=1)).replace(day=1))
    rows = [
        FactRow(flagship.pk, "lead_response_hours", month, hours)
        for month, hours in zip(months, LEAD_RESPONSE_HOURS, strict=True)
    ]
    return report_facts(source="demo", rows=rows)


def seed_stars(ctx: SeedContext) -> None:
    with ctx.section("Incentives: delivery star ratings") as counts:
        first = DEMO_TODAY.replace(day=1)
        previous = (first - timedelta(days=1)).replace(day=1)
        counts["lead response facts"] = seed_lead_response(ctx, first)
        counts["ratings"] = stars.compute_star_ratings(month=previous) + stars.compute_star_ratings(
            month=first
        )


def reset(ctx: SeedContext) -> None:
    with ctx.section("Reset: demo incentives") as counts:
        counts["ledger entries"] = models.QuerySet(IncentiveLedgerEntry).delete()[
            0
        ]  # append-only: not via its manager
        FraudFlag.objects.all().delete()
        ClaimDocument.objects.all().delete()
        FundRequestEvent.objects.all().delete()
        counts["requests"] = FundRequest.objects.all().delete()[0]
        Allocation.objects.all().delete()
        counts["pools"] = IncentivePool.objects.all().delete()[0]
        StarRating.objects.all().delete()
        Sanction.objects.all().delete()
