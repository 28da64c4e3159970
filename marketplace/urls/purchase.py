"""Trial and purchase screens under ``/billing/`` (inside ``i18n_patterns``: ``/en/billing/…`` too)."""

from django.urls import path

from marketplace.views import purchase as views

app_name = "purchase"

urlpatterns = [
    path("trial/<int:listing_id>/start/", views.start_trial, name="start_trial"),
    path("trials/<uuid:public_id>/", views.trial_detail, name="trial"),
    path("checkout/<int:plan_id>/", views.checkout, name="checkout"),
    path("offers/<uuid:public_id>/", views.offer_detail, name="offer"),
    path("subscriptions/", views.subscription_list, name="subscriptions"),
    path("subscriptions/<uuid:public_id>/", views.subscription_detail, name="subscription"),
    path("subscriptions/<uuid:public_id>/cancel/", views.subscription_cancel, name="cancel"),
    path("subscriptions/<uuid:public_id>/resume/", views.subscription_resume, name="resume"),
    path("subscriptions/<uuid:public_id>/change/", views.subscription_change, name="change"),
    path("subscriptions/<uuid:public_id>/card/", views.subscription_card, name="card"),
    path("subscriptions/<uuid:public_id>/seats/", views.seat_assign, name="seat_assign"),
    path("subscriptions/<uuid:public_id>/seats/<int:user_id>/remove/", views.seat_remove, name="seat_remove"),
    path("invoices/<uuid:public_id>/pdf/", views.invoice_pdf, name="invoice_pdf"),
    path("contacts/", views.contacts, name="contacts"),
    path("contacts/<uuid:public_id>/", views.contacts, name="contact"),
    path("partner-offers/", views.partner_offers, name="partner_offers"),
    path("usage/", views.usage_index, name="usage_index"),
    path("usage/<uuid:public_id>/", views.usage_report, name="usage"),
]
