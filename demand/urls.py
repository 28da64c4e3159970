from django.urls import path

from demand.views import console, delivery, hall, leads, requirements

app_name = "demand"

urlpatterns = [
    path("enquire/", leads.enquire, name="enquire"),
    path("enquire/verify/<str:token>/", leads.verify, name="lead-verify"),
    path("enquiries/", leads.my_enquiries, name="my-enquiries"),
    path("enquiries/<uuid:public_id>/", leads.my_enquiry, name="my-enquiry"),
    path("console/", console.index, name="console"),
    path("console/leads/", leads.inbox, name="inbox"),
    path("console/leads/<uuid:public_id>/", leads.inbox_detail, name="inbox-detail"),
    path("console/hall/", hall.hall, name="hall"),
    path("console/hall/intake/", hall.pause_intake, name="hall-intake"),
    path("console/hall/<uuid:public_id>/", hall.hall_detail, name="hall-detail"),
    path("console/hall/<uuid:public_id>/claim/", hall.claim, name="hall-claim"),
    path("console/deliveries/", delivery.deliveries, name="deliveries"),
    path("console/deliveries/<uuid:public_id>/", delivery.delivery, name="delivery"),
    path("proposals/<uuid:public_id>/delivery/", delivery.customer_delivery, name="customer-delivery"),
    path("payments/<uuid:public_id>/pay/", delivery.pay, name="pay"),
    path("requirements/", requirements.my_requirements, name="requirements"),
    path("requirements/new/", requirements.new_requirement, name="requirement-new"),
    path("requirements/<uuid:public_id>/", requirements.requirement_detail, name="requirement"),
    path(
        "requirements/<uuid:public_id>/files/<uuid:attachment_id>/",
        requirements.attachment,
        name="attachment",
    ),
    path(
        "console/hall/<uuid:public_id>/files/<uuid:attachment_id>/",
        hall.attachment,
        name="hall-attachment",
    ),
    path("requirements/<uuid:public_id>/compare/", requirements.compare, name="compare"),
    path("requirements/<uuid:public_id>/compare.pdf", requirements.compare_pdf, name="compare-pdf"),
    path("proposals/<uuid:public_id>/award/", requirements.award, name="award"),
    path("requirements/<uuid:public_id>/award/", requirements.award_split, name="award-split"),
]
