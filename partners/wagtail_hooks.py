"""Wagtail discovers this module; each admin area registers its hooks in its own module."""

from partners.admin_views import (  # noqa: F401
    onboarding_hooks,
    programme_hooks,
)
