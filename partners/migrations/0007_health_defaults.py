# ruff: noqa: E501
"""Default health metrics in the three dimensions (productivity, robustness, innovation).

Frozen data, idempotent: metrics (``partners.Metric``) that the reporting apps have not created
yet are created with the agreed slugs (their apps' ``ensure_metric`` then leaves them alone),
and a health metric that exists is left as staff edited it.
"""

from decimal import Decimal

from django.db import migrations

METRICS = (
    # slug, Chinese, English, unit, source
    ("revenue", "收入", "Revenue", "CNY", "billing"),
    ("new_customers", "新客户", "New customers", "count", "billing"),
    ("trials_started", "开始试用", "Trials started", "count", "billing"),
    ("trials_converted", "试用转付费", "Trials converted", "count", "billing"),
    ("churned_customers", "流失客户", "Churned customers", "count", "billing"),
    ("customer_retention", "客户留存率", "Customer retention", "percent", "billing"),
    ("payment_failures", "付款失败", "Payment failures", "count", "billing"),
    ("listing_releases", "版本发布", "Listing releases", "count", "catalog"),
    ("fresh_listings_pct", "商品新鲜度", "Fresh listings", "percent", "catalog"),
    ("joint_solutions", "联合解决方案", "Joint solutions", "count", "catalog"),
    ("certified_people", "认证人员", "Certified people", "count", "partners"),
    ("delivery_success_rate", "交付成功率", "Delivery success rate", "percent", "partners"),
    ("avg_rating", "平均评分", "Average rating", "rating", "marketplace"),
    ("review_count", "评价数", "Reviews", "count", "marketplace"),
)

ALL = []
LISTING_KINDS = ["isv", "developer", "service"]

# slug, metric, denominator, dimension, weight, direction, aggregation, window, kinds,
# formula (zh, en), source, hint (zh, en)
HEALTH_METRICS = (
    ("revenue_growth", "revenue", None, "productivity", "2", "higher", "growth", 3, ALL,
     "近3个月收入较前3个月的增长率（%）", "Revenue of the last 3 months vs the 3 months before (%)", "billing",
     "拓展新客户与续费，提升交叉销售。", "Win new customers, secure renewals and cross-sell."),
    ("new_customers", "new_customers", None, "productivity", "1", "higher", "sum", 3, ALL,
     "近3个月新增付费客户数", "New paying customers in the last 3 months", "billing",
     "参加联合营销活动，完善商品页面以获取更多客户。",
     "Join co-marketing campaigns and improve your listing pages to win customers."),
    ("trial_conversion", "trials_converted", "trials_started", "productivity", "1", "higher", "sum", 3,
     LISTING_KINDS,
     "近3个月试用转付费数 ÷ 开始试用数（%）", "Trials converted ÷ trials started, last 3 months (%)", "billing",
     "试用期内主动跟进，提供上手指导。", "Follow up during trials and offer onboarding help."),
    ("listing_releases", "listing_releases", None, "robustness", "1", "higher", "sum", 6,
     ["isv", "developer"],
     "近6个月发布的新版本数", "Versions released in the last 6 months", "catalog",
     "定期发布新版本并撰写发布说明。", "Ship versions regularly, with release notes."),
    ("fresh_listings_pct", "fresh_listings_pct", None, "robustness", "1", "higher", "latest", 3, LISTING_KINDS,
     "在新鲜度期限内更新过的上架商品占比（%）", "Share of live listings updated within the freshness window (%)",
     "catalog",
     "更新过期的商品信息、截图和版本。", "Refresh stale listings: descriptions, screenshots, versions."),
    ("churned_customers", "churned_customers", None, "robustness", "1", "lower", "sum", 3, ALL,
     "近3个月流失客户数（越低越好）", "Customers lost in the last 3 months (lower is better)", "billing",
     "关注续费风险客户，及时解决服务问题。", "Watch accounts at risk of not renewing; fix service issues early."),
    ("certified_people", "certified_people", None, "robustness", "1", "higher", "latest", 3,
     ["service", "channel", "isv", "developer"],
     "当前有效认证人数", "People holding a valid certification", "partners",
     "安排员工参加认证考试，并在到期前续证。", "Get staff certified and renew certifications before they expire."),
    ("payment_failures", "payment_failures", None, "robustness", "0.5", "lower", "sum", 3, ALL,
     "近3个月付款失败次数（越低越好）", "Failed payments in the last 3 months (lower is better)", "billing",
     "提醒客户更新支付方式。", "Remind customers to keep their payment methods up to date."),
    ("delivery_success_rate", "delivery_success_rate", None, "robustness", "1", "higher", "avg", 3, ["service"],
     "近3个月交付成功率平均值（%）", "Average delivery success rate over 3 months (%)", "partners",
     "加强项目管理与交付复盘。", "Strengthen project management and delivery reviews."),
    ("avg_rating", "avg_rating", None, "innovation", "1", "higher", "latest", 3, ALL,
     "最新平均评分", "Latest average rating", "marketplace",
     "回应客户评价，持续改进产品体验。", "Answer reviews and keep improving the product experience."),
    ("review_count", "review_count", None, "innovation", "0.5", "higher", "sum", 6, ALL,
     "近6个月新增评价数", "Reviews received in the last 6 months", "marketplace",
     "邀请满意的客户留下评价。", "Invite satisfied customers to leave a review."),
    ("joint_solutions", "joint_solutions", None, "innovation", "1", "higher", "latest", 3,
     ["isv", "service", "alliance"],
     "上架的联合解决方案数", "Live joint solutions", "catalog",
     "与其他伙伴共建联合解决方案。", "Build joint solutions with other partners."),
    ("customer_retention", "customer_retention", None, "innovation", "1", "higher", "latest", 3, ALL,
     "客户留存率（%）", "Customer retention (%)", "billing",
     "通过成功服务和新功能提升客户留存。", "Raise retention with customer success work and new features."),
)  # fmt: skip


def create_defaults(apps, schema_editor):
    Metric = apps.get_model("partners", "Metric")
    HealthMetric = apps.get_model("partners", "HealthMetric")
    metrics = {}
    for slug, name, name_en, unit, source in METRICS:
        metrics[slug], _ = Metric.objects.get_or_create(
            slug=slug, defaults={"name": name, "name_en": name_en, "unit": unit, "source": source}
        )
    for order, row in enumerate(HEALTH_METRICS):
        (slug, metric, denominator, dimension, weight, direction, aggregation, window, kinds,
         formula, formula_en, source, hint, hint_en) = row  # fmt: skip
        HealthMetric.objects.get_or_create(
            slug=slug,
            defaults={
                "metric": metrics[metric],
                "denominator": metrics[denominator] if denominator else None,
                "dimension": dimension,
                "weight": Decimal(weight),
                "direction": direction,
                "aggregation": aggregation,
                "window_months": window,
                "kinds": list(kinds),
                "formula": formula,
                "formula_en": formula_en,
                "source": source,
                "improvement_hint": hint,
                "improvement_hint_en": hint_en,
                "sort_order": order,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("partners", "0006_health")]

    operations = [migrations.RunPython(create_defaults, migrations.RunPython.noop)]
