from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Berichten en signalen")

    def ready(self):
        from . import receivers, todo

        receivers.connect()
        todo.register()
