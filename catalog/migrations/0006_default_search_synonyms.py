"""The default search synonym and abbreviation dictionary (staff edit it in the admin)."""

from django.db import migrations

DEFAULT_GROUPS = [
    ("SSO, single sign-on, 单点登录, 统一身份认证", "Single sign-on"),
    ("IAM, identity and access management, 统一身份, 统一身份认证, 身份管理, 身份认证", "Identity"),
    ("MFA, 2FA, multi-factor authentication, two-factor authentication, 多因素认证, 双因素认证", ""),
    ("CRM, customer relationship management, 客户关系管理", ""),
    ("ERP, enterprise resource planning, 企业资源计划", ""),
    ("HR, HRM, human resources, human resource management, 人力资源, 人力资源管理, 人事管理", ""),
    ("OA, office automation, 协同办公, 办公自动化", ""),
    ("BI, business intelligence, 商业智能", ""),
    ("SCM, supply chain management, 供应链管理", ""),
    ("MES, manufacturing execution system, 制造执行系统, 生产执行", ""),
    ("WMS, warehouse management, 仓储管理, 仓库管理", ""),
    ("PLM, product lifecycle management, 产品生命周期管理", ""),
    ("RPA, robotic process automation, 机器人流程自动化", ""),
    ("AI, artificial intelligence, 人工智能", ""),
    ("IoT, internet of things, 物联网", ""),
    ("SaaS, software as a service, 软件即服务", ""),
    ("API, application programming interface, 应用程序接口, 开放接口", ""),
    ("low-code, low code, 低代码", ""),
    ("e-invoice, electronic invoice, 电子发票", ""),
    ("invoice, 发票", ""),
    ("payroll, 薪酬, 薪资, 工资", ""),
    ("expense, reimbursement, 报销", ""),
    ("contract management, 合同管理", ""),
    ("recruitment, hiring, 招聘", ""),
    ("procurement, purchasing, 采购", ""),
    ("attendance, 考勤", ""),
    ("tax, 税务", ""),
    ("finance, 财务", ""),
    ("accounting, 会计, 核算", ""),
    ("video conferencing, video meeting, 视频会议", ""),
    ("knowledge base, 知识库", ""),
    ("data masking, 数据脱敏", ""),
    ("audit trail, 审计留痕", ""),
    ("customer service, 客服", ""),
    ("marketing, 营销", ""),
    ("workflow, 流程引擎, 工作流", ""),
    ("monitoring, 监控", ""),
]


def seed(apps, schema_editor):
    SearchSynonym = apps.get_model("catalog", "SearchSynonym")
    if SearchSynonym.objects.exists():
        return
    SearchSynonym.objects.bulk_create([SearchSynonym(terms=terms, note=note) for terms, note in DEFAULT_GROUPS])


def unseed(apps, schema_editor):
    SearchSynonym = apps.get_model("catalog", "SearchSynonym")
    SearchSynonym.objects.filter(terms__in=[terms for terms, _note in DEFAULT_GROUPS]).delete()


class Migration(migrations.Migration):
    dependencies = [("catalog", "0005_search_synonyms")]
    operations = [migrations.RunPython(seed, unseed)]
