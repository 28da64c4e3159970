"""Billing's endpoints outside the language prefix: the Stripe webhook, the partner usage API."""

from django.urls import path

from billing.views.usage_api import report_usage
from billing.views.webhooks import stripe_webhook

app_name = "billing"

urlpatterns = [
    path("stripe/webhook/", stripe_webhook, name="stripe_webhook"),
    path("api/usage/", report_usage, name="usage_api"),
]
