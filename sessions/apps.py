from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    """The bijeenkomsten app. Its label is ``meetings`` because ``sessions`` belongs to django.contrib."""

    name = "sessions"
    label = "meetings"
    verbose_name = _("Bijeenkomsten")

    def ready(self):
        from django.db.models import fields

        from . import feedcache, todo

        feedcache.connect()
        todo.register()
        # The empty choice of every select (Django's "- Select an option -", untranslated in Dutch): the
        # hook Django 6.1 offers for it (``BLANK_CHOICE_LABEL``, set in an app's ready()).
        fields.BLANK_CHOICE_LABEL = _("- Kies -")
