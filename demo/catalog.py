"""Demo catalogue: the category tree (the same at every size), the listing review workflow and
≥150 bilingual listings published under the seeded partners' pages.

Listings (``demo.listing_specs`` makes their specs) have 1–3 plans, 1–3 versions over the
last 24 months (some stale, for the freshness check), a logo and 1–4 screenshots (generated
PNGs in the partner's collection) and usage records by customer organisations. A few go
through the "Listing review" workflow instead: approved in the last 30 days (for the median
review time), waiting in the queue, with changes requested, returned by the pre-checks.
Idempotent: a listing whose slug exists is left alone.

Registry keys set here: ``catalog.categories`` — ``{slug: id}`` of every category;
``catalog.listings`` — ``{slug: id}`` of every demo listing.
"""

from __future__ import annotations

from catalog.models import Category
from catalog.services.review import ensure_listing_review
from demo.base import SeedContext
from demo.listings import reset_listings, seed_listings

# (slug, icon, Chinese, English, Chinese description, English description, children)
# children: (slug, Chinese, English, Chinese description, English description)
CATEGORIES = (
    ("finance", "finance", "财务管理", "Finance",
     "总账、报销、税务与资金，让财务更快更准。",
     "Ledger, expenses, tax and treasury: faster, more accurate finance.", (
        ("finance-ledger", "总账与报表", "General ledger & reporting", "多组织核算与合并报表。",
         "Multi-entity accounting and consolidated reporting."),
        ("finance-expenses", "费用报销", "Expense management", "移动报销、差旅与费用管控。",
         "Mobile expense claims, travel and spend control."),
        ("finance-tax", "税务管理", "Tax management", "电子发票、进销项与纳税申报。",
         "E-invoices, input and output VAT, and tax filing."),
        ("finance-treasury", "资金管理", "Treasury", "银企直连、资金计划与现金管理。",
         "Bank connectivity, cash planning and cash management."),
    )),
    ("hr", "hr", "人力资源", "HR",
     "从招聘到薪酬，管理员工全生命周期。", "From hiring to payroll, the whole employee lifecycle.", (
        ("hr-recruiting", "招聘管理", "Recruiting", "职位发布、简历筛选与面试协同。",
         "Job posting, screening and interview scheduling."),
        ("hr-payroll", "薪酬社保", "Payroll & benefits", "薪资核算、个税与社保公积金。",
         "Payroll, individual income tax and social insurance."),
        ("hr-performance", "绩效管理", "Performance", "目标、考核与人才盘点。",
         "Goals, reviews and talent calibration."),
        ("hr-learning", "培训学习", "Learning", "在线课程、认证与学习地图。",
         "Online courses, certification and learning paths."),
    )),
    ("crm", "crm", "客户关系", "CRM & sales",
     "获客、跟进、成交与服务，一个平台打通。", "Win, work and serve customers on one platform.", (
        ("crm-sales", "销售自动化", "Sales automation", "线索、商机、报价与合同。",
         "Leads, opportunities, quotes and contracts."),
        ("crm-marketing", "营销自动化", "Marketing automation", "活动、内容与私域运营。",
         "Campaigns, content and owned-channel engagement."),
        ("crm-service", "客户服务", "Customer service", "工单、呼叫中心与知识库。",
         "Tickets, contact centre and knowledge base."),
    )),
    ("supply", "supply", "供应链", "Supply chain",
     "采购、库存、生产与物流协同。", "Procurement, inventory, production and logistics working together.", (
        ("supply-procurement", "采购管理", "Procurement", "寻源、招投标与供应商协同。",
         "Sourcing, tendering and supplier collaboration."),
        ("supply-warehouse", "仓储物流", "Warehouse & logistics", "仓库管理、运输与配送。",
         "Warehouse management, transport and delivery."),
        ("supply-manufacturing", "生产制造", "Manufacturing execution", "MES、质量与设备管理。",
         "MES, quality and equipment management."),
    )),
    ("collab", "collab", "协同办公", "Collaboration",
     "流程、文档与沟通，让团队高效协作。",
     "Workflows, documents and messaging for teams that get things done.", (
        ("collab-workflow", "流程审批", "Workflow & approvals", "可视化流程设计与移动审批。",
         "Visual process design and mobile approvals."),
        ("collab-documents", "文档协作", "Documents", "在线文档、知识库与电子档案。",
         "Online documents, knowledge bases and e-archives."),
        ("collab-meetings", "会议与沟通", "Meetings & messaging", "视频会议、即时通讯与日程。",
         "Video meetings, instant messaging and calendars."),
    )),
    ("analytics", "analytics", "数据分析", "Analytics & BI",
     "把数据变成决策：报表、集成与治理。", "Turn data into decisions: reports, integration and governance.", (
        ("analytics-dashboards", "报表与仪表盘", "Reports & dashboards", "自助分析与经营驾驶舱。",
         "Self-service analysis and management cockpits."),
        ("analytics-integration", "数据集成", "Data integration", "ETL、数据同步与数据中台。",
         "ETL, data sync and data platforms."),
        ("analytics-governance", "数据治理", "Data governance", "主数据、数据质量与数据目录。",
         "Master data, data quality and data catalogues."),
        ("analytics-ai", "智能分析", "AI & machine learning", "预测、推荐与大模型应用。",
         "Forecasting, recommendations and large-model applications."),
    )),
    ("security", "security", "安全合规", "Security & compliance",
     "身份、数据与审计，守住企业底线。", "Identity, data protection and audit: the basics done right.", (
        ("security-identity", "身份与访问", "Identity & access", "统一身份认证与单点登录。",
         "Unified identity and single sign-on."),
        ("security-data", "数据安全", "Data protection", "分级分类、脱敏与防泄漏。",
         "Classification, masking and data-loss prevention."),
        ("security-compliance", "审计合规", "Audit & compliance", "等保、内控与审计留痕。",
         "Cybersecurity classification, internal control and audit trails."),
    )),
    ("dev", "dev", "开发工具", "Developer tools",
     "低代码、API 与运维工具，加速交付。", "Low-code, APIs and DevOps tools to ship faster.", (
        ("dev-lowcode", "低代码平台", "Low-code", "拖拽式应用搭建与表单引擎。",
         "Drag-and-drop app building and form engines."),
        ("dev-api", "API 与集成", "APIs & integration", "开放接口、连接器与集成平台。",
         "Open APIs, connectors and integration platforms."),
        ("dev-devops", "测试与运维", "Testing & DevOps", "持续集成、监控与自动化测试。",
         "Continuous integration, monitoring and test automation."),
    )),
    ("industry", "industry", "行业解决方案", "Industry solutions",
     "面向重点行业的端到端方案。", "End-to-end solutions for key industries.", (
        ("industry-manufacturing", "智能制造", "Smart manufacturing", "工厂数字化与工业互联网。",
         "Factory digitalisation and industrial internet."),
        ("industry-retail", "智慧零售", "Smart retail", "全渠道门店、会员与供应链。",
         "Omnichannel stores, loyalty and supply chain."),
        ("industry-government", "数字政务", "Digital government", "一网通办与数据共享。",
         "One-stop public services and data sharing."),
        ("industry-healthcare", "医疗信息化", "Healthcare IT", "医院运营、医药流通与健康管理。",
         "Hospital operations, pharma distribution and health management."),
    )),
    ("services", "services", "实施服务", "Implementation services",
     "咨询、实施、运维与培训，由认证伙伴交付。",
     "Consulting, implementation, support and training by certified partners.", (
        ("services-consulting", "咨询规划", "Consulting", "数字化蓝图与选型咨询。",
         "Digital roadmaps and software selection."),
        ("services-implementation", "实施交付", "Implementation", "上线实施、数据迁移与集成。",
         "Go-live projects, data migration and integration."),
        ("services-support", "运维支持", "Managed support", "驻场与远程运维服务。",
         "On-site and remote managed services."),
        ("services-training", "培训认证", "Training & certification", "用户培训与工程师认证。",
         "End-user training and engineer certification."),
    )),
)  # fmt: skip


def seed(ctx: SeedContext) -> None:
    seed_categories(ctx)
    with ctx.section("Listing review workflow"):
        ensure_listing_review()
    with ctx.section("Listings") as counts:
        counts.update(seed_listings(ctx))


def reset(ctx: SeedContext) -> None:
    with ctx.section("Reset: demo listings") as counts:
        counts.update(reset_listings(ctx))


def seed_categories(ctx: SeedContext) -> None:
    with ctx.section("Category tree") as counts:
        ids = {}
        for position, (slug, icon, zh, en, desc, desc_en, children) in enumerate(CATEGORIES):
            parent, _ = Category.objects.update_or_create(
                slug=slug,
                defaults={
                    "name": zh,
                    "name_en": en,
                    "description": desc,
                    "description_en": desc_en,
                    "parent": None,
                    "icon": icon,
                    "position": position,
                },
            )
            ids[slug] = parent.pk
            for child_position, (child_slug, c_zh, c_en, c_desc, c_desc_en) in enumerate(children):
                child, _ = Category.objects.update_or_create(
                    slug=child_slug,
                    defaults={
                        "name": c_zh,
                        "name_en": c_en,
                        "description": c_desc,
                        "description_en": c_desc_en,
                        "parent": parent,
                        "icon": icon,
                        "position": child_position,
                    },
                )
                ids[child_slug] = child.pk
        ctx.registry["catalog.categories"] = ids
        counts["top-level categories"] = len(CATEGORIES)
        counts["categories"] = len(ids)
