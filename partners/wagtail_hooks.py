"""Wagtail discovers this module; each admin area registers its hooks in its own module."""

from partners.admin_views import onboarding_hooks, programme_hooks  # noqa: F401
