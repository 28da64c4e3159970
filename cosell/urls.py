"""The partner console's deal registrations: ``/partners/console/deals/``."""

from cosell.views import urlpatterns  # noqa: F401

app_name = "cosell"
