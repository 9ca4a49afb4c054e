from django.urls import path

from . import views

app_name = "dashboards"

urlpatterns = [
    path("", views.index, name="index"),
    path("beheer/", views.admin_overview, name="admin"),
    path("groep/<int:group_id>/", views.group_dashboard, name="group"),
    path("groep/<int:group_id>/aanwezigheid.csv", views.group_attendance_csv, name="group_attendance"),
    path(
        "groep/<int:group_id>/bijeenkomst/<int:session_id>/presentielijst.<str:fmt>",
        views.presence_list,
        name="presence_list",
    ),
    path(
        "groep/<int:group_id>/accreditatie/<int:user_id>.<str:fmt>",
        views.member_accreditation,
        name="member_accreditation",
    ),
    path("accreditatie/", views.my_accreditation, name="my_accreditation"),
    path("accreditatie/overzicht.<str:fmt>", views.my_accreditation_download, name="my_accreditation_file"),
]
