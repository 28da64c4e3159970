"""Wagtail admin: the application review queue (owned by the onboarding work)."""
