"""Specs of the demo listings: names, texts, plans, versions and usages, drawn from word lists
with ``ctx.rng`` so every run makes the same listings (``listing_specs`` is pure: no writes).

Each top-level category has product names; a listing is a brand × product × listing type,
in Chinese and English. Texts are built to pass the submission pre-checks.

One module because it is one pure generator: names, texts, plans and usages are drawn from one
seeded sequence in one order, and splitting it would change the draws (and so the demo data).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.utils.text import slugify

from catalog.models import Deployment, ListingType, PricingModel, UsageKind
from demo.base import DEMO_TODAY, distribute

BRANDS = (
    ("云帆", "Cloudsail"), ("数智", "DataWise"), ("易联", "EasyLink"), ("智汇", "SmartHub"),
    ("星河", "Galaxy"), ("蓝鲸", "BlueWhale"), ("青松", "Evergreen"), ("极光", "Aurora"),
    ("磐石", "Bedrock"), ("灵犀", "Lingxi"), ("锦程", "Jincheng"), ("天枢", "Tianshu"),
    ("明镜", "ClearView"), ("启航", "SetSail"), ("云杉", "Spruce"), ("睿思", "Ruisi"),
    ("凌云", "Lingyun"), ("瀚海", "Hanhai"), ("织梦", "DreamWeave"), ("翼展", "Wingspan"),
)  # fmt: skip

# top-level category slug → products: (Chinese, English, child category, industry or None,
# tagline override or None). A product names the one child category (and, for industry
# solutions, the one industry) it belongs to, so a listing's name, tagline, category and
# industry tell the same story; the tagline defaults to the child category's description.
PRODUCTS = {
    "finance": (("智能报销", "Smart Expense", "finance-expenses", None, None),
                ("税务管家", "Tax Steward", "finance-tax", None, None),
                ("资金驾驶舱", "Treasury Cockpit", "finance-treasury", None, None),
                ("合并报表", "Consolidation", "finance-ledger", None, None),
                ("电子发票", "E-Invoice Hub", "finance-tax", None, None),
                ("费用管控", "Spend Control", "finance-expenses", None, None)),
    "hr": (("智能招聘", "Smart Hiring", "hr-recruiting", None, None),
           ("薪酬云", "Payroll Cloud", "hr-payroll", None, None),
           ("绩效通", "Performance Pro", "hr-performance", None, None),
           ("学习平台", "Learning Hub", "hr-learning", None, None),
           ("考勤排班", "Time & Shifts", "hr-payroll", None,
            ("考勤、排班与工时统计，直接对接薪资核算。",
             "Attendance, shift planning and working hours, feeding straight into payroll.")),
           ("员工服务台", "Employee Desk", "hr-performance", None,
            ("员工自助服务、证明开具与政策问答。",
             "Employee self-service, certificates on request and policy answers."))),
    "crm": (("销售助手", "Sales Assistant", "crm-sales", None, None),
            ("营销云", "Marketing Cloud", "crm-marketing", None, None),
            ("客服工单", "Service Desk", "crm-service", None, None),
            ("会员运营", "Loyalty Engine", "crm-marketing", None,
             ("会员积分、等级权益与私域运营。",
              "Loyalty points, member tiers and owned-channel engagement.")),
            ("合同管理", "Contract Manager", "crm-sales", None,
             ("合同起草、审批、签署与履约跟踪。",
              "Contract drafting, approval, e-signature and obligation tracking.")),
            ("商机雷达", "Deal Radar", "crm-sales", None, None)),
    "supply": (("采购协同", "Procurement Link", "supply-procurement", None, None),
               ("仓储管理", "Warehouse Pro", "supply-warehouse", None, None),
               ("运输调度", "Fleet Dispatch", "supply-warehouse", None,
                ("车辆调度、在途跟踪与运费结算。",
                 "Vehicle dispatch, shipment tracking and freight settlement.")),
               ("生产执行", "Shop Floor MES", "supply-manufacturing", None, None),
               ("质量追溯", "Quality Trace", "supply-manufacturing", None,
                ("来料检验、过程质量与批次追溯。",
                 "Incoming inspection, in-process quality and batch traceability.")),
               ("供应商门户", "Supplier Portal", "supply-procurement", None, None)),
    "collab": (("流程引擎", "Workflow Engine", "collab-workflow", None, None),
               ("云文档", "Cloud Docs", "collab-documents", None, None),
               ("视频会议", "Video Meetings", "collab-meetings", None, None),
               ("移动审批", "Mobile Approvals", "collab-workflow", None, None),
               ("知识库", "Knowledge Base", "collab-documents", None, None),
               ("电子档案", "E-Archive", "collab-documents", None,
                ("电子会计档案与文件归档，合规保存、随时检索。",
                 "Electronic accounting records and document archiving, kept compliant and searchable."))),
    "analytics": (("经营驾驶舱", "Business Cockpit", "analytics-dashboards", None, None),
                  ("数据集成", "Data Integration", "analytics-integration", None, None),
                  ("主数据", "Master Data", "analytics-governance", None, None),
                  ("智能预测", "Smart Forecast", "analytics-ai", None, None),
                  ("自助分析", "Self-Service BI", "analytics-dashboards", None, None),
                  ("数据质量", "Data Quality", "analytics-governance", None, None)),
    "security": (("统一身份", "Unified Identity", "security-identity", None, None),
                 ("数据脱敏", "Data Masking", "security-data", None, None),
                 ("审计留痕", "Audit Trail", "security-compliance", None, None),
                 ("单点登录", "Single Sign-On", "security-identity", None, None),
                 ("等保合规", "Compliance Kit", "security-compliance", None, None),
                 ("终端安全", "Endpoint Guard", "security-data", None,
                  ("终端防护、病毒查杀与入网准入控制。",
                   "Endpoint protection, malware defence and network access control."))),
    "dev": (("低代码平台", "Low-Code Studio", "dev-lowcode", None, None),
            ("开放网关", "Open API Gateway", "dev-api", None, None),
            ("自动化测试", "Test Automation", "dev-devops", None, None),
            ("应用监控", "App Monitoring", "dev-devops", None, None),
            ("表单引擎", "Form Engine", "dev-lowcode", None, None),
            ("集成平台", "Integration Platform", "dev-api", None, None)),
    "industry": (("智慧工厂", "Smart Factory", "industry-manufacturing", "manufacturing", None),
                 ("门店通", "Store Connect", "industry-retail", "retail", None),
                 ("政务服务", "Gov Services", "industry-government", "government", None),
                 ("医院运营", "Hospital Operations", "industry-healthcare", "healthcare", None),
                 ("能耗管理", "Energy Manager", "industry-manufacturing", "energy",
                  ("能耗监测、碳排放核算与节能优化。", "Energy monitoring, carbon accounting and savings.")),
                 ("园区管理", "Campus Manager", "industry-government", "construction",
                  ("产业园区的招商、物业与安防一体化管理。",
                   "Leasing, property and security for business parks in one place."))),
    "services": (("上云迁移", "Cloud Migration", "services-implementation", None, None),
                 ("财务共享", "Shared Services", "services-consulting", None,
                  ("财务共享中心的规划、建设与上线。",
                   "Planning, building and launching a finance shared-service centre.")),
                 ("运维托管", "Managed Operations", "services-support", None, None),
                 ("数字化咨询", "Digital Consulting", "services-consulting", None, None),
                 ("用户培训", "User Training", "services-training", None, None),
                 ("系统集成", "Systems Integration", "services-implementation", None, None)),
}  # fmt: skip

TYPE_NAMES = {
    ListingType.SAAS: ("{brand}{product}", "{brand_en} {product_en}"),
    ListingType.INTEGRATION: ("{brand}{product}连接器", "{brand_en} {product_en} Connector"),
    ListingType.JOINT_SOLUTION: ("{brand}{product}联合解决方案", "{brand_en} {product_en} Joint Solution"),
    ListingType.SERVICE_PACKAGE: (
        "{brand}{product}实施服务",
        "{brand_en} {product_en} Implementation Service",
    ),
}
TYPE_SENTENCES = {
    ListingType.SAAS: (
        "开箱即用，按需订阅，数据保存在合规的云端，随时随地通过浏览器和手机访问。",
        "Ready to use and billed by subscription, with data kept in a compliant cloud and "
        "access from any browser or phone.",
    ),
    ListingType.INTEGRATION: (
        "通过平台标准接口与现有系统连接，数据双向同步，配置简单，几分钟即可完成上线。",
        "Connects to your existing systems through the platform's standard APIs, syncs data both "
        "ways and goes live in minutes.",
    ),
    ListingType.JOINT_SOLUTION: (
        "由多家认证伙伴联合交付，覆盖咨询、实施与运维的完整链路，一份合同、一个团队负责到底。",
        "Delivered jointly by certified partners from consulting to implementation and support: "
        "one contract, one accountable team.",
    ),
    ListingType.SERVICE_PACKAGE: (
        "由认证顾问提供需求调研、方案设计、上线实施与用户培训，按里程碑交付并验收。",
        "Certified consultants run discovery, solution design, go-live and user training, "
        "delivered and accepted milestone by milestone.",
    ),
}
FEATURES = (
    ("多组织、多账簿管理", "Multi-entity, multi-ledger"), ("移动端全流程操作", "Full mobile support"),
    ("可视化配置，无需编码", "Visual configuration, no code"),
    ("与平台单点登录", "Single sign-on with the platform"),
    ("细粒度权限控制", "Fine-grained permissions"), ("操作日志与审计", "Activity log and audit"),
    ("开放 API 与 Webhook", "Open API and webhooks"), ("报表导出 Excel/PDF", "Excel and PDF export"),
    ("专属客户成功经理", "Dedicated customer success manager"),
    ("数据本地化部署可选", "Optional local data residency"),
    ("7×24 小时监控告警", "24/7 monitoring and alerts"), ("按月发布新功能", "Monthly feature releases"),
)  # fmt: skip
RELEASE_NOTES = (
    ("修复若干已知问题，提升页面加载速度。", "Fixes known issues and speeds up page loads."),
    ("新增移动端审批与消息提醒。", "Adds mobile approvals and notifications."),
    ("支持与平台最新版本的单点登录。", "Supports single sign-on with the latest platform release."),
    ("报表中心新增自定义字段与导出模板。", "Adds custom fields and export templates to reports."),
    ("优化权限设置，支持按部门授权。", "Improves permissions with per-department access."),
    ("新增英文界面。", "Adds an English interface."),
)  # fmt: skip
COMPATIBILITY = (
    "Symbio Cloud 2024 及以上", "Symbio ERP 9.x / 10.x", "Symbio Cloud 2023+, Symbio ERP 10.x",
    "Symbio HR 5.x", "Symbio Cloud 2025",
)  # fmt: skip
HOURS = (("工作日 9:00–18:00", "Weekdays 9:00–18:00 (UTC+8)"), ("7×24 小时", "24/7"))

# listings per partner kind: weight, and the listing types it offers (with weights)
KIND_WEIGHTS = {"isv": 3.0, "developer": 2.0, "service": 2.0, "channel": 1.0, "alliance": 1.0}
KIND_TYPES = {
    "isv": ((ListingType.SAAS, 7), (ListingType.INTEGRATION, 3)),
    "developer": ((ListingType.INTEGRATION, 7), (ListingType.SAAS, 3)),
    "service": ((ListingType.SERVICE_PACKAGE, 8), (ListingType.JOINT_SOLUTION, 2)),
    "channel": ((ListingType.SERVICE_PACKAGE, 5), (ListingType.JOINT_SOLUTION, 5)),
    "alliance": ((ListingType.JOINT_SOLUTION, 7), (ListingType.SAAS, 3)),
}
USD_RATE = Decimal("7.2")
STALE_SHARE = 0.15
FLAGSHIP_LISTINGS = 5


class State:
    LIVE = "live"  # published directly
    REVIEWED = "reviewed"  # went through the workflow: submitted, then approved by a reviewer
    SUBMITTED = "submitted"  # waiting in the reviewers' queue
    CHANGES_REQUESTED = "changes_requested"
    RETURNED = "returned"  # returned by the pre-checks (missing privacy policy)


@dataclass
class PlanSpec:
    name: str
    name_en: str
    pricing_model: str
    trial_days: int | None = None
    price_cny: Decimal | None = None
    price_usd: Decimal | None = None
    unit: str = ""
    unit_en: str = ""
    features: str = ""
    features_en: str = ""


@dataclass
class VersionSpec:
    version: str
    released_on: date
    notes: str
    notes_en: str


@dataclass
class ListingSpec:
    slug: str
    partner_id: int
    listing_type: str
    title: str
    title_en: str
    tagline: str
    tagline_en: str
    description: list
    description_en: list
    categories: list[str]
    industries: list[str]
    regions: list[str]
    languages: list[str]
    deployment: str
    compatibility: str
    support_email: str
    support_url: str
    support_hours: str
    support_hours_en: str
    documentation_url: str
    privacy_url: str
    terms_url: str
    tags: list[str]
    plans: list[PlanSpec]
    versions: list[VersionSpec]
    screenshots: int
    colours: int
    co_partner_ids: list[int] = field(default_factory=list)
    state: str = State.LIVE
    stale: bool = False
    usages: list[tuple[int, str, date, date | None]] = field(default_factory=list)


@dataclass(frozen=True)
class PartnerRef:
    id: int
    kind: str
    rank: int
    slug: str
    website: str
    name: str
    name_en: str


@dataclass(frozen=True)
class Taxonomy:
    # top-level slug → [(child slug, Chinese description, English description)]
    children: dict[str, list[tuple[str, str, str]]]
    names: dict[str, tuple[str, str]]  # top-level slug → (Chinese, English)
    industries: list[tuple[str, str, str]]  # (slug, Chinese, English)
    regions: list[str]


def _price(rng: random.Random, low: int, high: int, step: int) -> Decimal:
    return Decimal(rng.randrange(low, high + 1, step))


def _usd(cny: Decimal) -> Decimal:
    return (cny / USD_RATE).quantize(Decimal("1"))


def _features(rng, count=3) -> tuple[str, str]:
    picked = rng.sample(FEATURES, count)
    return "\n".join(zh for zh, _en in picked), "\n".join(en for _zh, en in picked)


def _plan(
    rng, model, *, name, name_en, low=0, high=0, step=1, unit=("", ""), days=None, usd=True
) -> PlanSpec:
    features, features_en = _features(rng)
    spec = PlanSpec(name, name_en, model, features=features, features_en=features_en)
    if model == PricingModel.FREE_TRIAL:
        spec.trial_days = days or rng.choice((14, 30))
    if high:
        spec.price_cny = _price(rng, low, high, step)
        spec.price_usd = _usd(spec.price_cny) if usd else None
    spec.unit, spec.unit_en = unit
    return spec


def plans_for(rng: random.Random, listing_type: str) -> list[PlanSpec]:
    usd = rng.random() < 0.7
    if listing_type == ListingType.SAAS:
        options = [
            lambda: _plan(rng, PricingModel.FREE_TRIAL, name="免费试用", name_en="Free trial"),
            lambda: _plan(rng, PricingModel.FREE, name="基础版", name_en="Basic"),
            lambda: _plan(rng, PricingModel.FLAT_MONTHLY, name="标准版", name_en="Standard",
                          low=99, high=2999, step=100, usd=usd),
            lambda: _plan(rng, PricingModel.FLAT_ANNUAL, name="企业版", name_en="Enterprise",
                          low=9800, high=98000, step=1000, usd=usd),
            lambda: _plan(rng, PricingModel.PER_SEAT, name="专业版", name_en="Professional",
                          low=29, high=199, step=10, unit=("用户/月", "user per month"), usd=usd),
        ]  # fmt: skip
    elif listing_type == ListingType.INTEGRATION:
        options = [
            lambda: _plan(rng, PricingModel.FREE, name="社区版", name_en="Community"),
            lambda: _plan(rng, PricingModel.ONE_TIME, name="永久授权", name_en="Perpetual licence",
                          low=1999, high=19999, step=1000, usd=usd),
            lambda: _plan(rng, PricingModel.FLAT_ANNUAL, name="年度订阅", name_en="Annual",
                          low=2000, high=20000, step=500, usd=usd),
            lambda: _plan(rng, PricingModel.USAGE, name="按量计费", name_en="Pay as you go",
                          low=20, high=200, step=10, unit=("千次调用", "1,000 API calls"), usd=usd),
        ]  # fmt: skip
    elif listing_type == ListingType.SERVICE_PACKAGE:
        options = [
            lambda: _plan(rng, PricingModel.ONE_TIME, name="标准实施包", name_en="Standard package",
                          low=20000, high=300000, step=5000, usd=usd),
            lambda: _plan(rng, PricingModel.USAGE, name="按人天", name_en="Per person-day",
                          low=1500, high=4000, step=100, unit=("人天", "person-day"), usd=usd),
            lambda: _plan(rng, PricingModel.CONTACT_SALES, name="定制服务", name_en="Custom engagement"),
        ]  # fmt: skip
    else:
        options = [
            lambda: _plan(rng, PricingModel.CONTACT_SALES, name="联系销售", name_en="Talk to sales"),
            lambda: _plan(rng, PricingModel.FLAT_ANNUAL, name="年度方案", name_en="Annual solution",
                          low=50000, high=500000, step=10000, usd=usd),
            lambda: _plan(rng, PricingModel.ONE_TIME, name="交付套餐", name_en="Delivery bundle",
                          low=80000, high=600000, step=20000, usd=usd),
        ]  # fmt: skip
    count = rng.randint(1, min(3, len(options)))
    chosen = sorted(rng.sample(range(len(options)), count))
    return [options[i]() for i in chosen]


def versions_for(rng: random.Random, *, stale: bool) -> list[VersionSpec]:
    """1–3 versions over the last 24 months; a stale listing's latest is 13–23 months old."""
    count = rng.randint(1, 3)
    latest_age = rng.randint(395, 700) if stale else rng.randint(3, 330)
    ages = sorted({latest_age, *(rng.randint(latest_age + 20, 725) for _ in range(count - 1))}, reverse=True)
    major = rng.randint(1, 4)
    out = []
    for n, age in enumerate(ages):
        notes, notes_en = rng.choice(RELEASE_NOTES)
        out.append(
            VersionSpec(f"{major}.{n}.{rng.randint(0, 9)}", DEMO_TODAY - timedelta(days=age), notes, notes_en)
        )
    return list(reversed(out))  # newest first


def _description(title, title_en, tagline, tagline_en, listing_type, industry, features) -> tuple[list, list]:
    zh_type, en_type = TYPE_SENTENCES[listing_type]
    industry_zh, industry_en = industry
    feature_zh, feature_en = features
    zh = [
        ("heading", "产品概述"),
        ("paragraph", f"<p>{title}面向{industry_zh}等行业的企业，提供{tagline}。{zh_type}</p>"),
        ("heading", "主要功能"),
        ("paragraph", "<ul>" + "".join(f"<li>{line}</li>" for line in feature_zh.splitlines()) + "</ul>"),
    ]
    en = [
        ("heading", "Overview"),
        ("paragraph", f"<p>{title_en} helps companies in {industry_en.lower()} and beyond: "
                      f"{tagline_en[:1].lower()}{tagline_en[1:]}. {en_type}</p>"),
        ("heading", "Key features"),
        ("paragraph", "<ul>" + "".join(f"<li>{line}</li>" for line in feature_en.splitlines()) + "</ul>"),
    ]  # fmt: skip
    return zh, en


def _allocation(partners: list[PartnerRef], total: int, flagship_id: int | None) -> list[PartnerRef]:
    weights = [KIND_WEIGHTS.get(p.kind, 1.0) * (1 + 0.5 * p.rank) for p in partners]
    counts = distribute(total, weights, minimum=1)
    if flagship_id is not None:
        i = next((n for n, p in enumerate(partners) if p.id == flagship_id), None)
        if i is not None and counts[i] < FLAGSHIP_LISTINGS:
            donor = max(range(len(counts)), key=lambda n: counts[n])
            moved = min(FLAGSHIP_LISTINGS - counts[i], counts[donor] - 1)
            counts[i] += moved
            counts[donor] -= moved
    return [p for p, n in zip(partners, counts, strict=True) for _ in range(n)]


def listing_specs(
    rng: random.Random,
    *,
    total: int,
    partners: list[PartnerRef],
    taxonomy: Taxonomy,
    customers: list[int],
    flagship_id: int | None = None,
) -> list[ListingSpec]:
    """``total`` listing specs across ``partners``: every listing type, every top-level category."""
    owners = _allocation(partners, total, flagship_id)
    tops = list(PRODUCTS)
    rng.shuffle(tops)
    used_names: set[tuple[int, str, str]] = set()
    slugs: set[str] = set()
    specs = []
    for n, partner in enumerate(owners):
        types, weights = zip(*KIND_TYPES.get(partner.kind, KIND_TYPES["isv"]), strict=True)
        listing_type = rng.choices(types, weights=weights)[0]
        top = tops[n % len(tops)]
        if listing_type == ListingType.SERVICE_PACKAGE and rng.random() < 0.4:
            top = "services"
        rng.choice(taxonomy.children[top])  # kept so that every later draw stays the same
        brand = rng.randrange(len(BRANDS))
        product = rng.randrange(len(PRODUCTS[top]))
        while (brand, top, PRODUCTS[top][product][0] + listing_type) in used_names:
            brand = (brand + 1) % len(BRANDS)
        used_names.add((brand, top, PRODUCTS[top][product][0] + listing_type))
        product_zh, product_en, child_slug, industry_slug, tagline_override = PRODUCTS[top][product]
        child_desc, child_desc_en = next(
            (zh, en) for slug, zh, en in taxonomy.children[top] if slug == child_slug
        )
        names = {"brand": BRANDS[brand][0], "brand_en": BRANDS[brand][1]}
        names.update(product=product_zh, product_en=product_en)
        zh_pattern, en_pattern = TYPE_NAMES[listing_type]
        title, title_en = zh_pattern.format(**names), en_pattern.format(**names)
        slug = base = slugify(title_en)[:70]
        suffix = 2
        while slug in slugs:
            slug, suffix = f"{base}-{suffix}", suffix + 1
        slugs.add(slug)
        tagline, tagline_en = tagline_override or (child_desc, child_desc_en)
        tagline, tagline_en = tagline.rstrip("。"), tagline_en.rstrip(".")
        industry = rng.choice(taxonomy.industries)
        if industry_slug:  # an industry solution serves its own industry first
            industry = next((i for i in taxonomy.industries if i[0] == industry_slug), industry)
        features = _features(rng, 3)
        description, description_en = _description(
            title, title_en, tagline, tagline_en, listing_type, industry[1:], features
        )
        stale = rng.random() < STALE_SHARE
        hours = rng.choice(HOURS)
        languages = (
            ["zh-hans"] + (["en"] if rng.random() < 0.6 else []) + (["ja"] if rng.random() < 0.1 else [])
        )
        deployment = {
            ListingType.SAAS: Deployment.CLOUD,
            ListingType.INTEGRATION: rng.choice((Deployment.CLOUD, Deployment.HYBRID)),
            ListingType.SERVICE_PACKAGE: rng.choice(
                (Deployment.ON_PREMISES, Deployment.HYBRID, Deployment.CLOUD)
            ),
            ListingType.JOINT_SOLUTION: rng.choice((Deployment.HYBRID, Deployment.ON_PREMISES)),
        }[listing_type]
        others = [p.id for p in partners if p.id != partner.id]
        spec = ListingSpec(
            slug=slug,
            partner_id=partner.id,
            listing_type=listing_type,
            title=title,
            title_en=title_en,
            tagline=tagline,
            tagline_en=tagline_en,
            description=description,
            description_en=description_en,
            categories=[top, child_slug],
            industries=list(
                dict.fromkeys(
                    [industry[0]] + ([rng.choice(taxonomy.industries)[0]] if rng.random() < 0.4 else [])
                )
            ),
            regions=rng.sample(taxonomy.regions, min(len(taxonomy.regions), rng.randint(1, 3))),
            languages=languages,
            deployment=deployment,
            compatibility=rng.choice(COMPATIBILITY),
            support_email=f"support@{partner.slug}.example.com",
            support_url=f"{partner.website}/support/",
            support_hours=hours[0],
            support_hours_en=hours[1],
            documentation_url=f"{partner.website}/docs/{slug}/",
            privacy_url=f"{partner.website}/privacy/",
            terms_url=f"{partner.website}/terms/",
            tags=sorted({names["product"], str(taxonomy.names[top][0]), listing_type.replace("_", "-")}),
            plans=plans_for(rng, listing_type),
            versions=versions_for(rng, stale=stale),
            screenshots=rng.randint(1, 4),
            colours=rng.randrange(8),
            co_partner_ids=rng.sample(others, min(len(others), rng.randint(1, 2)))
            if listing_type == ListingType.JOINT_SOLUTION
            else [],
            stale=stale,
        )
        spec.usages = usages_for(rng, customers) if customers else []
        specs.append(spec)
    _assign_states(rng, specs, flagship_id)
    return specs


def usages_for(rng: random.Random, customers: list[int]) -> list[tuple[int, str, date, date | None]]:
    out = []
    for organisation_id in rng.sample(customers, min(len(customers), rng.randint(0, 5))):
        started = DEMO_TODAY - timedelta(days=rng.randint(5, 720))
        if rng.random() < 0.4:
            length = rng.choice((14, 30))
            ended = started + timedelta(days=length)
            out.append((organisation_id, UsageKind.TRIAL, started, ended if ended < DEMO_TODAY else None))
        else:
            ended = started + timedelta(days=rng.randint(90, 400)) if rng.random() < 0.25 else None
            out.append(
                (
                    organisation_id,
                    UsageKind.SUBSCRIPTION,
                    started,
                    ended if ended and ended < DEMO_TODAY else None,
                )
            )
    return out


def _assign_states(rng: random.Random, specs: list[ListingSpec], flagship_id: int | None) -> None:
    """The flagship's listings: live, submitted, changes requested, returned; two more in the
    queue (one before and one after it); a dozen reviewed (approved in the last 30 days)."""
    flagship = [s for s in specs if s.partner_id == flagship_id]
    for spec, state in zip(
        flagship[1:], (State.SUBMITTED, State.CHANGES_REQUESTED, State.RETURNED), strict=False
    ):
        spec.state = state
        if state == State.RETURNED:
            spec.privacy_url = ""  # the pre-checks return it for this
    others = [s for s in specs if s.partner_id != flagship_id and not s.stale]
    for spec in rng.sample(others, min(2, len(others))):
        spec.state = State.SUBMITTED
    fresh = [s for s in others if s.state == State.LIVE]
    for spec in rng.sample(fresh, min(12, len(fresh))):
        spec.state = State.REVIEWED
