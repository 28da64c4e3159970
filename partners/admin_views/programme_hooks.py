"""Wagtail admin: tiers, recommendations, certifications, partner console (owned by the programme work)."""
