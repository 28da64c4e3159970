"""Billing's own endpoints (the Stripe webhook). Customer screens live in marketplace."""
