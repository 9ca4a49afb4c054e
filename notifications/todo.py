"""The notifications app's part of the home page (``groups/todo.py``): the open attendance alerts of the
groups the person facilitates, in words, each leading to the group's dashboard where they are listed. One
query."""

from collections.abc import Iterable

from django.urls import reverse
from django.utils.translation import gettext as _

from groups import todo

from .alerts import describe
from .models import Alert


def alert_items(person: todo.Person) -> Iterable[todo.TodoItem]:
    if not person.facilitated:
        return []
    alerts = (
        Alert.objects.filter(group_id__in=sorted(person.facilitated), closed_at__isnull=True)
        .select_related("user", "session")
        .order_by("opened_at", "pk")
    )
    items = []
    for alert in alerts:
        group = person.groups[alert.group_id]
        items.append(
            todo.TodoItem(
                kind="alert",
                text=describe(alert),
                url=reverse("dashboards:group", kwargs={"group_id": group.pk}),
                action=_("Naar het dashboard"),
                group=group,
                when=alert.session.starts_at if alert.session else None,
                details=[group.name],
                warn=True,
            )
        )
    return items


def register() -> None:
    todo.register(name="notifications", order=40, build=alert_items)
