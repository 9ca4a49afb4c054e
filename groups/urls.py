from django.urls import path

from . import views

app_name = "groups"

urlpatterns = [
    path("nieuw/", views.group_create, name="create"),
    path("<int:group_id>/", views.group_detail, name="detail"),
    path("<int:group_id>/instellingen/", views.group_settings, name="settings"),
    path("<int:group_id>/uitnodigingen/", views.group_invitations, name="invitations"),
    path(
        "<int:group_id>/uitnodigingen/<int:invitation_id>/intrekken/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
    path(
        "<int:group_id>/uitnodigingen/<int:invitation_id>/opnieuw/",
        views.invitation_resend,
        name="invitation_resend",
    ),
    path("<int:group_id>/begeleiding-overdragen/", views.facilitator_handover, name="facilitator_handover"),
    path("<int:group_id>/verlaten/", views.group_leave, name="leave"),
    path("<int:group_id>/leden/<int:membership_id>/rol/", views.membership_role, name="membership_role"),
    path("<int:group_id>/uitnodigen/", views.group_invite, name="invite"),
    path(
        "<int:group_id>/leden/<int:membership_id>/deactiveren/",
        views.membership_deactivate,
        name="membership_deactivate",
    ),
    path("uitnodiging/<str:token>/", views.invitation_accept, name="invitation_accept"),
]
