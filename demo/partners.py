"""Demo partner programme: regions, industries, tier ladders, partners with their teams.

Names are built from word lists (city × brand × trade) with a seeded generator, so
``--size large`` can make 10,000 distinct partners and every run makes the same ones.

Registry keys set here:
``partners.partners`` — list of dicts ``{"id", "organisation_id", "slug", "kind", "rank"}``
(the flagship first); ``partners.flagship`` — id of the demo partner login's Gold service partner.

One module because the taxonomy, tier ladders, partners and teams are drawn from one seeded
generator in one order; splitting it would change the draws.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.utils.text import slugify

from accounts.models import Organisation
from demo.accounts import (
    OrganisationSpec,
    PersonSpec,
    attach_teams,
    demo_login,
    team_for,
    upsert_organisations,
    website_for,
)
from demo.base import DEMO_TODAY, SeedContext, chunked, distribute, shuffled
from partners.models import Industry, Partner, PartnerKind, Region, Tier

# --- taxonomy ---------------------------------------------------------------------------------
REGIONS = (
    ("east-china", "华东", "East China"),
    ("north-china", "华北", "North China"),
    ("south-china", "华南", "South China"),
    ("southwest-china", "西南", "Southwest China"),
    ("central-china", "华中", "Central China"),
    ("northeast-china", "东北", "Northeast China"),
    ("northwest-china", "西北", "Northwest China"),
    ("hk-macao-taiwan", "港澳台", "Hong Kong, Macao & Taiwan"),
    ("apac", "亚太", "Asia Pacific"),
    ("europe", "欧洲", "Europe"),
    ("north-america", "北美", "North America"),
)
INDUSTRIES = (
    ("manufacturing", "制造业", "Manufacturing"),
    ("retail", "零售与消费品", "Retail & consumer goods"),
    ("finance", "金融", "Financial services"),
    ("healthcare", "医疗健康", "Healthcare"),
    ("education", "教育", "Education"),
    ("government", "政府与公共事业", "Government & public sector"),
    ("energy", "能源与公用事业", "Energy & utilities"),
    ("logistics", "交通物流", "Transport & logistics"),
    ("construction", "建筑与房地产", "Construction & real estate"),
    ("professional-services", "专业服务", "Professional services"),
    ("technology", "互联网与高科技", "Internet & high tech"),
    ("hospitality", "文旅与酒店", "Hospitality & tourism"),
    ("agriculture", "农业", "Agriculture"),
)

# kind → ladder of (slug, Chinese, English, badge colour), entry tier first
TIERS = {
    PartnerKind.SERVICE: (
        ("registered", "注册", "Registered", "#64748b"),
        ("silver", "银牌", "Silver", "#8d99a6"),
        ("gold", "金牌", "Gold", "#c99a06"),
        ("platinum", "白金", "Platinum", "#4b6584"),
        ("diamond", "钻石", "Diamond", "#0ea5e9"),
    ),
    PartnerKind.ISV: (
        ("registered", "注册", "Registered", "#64748b"),
        ("select", "优选", "Select", "#0891b2"),
        ("preferred", "首选", "Preferred", "#2563eb"),
        ("premier", "卓越", "Premier", "#7c3aed"),
    ),
    PartnerKind.CHANNEL: (
        ("registered", "注册", "Registered", "#64748b"),
        ("one-star", "一星级", "1-star", "#f59e0b"),
        ("two-star", "二星级", "2-star", "#ea580c"),
        ("three-star", "三星级", "3-star", "#dc2626"),
    ),
    PartnerKind.DEVELOPER: (
        ("registered", "注册", "Registered", "#64748b"),
        ("certified", "认证", "Certified", "#16a34a"),
        ("expert", "专家", "Expert", "#166534"),
    ),
    PartnerKind.ALLIANCE: (
        ("alliance", "联盟", "Alliance", "#0f766e"),
        ("strategic", "战略", "Strategic", "#b45309"),
    ),
}
# How a kind's partners spread over its ladder: most at the bottom, very few at the top
# (Yonyou: 5 diamond service partners of 332).
TIER_WEIGHTS = {
    PartnerKind.SERVICE: (0.42, 0.30, 0.17, 0.095, 0.015),
    PartnerKind.ISV: (0.50, 0.28, 0.15, 0.07),
    PartnerKind.CHANNEL: (0.45, 0.30, 0.17, 0.08),
    PartnerKind.DEVELOPER: (0.60, 0.30, 0.10),
    PartnerKind.ALLIANCE: (0.70, 0.30),
}
KIND_MIX = (
    (PartnerKind.SERVICE, 0.35),
    (PartnerKind.ISV, 0.30),
    (PartnerKind.CHANNEL, 0.18),
    (PartnerKind.DEVELOPER, 0.10),
    (PartnerKind.ALLIANCE, 0.07),
)

# --- word lists for names ----------------------------------------------------------------------
# (Chinese, English, region code, ISO country, weight)
CITIES = (
    ("杭州", "Hangzhou", "east-china", "CN", 6), ("上海", "Shanghai", "east-china", "CN", 8),
    ("南京", "Nanjing", "east-china", "CN", 4), ("苏州", "Suzhou", "east-china", "CN", 4),
    ("宁波", "Ningbo", "east-china", "CN", 2), ("合肥", "Hefei", "east-china", "CN", 2),
    ("厦门", "Xiamen", "east-china", "CN", 2), ("福州", "Fuzhou", "east-china", "CN", 2),
    ("济南", "Jinan", "east-china", "CN", 2), ("青岛", "Qingdao", "east-china", "CN", 2),
    ("无锡", "Wuxi", "east-china", "CN", 2), ("北京", "Beijing", "north-china", "CN", 8),
    ("天津", "Tianjin", "north-china", "CN", 3), ("石家庄", "Shijiazhuang", "north-china", "CN", 1),
    ("太原", "Taiyuan", "north-china", "CN", 1), ("深圳", "Shenzhen", "south-china", "CN", 7),
    ("广州", "Guangzhou", "south-china", "CN", 5), ("东莞", "Dongguan", "south-china", "CN", 2),
    ("佛山", "Foshan", "south-china", "CN", 2), ("南宁", "Nanning", "south-china", "CN", 1),
    ("成都", "Chengdu", "southwest-china", "CN", 4), ("重庆", "Chongqing", "southwest-china", "CN", 3),
    ("昆明", "Kunming", "southwest-china", "CN", 1), ("贵阳", "Guiyang", "southwest-china", "CN", 1),
    ("武汉", "Wuhan", "central-china", "CN", 4), ("长沙", "Changsha", "central-china", "CN", 3),
    ("郑州", "Zhengzhou", "central-china", "CN", 2), ("南昌", "Nanchang", "central-china", "CN", 1),
    ("沈阳", "Shenyang", "northeast-china", "CN", 2), ("大连", "Dalian", "northeast-china", "CN", 2),
    ("哈尔滨", "Harbin", "northeast-china", "CN", 1), ("长春", "Changchun", "northeast-china", "CN", 1),
    ("西安", "Xi'an", "northwest-china", "CN", 3), ("兰州", "Lanzhou", "northwest-china", "CN", 1),
    ("乌鲁木齐", "Urumqi", "northwest-china", "CN", 1), ("香港", "Hong Kong", "hk-macao-taiwan", "HK", 2),
    ("澳门", "Macao", "hk-macao-taiwan", "MO", 1), ("新加坡", "Singapore", "apac", "SG", 2),
    ("吉隆坡", "Kuala Lumpur", "apac", "MY", 1), ("东京", "Tokyo", "apac", "JP", 1),
    ("慕尼黑", "Munich", "europe", "DE", 1), ("伦敦", "London", "europe", "GB", 1),
    ("圣何塞", "San Jose", "north-america", "US", 1), ("多伦多", "Toronto", "north-america", "CA", 1),
)  # fmt: skip
BRANDS = (
    ("云栈", "CloudStack"), ("数帆", "DataSail"), ("智桥", "SmartBridge"), ("汇通", "Huitong"),
    ("鼎信", "Dingxin"), ("启源", "Qiyuan"), ("星河", "StarRiver"), ("蓝海", "BlueOcean"),
    ("恒信", "Hengxin"), ("天工", "Tiangong"), ("云图", "CloudMap"), ("灵犀", "Lingxi"),
    ("精诚", "Jingcheng"), ("华锐", "Huarui"), ("远帆", "FarSail"), ("易联", "EasyLink"),
    ("瑞智", "Ruizhi"), ("金桥", "GoldBridge"), ("青禾", "Qinghe"), ("墨言", "Moyan"),
    ("数智", "DataWise"), ("链动", "ChainMotion"), ("极序", "Jixu"), ("慧眼", "SmartEye"),
    ("锐思", "Ruisi"), ("拓源", "Tuoyuan"), ("辰星", "Chenxing"), ("沃土", "Wotu"),
    ("百瑞", "Bairui"), ("朗润", "Langrun"), ("凌云", "Lingyun"), ("知行", "Zhixing"),
    ("博雅", "Boya"), ("新航", "NewVoyage"), ("弘毅", "Hongyi"), ("通明", "Tongming"),
    ("云帆", "CloudSail"), ("数衡", "Shuheng"), ("思源", "Siyuan"), ("嘉和", "Jiahe"),
    ("泰和", "Taihe"), ("长风", "Changfeng"), ("云启", "CloudSpark"), ("智云", "SmartCloud"),
    ("织网", "WeaveNet"), ("数联", "DataLink"), ("格物", "Gewu"), ("致知", "Zhizhi"),
    ("深蓝", "DeepBlue"), ("开物", "Kaiwu"), ("天衡", "Tianheng"), ("众联", "Zhonglian"),
    ("睿图", "Ruitu"), ("翼展", "WingSpan"), ("合力", "Heli"), ("融智", "Rongzhi"),
    ("磐石", "Bedrock"), ("立方", "Cubic"), ("方舟", "Ark"), ("北辰", "Polaris"),
    ("南枝", "Nanzhi"), ("东篱", "Dongli"), ("西岭", "Xiling"), ("云杉", "CloudSpruce"),
    ("青松", "Qingsong"), ("晨光", "Dawnlight"), ("明远", "Mingyuan"), ("知微", "Zhiwei"),
    ("同创", "Tongchuang"), ("飞鸿", "Feihong"), ("鹏程", "Pengcheng"), ("和光", "Heguang"),
    ("中数", "Zhongshu"), ("清流", "ClearStream"), ("云海", "CloudSea"), ("星图", "StarMap"),
    ("维度", "Dimension"), ("矩阵", "Matrix"), ("启航", "SetSail"), ("山海", "Shanhai"),
)  # fmt: skip
# kind → (Chinese trade, English trade, Chinese legal form)
TRADES = {
    PartnerKind.SERVICE: (
        ("信息技术", "Information Technology", "有限公司"),
        ("咨询", "Consulting", "有限公司"),
        ("数字科技", "Digital Technology", "有限公司"),
    ),
    PartnerKind.ISV: (
        ("科技", "Technology", "有限公司"),
        ("软件", "Software", "有限公司"),
        ("智能科技", "Intelligent Technology", "有限公司"),
    ),
    PartnerKind.CHANNEL: (
        ("信息系统", "Information Systems", "有限公司"),
        ("系统集成", "Systems Integration", "有限公司"),
        ("科贸", "Tech Trading", "有限公司"),
    ),
    PartnerKind.DEVELOPER: (
        ("网络科技", "Network Technology", "有限公司"),
        ("开发者工作室", "Developer Studio", ""),
        ("数字工作室", "Digital Studio", ""),
    ),
    PartnerKind.ALLIANCE: (
        ("云计算", "Cloud Computing", "股份有限公司"),
        ("数据科技", "Data Technology", "股份有限公司"),
        ("通信", "Communications", "股份有限公司"),
    ),
}

# kind → what such a partner does: (Chinese, English in sentence case)
CAPABILITIES = {
    PartnerKind.SERVICE: (
        ("ERP实施", "ERP implementation"),
        ("财务云咨询与交付", "finance cloud consulting and delivery"),
        ("人力云实施", "HR cloud implementation"),
        ("数据中台建设", "data platform delivery"),
        ("低代码定制开发", "low-code custom development"),
        ("系统集成与运维", "systems integration and managed services"),
        ("数字化转型咨询", "digital transformation consulting"),
        ("供应链数字化", "supply chain digitalisation"),
    ),
    PartnerKind.ISV: (
        ("智能费用报销", "smart expense management"),
        ("供应商协同", "supplier collaboration"),
        ("商业智能仪表盘", "BI dashboards"),
        ("电子签章", "e-signatures"),
        ("设备物联", "equipment IoT"),
        ("招聘管理", "recruiting"),
        ("合同管理", "contract management"),
        ("税务合规", "tax compliance"),
        ("会员营销", "loyalty marketing"),
        ("质量管理", "quality management"),
    ),
    PartnerKind.CHANNEL: (
        ("云产品分销与本地服务", "cloud product distribution and local service"),
        ("数字化转型套餐", "ready-made digitalisation packages"),
        ("软件许可销售与续费", "licence sales and renewals"),
    ),
    PartnerKind.DEVELOPER: (
        ("插件与连接器开发", "plug-ins and connectors"),
        ("移动应用开发", "mobile apps"),
        ("开放API集成", "open API integrations"),
        ("数据管道开发", "data pipelines"),
    ),
    PartnerKind.ALLIANCE: (
        ("云基础设施", "cloud infrastructure"),
        ("数据库与中间件", "databases and middleware"),
        ("安全与身份服务", "security and identity services"),
        ("通信与协同平台", "communications platforms"),
    ),
}
TAGLINES = {
    PartnerKind.SERVICE: (
        ("深耕{ind}行业的{cap}服务商", "{Cap} for {ind} companies"),
        ("{city}领先的{cap}伙伴", "A leading {cap} partner in {city}"),
        ("一站式{cap}：从方案到上线", "{Cap} end to end, from first workshop to go-live"),
    ),
    PartnerKind.ISV: (
        ("面向{ind}的{cap}应用", "{Cap} built for {ind}"),
        ("开箱即用的{cap}，与平台深度集成", "Out-of-the-box {cap}, deeply integrated with the platform"),
        ("让{cap}更简单", "{Cap}, made simple"),
    ),
    PartnerKind.CHANNEL: (
        ("服务{region}客户的{cap}", "{Cap} for customers across {region}"),
        ("本地销售与服务：{cap}", "Local sales and service: {cap}"),
    ),
    PartnerKind.DEVELOPER: (
        ("专注{cap}的开发团队", "A development team focused on {cap}"),
        ("快速交付可靠的{cap}", "Reliable {cap}, delivered fast"),
    ),
    PartnerKind.ALLIANCE: (
        ("生态战略伙伴：{cap}", "Strategic ecosystem partner for {cap}"),
        ("以{cap}支撑企业数字化", "Powering enterprise digitalisation with {cap}"),
    ),
}
ABOUT = {
    PartnerKind.SERVICE: (
        "公司专注于{cap}，服务{ind}等行业客户，已完成{n}个交付项目。",
        "The company focuses on {cap} for clients in {ind} and other sectors, with {n} projects delivered.",
    ),
    PartnerKind.ISV: (
        "核心产品提供{cap}能力，已通过平台集成认证，服务超过{n}家企业客户。",
        "Its flagship product delivers {cap}, is certified for platform integration and serves "
        "more than {n} business customers.",
    ),
    PartnerKind.CHANNEL: (
        "作为区域渠道伙伴，公司为{region}的中小企业提供{cap}，覆盖{n}个城市。",
        "As a regional channel partner it provides {cap} to small and mid-sized companies across "
        "{region}, covering {n} cities.",
    ),
    PartnerKind.DEVELOPER: (
        "团队擅长{cap}，已在开发者社区发布{n}个开源组件。",
        "The team specialises in {cap} and has published {n} open-source components "
        "for the developer community.",
    ),
    PartnerKind.ALLIANCE: (
        "双方围绕{cap}开展联合创新与市场合作，共同服务{ind}等行业的大型客户，联合方案已落地{n}个项目。",
        "The alliance combines {cap} with the platform for joint innovation and go-to-market, serving "
        "large customers in {ind} and beyond, with {n} joint projects live.",
    ),
}
CLOSINGS = (
    (
        "我们相信，好的数字化从理解业务开始。",
        "We believe good digital work starts with understanding the business.",
    ),
    ("提供 7×24 小时响应的本地化支持。", "Local support answers around the clock, every day of the year."),
    ("累计获得多项软件著作权与行业奖项。", "It holds a number of software copyrights and industry awards."),
    ("团队中多名成员持有平台认证工程师证书。", "Several team members are platform-certified engineers."),
)
# kind → employees range per tier rank
EMPLOYEES = {
    PartnerKind.SERVICE: ((10, 80), (30, 200), (80, 500), (200, 1500), (800, 5000)),
    PartnerKind.ISV: ((5, 60), (20, 200), (60, 600), (200, 2000)),
    PartnerKind.CHANNEL: ((5, 40), (10, 80), (20, 150), (40, 300)),
    PartnerKind.DEVELOPER: ((1, 15), (3, 40), (10, 80)),
    PartnerKind.ALLIANCE: ((500, 20000), (2000, 80000)),
}
FOUNDED = {
    PartnerKind.SERVICE: (1998, 2021),
    PartnerKind.ISV: (2005, 2022),
    PartnerKind.CHANNEL: (1995, 2020),
    PartnerKind.DEVELOPER: (2014, 2023),
    PartnerKind.ALLIANCE: (1990, 2012),
}
JOIN_WINDOW_DAYS = 3 * 365

FLAGSHIP = {
    "slug": "hangzhou-cloudstack-technology",
    "name": "杭州云栈科技有限公司",
    "name_en": "Hangzhou CloudStack Technology",
    "kind": PartnerKind.SERVICE,
    "tier": "gold",
    "tagline": "制造与零售行业的财务云咨询与交付专家",
    "tagline_en": "Finance cloud consulting and delivery for manufacturers and retailers",
    "description": (
        "杭州云栈科技有限公司成立于2012年，总部位于杭州，现有员工约320人。"
        "公司专注于财务云与供应链云的咨询、实施与运维，已为长三角地区160多家制造与零售企业完成上线。"
        "作为金牌服务伙伴，团队拥有48名平台认证工程师。"
    ),
    "description_en": (
        "Founded in 2012 and headquartered in Hangzhou, Hangzhou CloudStack Technology "
        "employs about 320 people. "
        "It consults on, implements and runs finance and supply chain cloud projects, with more than 160 "
        "manufacturers and retailers in the Yangtze River Delta live. "
        "A Gold service partner, its team includes 48 platform-certified engineers."
    ),
    "founded_year": 2012,
    "employees": 320,
    "joined_on": date(2024, 3, 18),
    "regions": ("east-china", "central-china"),
    "industries": ("manufacturing", "retail"),
    "country": "CN",
}


@dataclass
class PartnerSpec:
    organisation: OrganisationSpec
    kind: str
    rank: int
    status: str
    tagline: str
    tagline_en: str
    description: str
    description_en: str
    founded_year: int
    employees: int
    joined_on: date
    regions: tuple[str, ...]
    industries: tuple[str, ...]
    team: list[tuple[PersonSpec, str]] = field(default_factory=list)


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _ordered_kinds(ctx: SeedContext, total: int, rng) -> list[tuple[str, int]]:
    """(kind, tier rank) for each generated partner, in a shuffled but reproducible order."""
    kinds, weights = zip(*KIND_MIX, strict=True)
    slots = []
    for kind, n in zip(kinds, distribute(total, weights), strict=True):
        if kind == FLAGSHIP["kind"]:
            n_ranks = distribute(n + 1, TIER_WEIGHTS[kind])
            n_ranks[_rank_of(kind, FLAGSHIP["tier"])] -= 1  # the flagship takes one Gold place
        else:
            n_ranks = distribute(n, TIER_WEIGHTS[kind])
        slots += [(kind, rank) for rank, count in enumerate(n_ranks) for _ in range(count)]
    return shuffled(slots, rng)


def _rank_of(kind: str, tier_slug: str) -> int:
    return [slug for slug, *_ in TIERS[kind]].index(tier_slug)


def partner_specs(ctx: SeedContext) -> list[PartnerSpec]:
    """Every demo partner, the flagship first; the same list on every run of the same size."""
    total = ctx.pick(small=60, large=10_000)
    rng = ctx.rng("partners.partners")
    region_names = {code: (zh, en) for code, zh, en in REGIONS}
    industry_names = {slug: (zh, en) for slug, zh, en in INDUSTRIES}
    industry_slugs = [slug for slug, *_ in INDUSTRIES]
    city_weights = [c[4] for c in CITIES]

    specs = [_flagship_spec(rng)]
    used = {specs[0].organisation.slug}
    for kind, rank in _ordered_kinds(ctx, total - 1, rng):
        while True:
            city = rng.choices(CITIES, weights=city_weights, k=1)[0]
            brand = rng.choice(BRANDS)
            trade = rng.choice(TRADES[kind])
            slug = slugify(f"{city[1]} {brand[1]} {trade[1]}")
            if slug not in used:
                used.add(slug)
                break
        city_zh, city_en, region, country, _w = city
        name = f"{city_zh}{brand[0]}{trade[0]}{trade[2]}"
        name_en = f"{city_en} {brand[1]} {trade[1]}"

        industries = tuple(sorted(rng.sample(industry_slugs, rng.randint(1, 3))))
        ind_zh, ind_en = industry_names[industries[0]]
        reach = min(rank, 1 if kind == PartnerKind.CHANNEL else 2)  # channel partners stay regional
        extra_regions = rng.sample([r[0] for r in REGIONS[:7] if r[0] != region], reach)
        regions = (region, *extra_regions)
        reg_zh, reg_en = region_names[region]
        cap_zh, cap_en = rng.choice(CAPABILITIES[kind])
        low, high = EMPLOYEES[kind][rank]
        employees = rng.randint(low, high)
        founded = rng.randint(*FOUNDED[kind])
        joined = DEMO_TODAY - timedelta(days=rng.randint(min(rank * 150, 600), JOIN_WINDOW_DAYS))
        n = rng.randint(3, 40) * (rank + 1) if kind != PartnerKind.CHANNEL else rng.randint(2, 12)

        fill = {"city": city_zh, "ind": ind_zh, "cap": cap_zh, "region": f"{reg_zh}地区", "n": n}
        fill_en = {
            "city": city_en,
            "ind": ind_en.lower(),
            "cap": cap_en,
            "Cap": _cap(cap_en),
            "region": reg_en,
            "n": n,
        }
        tag_zh, tag_en = rng.choice(TAGLINES[kind])
        about_zh, about_en = ABOUT[kind]
        description = [
            f"{name}成立于{founded}年，总部位于{city_zh}，现有员工约{employees}人。",
            about_zh.format(**fill),
        ]
        description_en = [
            f"Founded in {founded} and headquartered in {city_en}, {name_en} "
            f"employs about {employees:,} people.",
            about_en.format(**fill_en),
        ]
        if rng.random() < 0.7:
            close_zh, close_en = rng.choice(CLOSINGS)
            description.append(close_zh)
            description_en.append(close_en)

        extra = rng.randint(1, 3)
        admins = 1 if extra >= 2 else 0
        slug_org = OrganisationSpec(
            slug=slug,
            name=name,
            name_en=name_en,
            kind=Organisation.Kind.PARTNER,
            website=website_for(slug),
            country=country,
        )
        specs.append(
            PartnerSpec(
                organisation=slug_org,
                kind=kind,
                rank=rank,
                status=Partner.Status.SUSPENDED
                if rank == 0 and rng.random() < 0.05
                else Partner.Status.ACTIVE,
                tagline=tag_zh.format(**fill),
                tagline_en=tag_en.format(**fill_en),
                description="".join(description),
                description_en=" ".join(description_en),
                founded_year=founded,
                employees=employees,
                joined_on=joined,
                regions=regions,
                industries=industries,
                team=team_for(rng, slug, owner_email=None, admins=admins, members=extra - admins),
            )
        )
    return specs


def _flagship_spec(rng) -> PartnerSpec:
    f = FLAGSHIP
    return PartnerSpec(
        organisation=OrganisationSpec(
            slug=f["slug"],
            name=f["name"],
            name_en=f["name_en"],
            kind=Organisation.Kind.PARTNER,
            website=website_for(f["slug"]),
            country=f["country"],
        ),
        kind=f["kind"],
        rank=_rank_of(f["kind"], f["tier"]),
        status=Partner.Status.ACTIVE,
        tagline=f["tagline"],
        tagline_en=f["tagline_en"],
        description=f["description"],
        description_en=f["description_en"],
        founded_year=f["founded_year"],
        employees=f["employees"],
        joined_on=f["joined_on"],
        regions=f["regions"],
        industries=f["industries"],
        team=team_for(rng, f["slug"], owner_email=demo_login("partner").email, admins=1, members=2),
    )


# --- seed ----------------------------------------------------------------------------------------
def seed_taxonomy(ctx: SeedContext) -> None:
    with ctx.section("Regions and industries") as counts:
        for position, (code, zh, en) in enumerate(REGIONS):
            Region.objects.update_or_create(
                code=code, defaults={"name": zh, "name_en": en, "position": position}
            )
        for position, (slug, zh, en) in enumerate(INDUSTRIES):
            Industry.objects.update_or_create(
                slug=slug, defaults={"name": zh, "name_en": en, "position": position}
            )
        counts["regions"], counts["industries"] = len(REGIONS), len(INDUSTRIES)

    with ctx.section("Tier ladders") as counts:
        for kind, ladder in TIERS.items():
            for rank, (slug, zh, en, colour) in enumerate(ladder):
                Tier.objects.update_or_create(
                    kind=kind, slug=slug, defaults={"rank": rank, "name": zh, "name_en": en, "colour": colour}
                )
        counts["tiers"] = sum(len(ladder) for ladder in TIERS.values())


def seed_partners(ctx: SeedContext) -> None:
    with ctx.section("Partners") as counts:
        specs = partner_specs(ctx)
        org_ids = upsert_organisations(ctx, [s.organisation for s in specs], label="partner organisations")
        counts["partners"] = len(specs)
        counts["users"] = attach_teams(
            ctx, [(org_ids[s.organisation.slug], s.team) for s in specs], label="partner"
        )

        tiers = {(t.kind, t.rank): t.pk for t in Tier.objects.all()}
        regions = dict(Region.objects.values_list("code", "id"))
        industries = dict(Industry.objects.values_list("slug", "id"))
        RegionLink, IndustryLink = Partner.regions.through, Partner.industries.through
        registry = []
        done = 0
        for batch in chunked(specs):
            Partner.objects.bulk_create(
                [
                    Partner(
                        organisation_id=org_ids[s.organisation.slug],
                        kind=s.kind,
                        tier_id=tiers[(s.kind, s.rank)],
                        status=s.status,
                        tagline=s.tagline,
                        tagline_en=s.tagline_en,
                        description=s.description,
                        description_en=s.description_en,
                        founded_year=s.founded_year,
                        employees=s.employees,
                        joined_on=s.joined_on,
                    )
                    for s in batch
                ],
                update_conflicts=True,
                unique_fields=["organisation"],
                update_fields=[
                    "kind",
                    "tier",
                    "status",
                    "tagline",
                    "tagline_en",
                    "description",
                    "description_en",
                    "founded_year",
                    "employees",
                    "joined_on",
                ],
            )
            partner_ids = dict(
                Partner.objects.filter(
                    organisation_id__in=[org_ids[s.organisation.slug] for s in batch]
                ).values_list("organisation_id", "id")
            )
            ids = [partner_ids[org_ids[s.organisation.slug]] for s in batch]
            RegionLink.objects.filter(partner_id__in=ids).delete()
            IndustryLink.objects.filter(partner_id__in=ids).delete()
            RegionLink.objects.bulk_create(
                [
                    RegionLink(partner_id=pid, region_id=regions[c])
                    for pid, s in zip(ids, batch, strict=True)
                    for c in s.regions
                ]
            )
            IndustryLink.objects.bulk_create(
                [
                    IndustryLink(partner_id=pid, industry_id=industries[c])
                    for pid, s in zip(ids, batch, strict=True)
                    for c in s.industries
                ]
            )
            registry += [
                {
                    "id": pid,
                    "organisation_id": org_ids[s.organisation.slug],
                    "slug": s.organisation.slug,
                    "kind": s.kind,
                    "rank": s.rank,
                }
                for pid, s in zip(ids, batch, strict=True)
            ]
            done += len(batch)
            ctx.progress("partner profiles", done, len(specs))
        ctx.registry["partners.partners"] = registry
        ctx.registry["partners.flagship"] = registry[0]["id"]


def seed(ctx: SeedContext) -> None:
    seed_taxonomy(ctx)
    seed_partners(ctx)
