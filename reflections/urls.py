from django.urls import path

from . import views

app_name = "reflections"

urlpatterns = [
    path("bijeenkomst/<int:session_id>/", views.session_reflections, name="session"),
    path("bijeenkomst/<int:session_id>/invullen/", views.reflection_write, name="write"),
    path("bijeenkomst/<int:session_id>/follow-up/", views.followup, name="followup"),
    path("<int:reflection_id>/", views.reflection_detail, name="detail"),
    path("groep/<int:group_id>/", views.group_reflections, name="group"),
    path("groep/<int:group_id>/gezondheid/", views.group_health, name="health"),
    path("leerlog/", views.my_learning_log, name="learning_log"),
    path("leerlog/export.csv", views.my_learning_log_csv, name="learning_log_csv"),
]
