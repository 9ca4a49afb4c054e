"""Bench-only URLconf: the real URLs plus a bare Django "hello" view to compare the poll endpoint with."""

from django.http import HttpResponse
from django.urls import include, path


def hello(request):
    return HttpResponse(b"hello", content_type="text/plain")


urlpatterns = [
    path("__bench__/hello/", hello),
    path("", include("intervisie.urls")),
]
