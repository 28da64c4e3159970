"""Demo deal registrations: every state, and conflicts for staff to settle.

Runs after ``demo.billing``. Three channel / service partners register customers through the
services (so conflicts are found the way production finds them): approved, won, lost, expired,
a draft, one in review, one past the one-business-day review target (overdue: it heads the
staff queue), one waiting for the partner's changes, one rejected, an extension request, and two
conflict holds (the same customer under its English name; a direct account).
Idempotent: nothing is added when the demo registrations exist. Expected-close dates follow the
clock (the service refuses a close more than 180 days ahead of today).
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from catalog.models import ListingPage
from cosell.models import DealRegistration, KnownAccount, ProtectionRule, Status
from cosell.services import facts as facts_service
from cosell.services import registrations as svc
from demo.base import SeedContext
from partners.models import Partner, PartnerKind

MARK = "[演示]"
DEMO_RULE_DAYS = 61
DIRECT_ACCOUNTS = [
    (
        "中国石油化工股份有限公司",
        "China Petroleum & Chemical Corporation",
        "91110000710926094P",
        "sinopec.com",
    ),
    ("国家电网有限公司", "State Grid Corporation of China", "", "sgcc.com.cn"),
]


def _partners() -> list[Partner]:
    """Two channel / service partners, and a third of another kind or tier (its rule, staff
    review, must not apply to the first two)."""
    demo = Partner.objects.filter(organisation__website__endswith=".example.com").select_related("tier")
    pair = list(demo.filter(kind__in=(PartnerKind.CHANNEL, PartnerKind.SERVICE)).order_by("pk")[:2])
    if len(pair) < 2:
        return []
    taken = {(p.kind, p.tier_id) for p in pair}
    third = next((p for p in demo.order_by("pk") if (p.kind, p.tier_id) not in taken), None)
    return [*pair, third] if third else []


def _data(listings, name, name_en="", *, value, days, stage="qualified", **extra):
    data = {
        "customer_name": name,
        "customer_name_en": name_en,
        "contact_name": extra.pop("contact", "王经理"),
        "listings": listings,
        "estimated_value": Decimal(value),
        "currency": extra.pop("currency", "CNY"),
        "expected_close": timezone.localdate() + timedelta(days=days),
        "stage": stage,
        "notes": f"{MARK} " + extra.pop("notes", ""),
    }
    data.update(extra)
    return data


OVERDUE_CUSTOMER = "上海启明星辰软件有限公司"
OVERDUE_DAYS = 5  # calendar days since submission: past one business day whatever the weekday


def seed_overdue(ctx: SeedContext, partner: Partner, listing) -> None:
    """A registration in review submitted five days ago: past the review target, it heads the
    staff queue marked overdue. Its own step, so an existing demo gets it too."""
    if DealRegistration.objects.filter(notes__startswith=MARK, customer_name=OVERDUE_CUSTOMER).exists():
        return
    data = _data([listing], OVERDUE_CUSTOMER, "Qiming Software", value="88000", days=70)
    reg = svc.submit(registration=svc.create_registration(partner=partner, user=None, data=data), user=None)
    if reg.status != Status.IN_REVIEW:
        ctx.log("  co-sell overdue registration: not in review (the partner's rule approves), skipped")
        return
    submitted = timezone.now() - timedelta(days=OVERDUE_DAYS)
    DealRegistration.objects.filter(pk=reg.pk).update(submitted_at=submitted, created_at=submitted)
    reg.transitions.update(at=submitted)


def seed(ctx: SeedContext) -> None:
    if DealRegistration.objects.filter(notes__startswith=MARK).exists():
        partners, listings = _partners(), list(ListingPage.objects.live().order_by("pk")[:1])
        if len(partners) == 3 and listings:
            seed_overdue(ctx, partners[2], listings[0])
        ctx.log("  co-sell demo exists: left alone")
        return
    partners = _partners()
    listings = list(ListingPage.objects.live().order_by("pk")[:4])
    if len(partners) < 3 or len(listings) < 2:
        ctx.log("  co-sell demo skipped: needs three partners and two live listings")
        return
    a, b, c = partners
    with ctx.section("Co-sell: direct accounts, rules and deal registrations") as counts:
        for name, name_en, uscc, domain in DIRECT_ACCOUNTS:
            KnownAccount.objects.get_or_create(
                name=name, defaults={"name_en": name_en, "uscc": uscc, "domain": domain, "note": "demo"}
            )

        def register(partner, data, *, submit=True):
            reg = svc.create_registration(partner=partner, user=None, data=data)
            return svc.submit(registration=reg, user=None) if submit else reg

        l1, l2 = listings[0], listings[1]
        register(
            a,
            _data(
                [l1, l2],
                "深圳市腾讯计算机系统有限公司",
                value="380000",
                days=75,
                customer_domain="tencent.com",
            ),
        )
        register(
            a, _data([l1], "北京字节跳动科技有限公司", "ByteDance", value="150000", days=40, stage="proposal")
        )
        won = register(a, _data([l2], "美的集团股份有限公司", "Midea Group", value="96000", days=20))
        svc.close_won(registration=won, user=None, note="demo")
        lost = register(b, _data([l1], "青岛海尔股份有限公司", "Haier", value="52000", days=30))
        svc.close_lost(registration=lost, user=None, reason="competitor")
        expired = register(b, _data([l1], "浙江大华技术股份有限公司", value="41000", days=25))
        DealRegistration.objects.filter(pk=expired.pk).update(
            protection_until=timezone.localdate() - timedelta(days=1)
        )
        svc.expire_due()
        extension = register(
            b, _data([l2], "杭州青禾数据服务有限公司", value="66000", days=120, stage="negotiation")
        )
        svc.request_extension(registration=extension, user=None, reason="客户年度预算审批推迟到下季度。")
        register(
            b,
            _data([l1], "成都蓝鲸物流有限公司", "Blue Whale Logistics", value="30000", days=90),
            submit=False,
        )
        # Conflicts: the same customer under its English name and website; a direct account.
        register(
            b,
            _data(
                [l1],
                "",
                "Tencent Holdings Ltd.",
                value="210000",
                days=60,
                contact="Li Wei",
                customer_domain="https://www.tencent.com/en-us/",
            ),
        )
        register(
            c,
            _data(
                [l2], "中國石油化工股份有限公司", value="900000", days=150, customer_uscc="91110000710926094P"
            ),
        )
        # Partner C without conflicts: its kind and tier are reviewed by staff, so its
        # registrations wait in the queue: one in review, one sent back, one rejected.
        ProtectionRule.objects.get_or_create(
            partner_kind=c.kind,
            tier=c.tier,
            defaults={"auto_approve": False, "protection_days": DEMO_RULE_DAYS},
        )
        register(c, _data([l1], "广联达科技股份有限公司", "Glodon", value="120000", days=50))
        back = register(c, _data([l1], "恒生电子股份有限公司", value="75000", days=45))
        svc.request_action(registration=back, user=None, note="请补充客户的统一社会信用代码和采购联系人。")
        rejected = register(c, _data([l2], "同花顺网络信息股份有限公司", value="20000", days=30))
        svc.reject(registration=rejected, user=None, code="ineligible", note="该客户不在本计划覆盖的区域。")
        seed_overdue(ctx, c, l1)
        counts["registrations"] = DealRegistration.objects.filter(notes__startswith=MARK).count()
        counts["conflicts held"] = DealRegistration.objects.filter(
            notes__startswith=MARK, conflict_hold=True
        ).count()
    with ctx.section("Co-sell: facts") as counts:
        counts["facts"] = facts_service.report()


def reset(ctx: SeedContext) -> None:
    with ctx.section("Reset: demo co-sell") as counts:
        counts["registrations"] = DealRegistration.objects.filter(notes__startswith=MARK).delete()[0]
        KnownAccount.objects.filter(note="demo").delete()
        # The demo's review rule (staff-made rules are left alone).
        ProtectionRule.objects.filter(auto_approve=False, protection_days=DEMO_RULE_DAYS).delete()
