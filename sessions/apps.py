from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    """The bijeenkomsten app. Its label is ``meetings`` because ``sessions`` belongs to django.contrib."""

    name = "sessions"
    label = "meetings"
    verbose_name = _("Bijeenkomsten")

    def ready(self):
        from . import feedcache, todo

        feedcache.connect()
        todo.register()
