from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasussenConfig(AppConfig):
    name = "casussen"
    verbose_name = _("Casussen")

    def ready(self) -> None:
        from groups import todo as home_todo
        from sessions.signals import session_cancelled

        from . import advance, receivers, session_panels, todo

        session_panels.register_panels()
        todo.register()
        from . import written_panels

        written_panels.register()
        home_todo.register(name="casussen-advance", order=25, build=advance.todo_items)
        session_cancelled.connect(
            receivers.requeue_casussen_of_cancelled_session, dispatch_uid="casussen_requeue_cancelled"
        )
