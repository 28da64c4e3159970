from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("switch/", views.switch, name="switch"),
    path("invitations/<str:token>/", views.accept_invitation, name="accept_invitation"),
    path("org/<slug:slug>/", views.organisation_detail, name="organisation_detail"),
    path("org/<slug:slug>/invite/", views.invite, name="invite"),
    path("org/<slug:slug>/leave/", views.leave, name="leave"),
    path(
        "org/<slug:slug>/invitations/<uuid:invitation>/revoke/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
    path("org/<slug:slug>/members/<uuid:member>/role/", views.member_role, name="member_role"),
    path("org/<slug:slug>/members/<uuid:member>/remove/", views.member_remove, name="member_remove"),
]
