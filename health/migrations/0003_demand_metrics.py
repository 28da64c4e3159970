# ruff: noqa: E501
"""Demand's facts in the default health model (issue 13): lead first-response time, requirement
win rate and proposals sent, next to ``delivery_success_rate`` (already there, now reported by
demand from milestone verdicts). Frozen data, idempotent: a metric or health metric that exists
is left as it is (staff may have edited it)."""

from decimal import Decimal

from django.db import migrations

METRICS = (
    # slug, Chinese, English, unit, source — as demand.services.facts.METRICS
    (
        "lead_first_response_hours",
        "线索首次响应时长（小时）",
        "Lead first response (hours)",
        "count",
        "demand",
    ),
    ("requirement_win_rate", "需求中标率", "Requirement win rate", "percent", "demand"),
    ("proposals_sent", "提交方案", "Proposals sent", "count", "demand"),
)

# slug, metric, dimension, weight, direction, aggregation, window, kinds, formula (zh, en), hints (zh, en)
HEALTH_METRICS = (
    ("lead_first_response_hours", "lead_first_response_hours", "robustness", "0.5", "lower", "avg", 3, [],
     "近3个月线索首次响应时长中位数的平均值（小时，越低越好）",
     "Average of the monthly median hours to a lead's first response, last 3 months (lower is better)",
     "在一个工作日内回复每条咨询；开启邮件提醒。", "Answer every enquiry within one business day; keep e-mail reminders on."),
    ("requirement_win_rate", "requirement_win_rate", "productivity", "1", "higher", "avg", 3, ["service"],
     "近3个月已决定方案中被选中的比例平均值（%）",
     "Share of decided proposals that won, monthly average over 3 months (%)",
     "只对匹配的需求提交有针对性的方案，写清验收标准。",
     "Propose only where you fit, with tailored proposals and clear acceptance criteria."),
    ("proposals_sent", "proposals_sent", "productivity", "0.5", "higher", "sum", 3, ["service"],
     "近3个月提交的方案数", "Proposals sent in the last 3 months",
     "关注需求大厅，按时提交方案。", "Watch the requirements hall and propose before the due date."),
)  # fmt: skip


def create_defaults(apps, schema_editor):
    Metric = apps.get_model("partners", "Metric")
    HealthMetric = apps.get_model("health", "HealthMetric")
    metrics = {}
    for slug, name, name_en, unit, source in METRICS:
        metrics[slug], _ = Metric.objects.get_or_create(
            slug=slug, defaults={"name": name, "name_en": name_en, "unit": unit, "source": source}
        )
    order = (
        HealthMetric.objects.order_by("-sort_order").values_list("sort_order", flat=True).first() or 0
    ) + 1
    for n, row in enumerate(HEALTH_METRICS):
        (slug, metric, dimension, weight, direction, aggregation, window, kinds,
         formula, formula_en, hint, hint_en) = row  # fmt: skip
        HealthMetric.objects.get_or_create(
            slug=slug,
            defaults={
                "metric": metrics[metric],
                "dimension": dimension,
                "weight": Decimal(weight),
                "direction": direction,
                "aggregation": aggregation,
                "window_months": window,
                "kinds": list(kinds),
                "formula": formula,
                "formula_en": formula_en,
                "source": "demand",
                "improvement_hint": hint,
                "improvement_hint_en": hint_en,
                "sort_order": order + n,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("health", "0002_content_types"), ("partners", "0009_webhooks")]

    operations = [migrations.RunPython(create_defaults, migrations.RunPython.noop)]
