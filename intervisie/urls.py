from django.contrib import admin
from django.urls import include, path

from accounts import views as account_views
from groups import views as group_views

urlpatterns = [
    path("taal/", account_views.set_language, name="set_language"),
    path("beheer/", admin.site.urls),
    path("", group_views.home, name="home"),
    path("account/", include("accounts.urls")),
    path("groepen/", include("groups.urls")),
    path("meldingen/", include("notifications.urls")),
    path("casussen/", include("casussen.urls")),
    path("bijeenkomsten/", include("sessions.urls")),
    path("reflecties/", include("reflections.urls")),
    path("dashboard/", include("dashboards.urls")),
    path("privacy/", include("privacy.urls")),
]
