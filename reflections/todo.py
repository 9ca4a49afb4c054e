"""The reflections app's part of the home page (``groups/todo.py``): reflections due (a held session the
person attended, its reflection window open, their reflection not written) and follow-ups to answer. At
most five queries."""

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.db.models import Exists, OuterRef
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from groups import todo
from sessions.models import Presenter, Session

from . import selectors, services
from .models import FollowUp

# A follow-up stays on the home page this long after it became due; the follow-up page stays reachable.
FOLLOWUP_ON_HOME = timedelta(weeks=8)


def _reflections_due(person: todo.Person) -> list[Session]:
    """Held sessions of the last reflection window that the person may write a reflection for now (the
    rule is ``services.reflection_write_refusals``')."""
    recent = list(
        Session.objects.filter(group_id__in=person.group_ids, status=Session.Status.HELD)
        .alias(ended=Coalesce("actual_ended_at", "ends_at"))
        .filter(ended__gt=person.now - selectors.REFLECTION_WINDOW, ended__lte=person.now)
        .order_by("starts_at")
    )
    if not recent:
        return []
    refusals = services.reflection_write_refusals(sessions=recent, user=person.user, now=person.now)
    return [session for session in recent if refusals[session.pk] is None]


def _followups_open(person: todo.Person) -> list[Presenter]:
    answered = FollowUp.objects.filter(session=OuterRef("session"), presenter=person.user)
    slots = (
        Presenter.objects.filter(
            user=person.user, session__group_id__in=person.group_ids, session__status=Session.Status.HELD
        )
        .exclude(Exists(answered))
        .select_related("session")
        .order_by("session__starts_at")
    )
    found = []
    for slot in slots:
        slot.session.group = person.groups[slot.session.group_id]
        due = selectors.followup_due_at(slot.session)
        if due <= person.now < due + FOLLOWUP_ON_HOME:
            found.append(slot)
    return found


def _day(moment: datetime) -> str:
    return formats.date_format(timezone.localtime(moment), "l j F")


def reflection_items(person: todo.Person) -> Iterable[todo.TodoItem]:
    if not person.groups:
        return []
    items = []
    for session in _reflections_due(person):
        group = person.groups[session.group_id]
        session.group = group
        closes = selectors.reflection_closes_at(session)
        items.append(
            todo.TodoItem(
                kind="reflection",
                text=_("Schrijf je reflectie"),
                url=reverse("reflections:write", args=[session.pk]),
                action=_("Reflectie schrijven"),
                group=group,
                when=session.starts_at,
                details=[group.name, _("kan tot %(date)s") % {"date": _day(closes)}],
            )
        )
    for slot in _followups_open(person):
        group = slot.session.group
        items.append(
            todo.TodoItem(
                kind="followup",
                text=_("Wat kwam er van het advies? Beantwoord de follow-up"),
                url=reverse("reflections:followup", args=[slot.session_id]),
                action=_("Follow-up invullen"),
                group=group,
                when=slot.session.starts_at,
                details=[group.name],
            )
        )
    return items


def register() -> None:
    todo.register(name="reflections", order=30, build=reflection_items)
