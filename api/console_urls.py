"""The partner console's API section (inside the language prefix): keys and the docs page."""

from django.urls import path

from api import views

app_name = "api_console"

urlpatterns = [
    path("keys/", views.keys, name="keys"),
    path("keys/<uuid:public_id>/revoke/", views.revoke, name="revoke"),
    path("webhooks/", views.add_endpoint, name="add-endpoint"),
    path(
        "webhooks/<uuid:public_id>/<slug:action>/",
        views.endpoint_action,
        name="endpoint-action",
    ),
    path("deliveries/<uuid:public_id>/resend/", views.resend_delivery, name="resend-delivery"),
    path("docs/", views.docs, name="docs"),
]
