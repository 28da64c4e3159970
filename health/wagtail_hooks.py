"""Wagtail discovers this module; each admin area registers its hooks in its own module."""

from health.admin_views import (  # noqa: F401
    dashboard,  # "Ecosystem health" dashboard, drill-down, PDF reports
    hooks,  # "Health model" menu: at-risk, runs, decisions, metrics, vendor revenue, settings audit
)
