"""Billing services: trials, checkout and subscriptions, entitlements, invoices, webhooks, offers."""
