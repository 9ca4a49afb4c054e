from django.urls import path

from . import attendance_views, poll_views, role_views, schedule_views, views

app_name = "sessions"

urlpatterns = [
    path("", views.my_sessions, name="mine"),
    path("<int:session_id>/", views.session_detail, name="detail"),
    path("<int:session_id>/antwoord/", views.rsvp, name="rsvp"),
    path("<int:session_id>/inbrengen/", views.presenter_claim, name="presenter_claim"),
    path("<int:session_id>/inbrengen/vrijgeven/", views.presenter_release, name="presenter_release"),
    path("<int:session_id>/agenda.ics", views.session_download, name="download"),
    path("<int:session_id>/wijzigen/", views.session_edit, name="edit"),
    path("<int:session_id>/aanwezigheid/", attendance_views.attendance_register, name="attendance"),
    path("<int:session_id>/annuleren/", views.session_cancel_view, name="cancel"),
    path("<int:session_id>/rollen/", role_views.role_set, name="role_set"),
    path("groep/<int:group_id>/rooster/", schedule_views.group_schedule, name="group_schedule"),
    path("groep/<int:group_id>/nieuw/", views.session_new, name="new"),
    path("groep/<int:group_id>/inbreng/", role_views.group_load, name="group_load"),
    path("groep/<int:group_id>/datumprikker/", poll_views.poll_new, name="poll_new"),
    path("groep/<int:group_id>/datumprikker/<int:poll_id>/", poll_views.poll_detail, name="poll"),
    path(
        "groep/<int:group_id>/datumprikker/<int:poll_id>/<int:option_id>/",
        poll_views.poll_answer,
        name="poll_answer",
    ),
    path(
        "groep/<int:group_id>/datumprikker/<int:poll_id>/kiezen/",
        poll_views.poll_confirm,
        name="poll_confirm",
    ),
    path(
        "groep/<int:group_id>/datumprikker/<int:poll_id>/sluiten/", poll_views.poll_close, name="poll_close"
    ),
    path("agenda/", views.feed_settings, name="feed_settings"),
    path("agenda/vernieuwen/", views.feed_regenerate, name="feed_regenerate"),
    path("agenda/<str:token>.ics", views.feed, name="feed"),
]
