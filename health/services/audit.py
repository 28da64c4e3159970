"""Audit of staff changes to the health model: the fields of the settings and of a metric as
logged values, and one Wagtail log entry listing what changed and why."""

from __future__ import annotations

from wagtail.log_actions import log

from health.models import HealthMetric, HealthSettings
from health.services.definitions import fmt_number

# Action names keep the ``partners.`` prefix the entries were first written with.
LOG_SETTINGS_CHANGED = "partners.health_settings_changed"
LOG_METRIC_CHANGED = "partners.health_metric_changed"
LOG_FLAG_ACKNOWLEDGED = "partners.at_risk_acknowledged"


def settings_values(instance: HealthSettings) -> dict:
    return {
        field: fmt_number(getattr(instance, field))
        for field in (
            "productivity_weight",
            "robustness_weight",
            "innovation_weight",
            "at_risk_drop_points",
            "at_risk_floor",
            "healthy_threshold",
        )
    }


def metric_values(instance: HealthMetric) -> dict:
    return {
        "dimension": instance.dimension,
        "weight": fmt_number(instance.weight),
        "direction": instance.direction,
        "aggregation": instance.aggregation,
        "window_months": instance.window_months,
        "kinds": list(instance.kinds or []),
        "enabled": instance.enabled,
        "missing_counts_as_zero": instance.missing_counts_as_zero,
    }


def log_change(*, instance, action: str, user, before: dict, after: dict, reason: str = "") -> bool:
    """Write an audit entry listing the fields that changed (nothing when none did)."""
    changed = {k: {"from": before.get(k), "to": v} for k, v in after.items() if before.get(k) != v}
    if not changed:
        return False
    log(instance=instance, action=action, user=user, data={"changes": changed, "reason": reason})
    return True
