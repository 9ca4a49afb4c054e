from django.urls import path

from . import advance_views, live_views, views, written_views

app_name = "casussen"

urlpatterns = [
    path("groep/<int:group_id>/", views.queue, name="queue"),
    path("groep/<int:group_id>/geschiedenis/", views.history, name="history"),
    path("groep/<int:group_id>/nieuw/", views.create, name="create"),
    path("groep/<int:group_id>/autosave/", views.autosave, name="autosave"),
    path("<int:casus_id>/", views.detail, name="detail"),
    path("<int:casus_id>/bewerken/", views.edit, name="edit"),
    path("<int:casus_id>/indienen/", views.submit, name="submit"),
    path("<int:casus_id>/inplannen/", views.book, name="book"),
    path("<int:casus_id>/terug-naar-wachtrij/", views.unbook, name="unbook"),
    path("<int:casus_id>/stem/", views.vote, name="vote"),
    path("<int:casus_id>/samenvatting/", views.summary, name="summary"),
    path("<int:casus_id>/vooraf/", advance_views.write, name="advance"),
    path("bijeenkomst/<int:session_id>/", live_views.session_detail, name="session"),
    path("bijeenkomst/<int:session_id>/werkvorm/", live_views.session_method, name="session_method"),
    path("bijeenkomst/<int:session_id>/live/", live_views.live_page, name="live"),
    path("bijeenkomst/<int:session_id>/live/poll/", live_views.poll, name="poll"),
    path("bijeenkomst/<int:session_id>/live/start/", live_views.live_start, name="live_start"),
    path("bijeenkomst/<int:session_id>/live/stap/", live_views.live_step, name="live_step"),
    path("bijeenkomst/<int:session_id>/live/vraag/", live_views.question_add, name="question_add"),
    path(
        "bijeenkomst/<int:session_id>/live/vraag/<int:question_id>/markeren/",
        live_views.question_mark,
        name="question_mark",
    ),
    path("bijeenkomst/<int:session_id>/live/advies/", live_views.advice_add, name="advice_add"),
    path("bijeenkomst/<int:session_id>/parkeerplaats/", live_views.parked_add, name="parked_add"),
    path("bijeenkomst/<int:session_id>/aanwezigheid/", live_views.attendance_moved, name="attendance"),
    path("bijeenkomst/<int:session_id>/schriftelijk/", written_views.written_page, name="written"),
    path(
        "bijeenkomst/<int:session_id>/schriftelijk/vorm/", written_views.written_setup, name="written_setup"
    ),
    path(
        "bijeenkomst/<int:session_id>/schriftelijk/termijn/<int:deadline_id>/",
        written_views.written_deadline,
        name="written_deadline",
    ),
    path(
        "bijeenkomst/<int:session_id>/schriftelijk/bijdrage/",
        written_views.written_contribute,
        name="written_contribute",
    ),
    path(
        "bijeenkomst/<int:session_id>/schriftelijk/afronden/",
        written_views.written_close,
        name="written_close",
    ),
]
