from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("link/<str:token>/", views.oneclick, name="oneclick"),
    path("datum/<str:token>/", views.poll_link, name="poll_link"),
    path("voorkeuren/", views.preferences, name="preferences"),
    path("agenda/", views.calendar_path, name="calendar_path"),
    path("groep/<int:group_id>/", views.group_settings, name="group_settings"),
]
