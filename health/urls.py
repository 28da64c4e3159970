"""The partner's health page and its report archive, included by ``config/urls.py`` at
``/partners/console/health/`` (before ``partners/``, which never imports health)."""

from django.urls import path

from health import views

app_name = "health"

urlpatterns = [
    path("", views.health_page, name="console-health"),
    path("reports/", views.request_partner_report, name="console-health-report"),
    path("reports/<uuid:pk>/", views.report_status, name="health-report"),
    path("reports/<uuid:pk>/download/", views.report_download, name="health-report-download"),
]
