from django.urls import path

from . import views

app_name = "privacy"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("download/", views.export, name="export"),
    path("account-verwijderen/", views.account_delete, name="delete"),
    path("casus/<int:casus_id>/inzage/", views.casus_access, name="casus_access"),
]
