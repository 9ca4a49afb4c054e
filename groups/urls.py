from django.urls import path

from . import views

app_name = "groups"

urlpatterns = [
    path("<int:group_id>/", views.group_detail, name="detail"),
    path("<int:group_id>/uitnodigen/", views.group_invite, name="invite"),
    path(
        "<int:group_id>/leden/<int:membership_id>/deactiveren/",
        views.membership_deactivate,
        name="membership_deactivate",
    ),
    path("uitnodiging/<str:token>/", views.invitation_accept, name="invitation_accept"),
]
