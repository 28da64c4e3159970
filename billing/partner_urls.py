"""Partner-facing billing pages: ``/billing/partner/…`` (and ``/en/billing/partner/…``)."""

from billing.partner_views import urlpatterns  # noqa: F401

app_name = "billing_partner"
