"""Default metrics, tier ladders with criteria, and the programme's periodic tasks.

Frozen data (not imported from app code) so this migration means the same thing forever.
Idempotent: existing metrics, tiers and criteria are left as staff edited them; a tier only
gets default criteria when it has none. Ladders match ``partners.demo.TIERS``.
"""

from django.db import migrations
from django.utils import timezone

METRICS = (
    # slug, Chinese, English, unit, source, count metric
    ("revenue", "收入", "Revenue", "CNY", "billing", None),
    ("active_customers", "活跃客户", "Active customers", "count", "billing", None),
    ("published_listings", "已发布商品", "Published listings", "count", "catalog", None),
    ("review_count", "评价数", "Reviews", "count", "marketplace", None),
    ("avg_rating", "平均评分", "Average rating", "rating", "marketplace", "review_count"),
    ("certified_people", "认证人员", "Certified people", "count", "partners", None),
    ("delivery_success_rate", "交付成功率", "Delivery success rate", "percent", "partners", None),
    ("health_score", "健康分", "Health score", "score", "partners", None),
)

LADDERS = {
    "service": (
        ("registered", "注册", "Registered", "#64748b"),
        ("silver", "银牌", "Silver", "#8d99a6"),
        ("gold", "金牌", "Gold", "#c99a06"),
        ("platinum", "白金", "Platinum", "#4b6584"),
        ("diamond", "钻石", "Diamond", "#0ea5e9"),
    ),
    "isv": (
        ("registered", "注册", "Registered", "#64748b"),
        ("select", "优选", "Select", "#0891b2"),
        ("preferred", "首选", "Preferred", "#2563eb"),
        ("premier", "战略", "Premier", "#7c3aed"),
    ),
    "channel": (
        ("registered", "注册", "Registered", "#64748b"),
        ("one-star", "一星级", "1-star", "#f59e0b"),
        ("two-star", "二星级", "2-star", "#ea580c"),
        ("three-star", "三星级", "3-star", "#dc2626"),
    ),
    "developer": (
        ("registered", "注册", "Registered", "#64748b"),
        ("certified", "认证", "Certified", "#16a34a"),
        ("expert", "专家", "Expert", "#166534"),
    ),
    "alliance": (
        ("alliance", "联盟", "Alliance", "#0f766e"),
        ("strategic", "战略", "Strategic", "#b45309"),
    ),
}

# (kind, tier slug) → criteria: (metric, window, threshold, min_count)
S12, LATEST, AVG = "sum_12m", "latest", "avg_12m"
CRITERIA = {
    ("service", "silver"): (("certified_people", LATEST, 2, None), ("revenue", S12, 200_000, None)),
    ("service", "gold"): (
        ("certified_people", LATEST, 5, None),
        ("revenue", S12, 1_000_000, None),
        ("delivery_success_rate", AVG, 85, None),
    ),
    ("service", "platinum"): (
        ("certified_people", LATEST, 10, None),
        ("revenue", S12, 3_000_000, None),
        ("delivery_success_rate", AVG, 90, None),
        ("avg_rating", LATEST, 4.2, 10),
    ),
    ("service", "diamond"): (
        ("certified_people", LATEST, 25, None),
        ("revenue", S12, 10_000_000, None),
        ("delivery_success_rate", AVG, 95, None),
        ("avg_rating", LATEST, 4.5, 30),
    ),
    ("isv", "select"): (("published_listings", LATEST, 1, None), ("revenue", S12, 100_000, None)),
    ("isv", "preferred"): (
        ("published_listings", LATEST, 2, None),
        ("revenue", S12, 800_000, None),
        ("active_customers", LATEST, 20, None),
        ("avg_rating", LATEST, 4.0, 10),
    ),
    ("isv", "premier"): (
        ("published_listings", LATEST, 4, None),
        ("revenue", S12, 5_000_000, None),
        ("active_customers", LATEST, 100, None),
        ("avg_rating", LATEST, 4.3, 40),
    ),
    ("channel", "one-star"): (
        ("revenue", S12, 300_000, None),
        ("active_customers", LATEST, 5, None),
        ("certified_people", LATEST, 1, None),
    ),
    ("channel", "two-star"): (
        ("revenue", S12, 1_500_000, None),
        ("active_customers", LATEST, 20, None),
        ("certified_people", LATEST, 3, None),
    ),
    ("channel", "three-star"): (
        ("revenue", S12, 5_000_000, None),
        ("active_customers", LATEST, 60, None),
        ("certified_people", LATEST, 6, None),
    ),
    ("developer", "certified"): (("certified_people", LATEST, 1, None),),
    ("developer", "expert"): (
        ("certified_people", LATEST, 2, None),
        ("published_listings", LATEST, 1, None),
        ("avg_rating", LATEST, 4.0, 5),
    ),
    ("alliance", "strategic"): (("revenue", S12, 20_000_000, None), ("active_customers", LATEST, 200, None)),
}

# name, task, crontab (minute, hour, day_of_month), description
SCHEDULES = (
    ("Partner programme: evaluate tiers", "partners.evaluate_tiers", ("0", "3", "2"),
     "Monthly tier evaluation over the trailing 12 months of facts."),
    ("Partner programme: apply due demotions", "partners.apply_due_demotions", ("0", "4", "*"),
     "Applies approved demotions whose grace period has ended."),
    ("Partner programme: certified-people facts", "partners.report_certified_people", ("0", "1", "*"),
     "Reports each partner's unexpired certified people as a monthly fact."),
    ("Partner programme: certification reminders", "partners.send_certification_reminders", ("0", "8", "*"),
     "Emails partner owners about certifications expiring soon (once per person and expiry)."),
)  # fmt: skip


def create_defaults(apps, schema_editor):
    Metric = apps.get_model("partners", "Metric")
    Tier = apps.get_model("partners", "Tier")
    TierCriterion = apps.get_model("partners", "TierCriterion")
    metrics = {}
    for slug, zh, en, unit, source, _count in METRICS:
        metrics[slug], _ = Metric.objects.get_or_create(
            slug=slug, defaults={"name": zh, "name_en": en, "unit": unit, "source": source}
        )
    for slug, *_rest, count in METRICS:
        if count and metrics[slug].count_metric_id is None:
            metrics[slug].count_metric = metrics[count]
            metrics[slug].save(update_fields=["count_metric"])

    for kind, ladder in LADDERS.items():
        for rank, (slug, zh, en, colour) in enumerate(ladder):
            tier = Tier.objects.filter(kind=kind, slug=slug).first()
            if tier is None:
                if Tier.objects.filter(kind=kind, rank=rank).exists():
                    continue  # staff built their own ladder; leave it alone
                tier = Tier.objects.create(
                    kind=kind, rank=rank, slug=slug, name=zh, name_en=en, colour=colour
                )
            if TierCriterion.objects.filter(tier=tier).exists():
                continue
            for order, (metric, window, threshold, min_count) in enumerate(CRITERIA.get((kind, slug), ())):
                TierCriterion.objects.create(
                    tier=tier,
                    metric=metrics[metric],
                    operator="gte",
                    threshold=str(threshold),
                    window=window,
                    min_count=min_count,
                    sort_order=order,
                )


def create_schedules(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    from django.conf import settings

    for name, task, (minute, hour, day), description in SCHEDULES:
        crontab, _ = CrontabSchedule.objects.get_or_create(
            minute=minute,
            hour=hour,
            day_of_month=day,
            month_of_year="*",
            day_of_week="*",
            timezone=settings.TIME_ZONE,
        )
        PeriodicTask.objects.get_or_create(
            name=name,
            defaults={"task": task, "crontab": crontab, "description": description, "enabled": True},
        )
    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


def remove_schedules(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(
        task__in=[task for _name, task, _cron, _desc in SCHEDULES]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("partners", "0002_programme"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        migrations.RunPython(create_defaults, migrations.RunPython.noop),
        migrations.RunPython(create_schedules, remove_schedules),
    ]
