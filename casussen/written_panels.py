"""Intervision in writing on the session page (``sessions.panels``) and on home (``groups.todo``),
registered in ``CasussenConfig.ready``. Home names the session, the group and the presenter, never the
casus text."""

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from groups import todo
from sessions.models import PhaseDeadline, Session
from sessions.panels import PanelRequest
from sessions.panels import register as register_panel

from . import written
from .models import Advice, Casus, LiveRun, Question


def written_panel(request: PanelRequest) -> dict[str, Any] | None:
    """A written session: its open phase and deadline, the way to the written page. A facilitator of a
    coming session: the switch between live and written."""
    session, access = request.session, request.access
    coming = session.status == Session.Status.PLANNED and session.starts_at > timezone.now()
    is_written = session.format == Session.Format.WRITTEN
    if not is_written and not (access.is_facilitator and coming):
        return None
    line = written.timeline(session) if is_written else None
    return {
        "is_written": is_written,
        "line": line,
        "may_switch": access.is_facilitator and coming,
        "may_read": access.is_member,
    }


def _when(moment: datetime) -> str:
    return formats.date_format(timezone.localtime(moment), "l j F H:i")


TEXTS = {
    written.QUESTIONS: gettext_lazy("Schrijf je vragen voor de casus van %(name)s vóór %(due)s"),
    written.ADVICE: gettext_lazy("Schrijf je advies voor de casus van %(name)s vóór %(due)s"),
    written.REFLECTION: gettext_lazy("Schrijf je reflectie op je casus vóór %(due)s"),
}


def written_items(person: todo.Person) -> Iterable[todo.TodoItem]:
    """For each open written round in the person's groups: what the open phase asks of them, until they
    wrote it. Four queries when there is a round, one when there is none."""
    if not person.groups:
        return []
    runs = list(
        LiveRun.objects.filter(
            session__group_id__in=person.group_ids,
            session__format=Session.Format.WRITTEN,
            finished_at__isnull=True,
        ).select_related("session", "presenter")
    )
    if not runs:
        return []
    session_ids = [run.session_id for run in runs]
    deadlines: dict[int, list[PhaseDeadline]] = {}
    for deadline in (
        PhaseDeadline.objects.filter(session_id__in=session_ids)
        .select_related("phase")
        .order_by("session_id", "phase__position")
    ):
        deadlines.setdefault(deadline.session_id, []).append(deadline)
    asked = set(Question.objects.filter(run__in=runs, author=person.user).values_list("run_id", flat=True))
    advised = set(Advice.objects.filter(run__in=runs, author=person.user).values_list("run_id", flat=True))
    reflected = set(
        Casus.objects.filter(runs__in=runs, author=person.user)
        .exclude(takeaways="")
        .values_list("runs__id", flat=True)
    )
    items = []
    for run in runs:
        line = written.Timeline(deadlines=deadlines.get(run.session_id, []), now=person.now)
        asks, presenter = line.current_asks, run.presenter_id == person.user.pk
        done = {written.QUESTIONS: run.pk in asked, written.ADVICE: run.pk in advised}
        if asks is None or line.current is None:
            continue
        if asks == written.REFLECTION:
            if not presenter or run.pk in reflected:
                continue
        elif presenter or done[asks]:
            continue
        group = person.groups[run.session.group_id]
        name = run.presenter.display_name if run.presenter else ""
        text = str(TEXTS[asks]) % {"name": name, "due": _when(line.current.due_at)}
        items.append(
            todo.TodoItem(
                kind=f"written-{asks}",
                text=text,
                url=reverse("casussen:written", kwargs={"session_id": run.session_id}),
                action=_("Schrijven"),
                group=group,
                when=line.current.due_at,
                details=[group.name],
                warn=(line.current.due_at - person.now).total_seconds() < 24 * 3600,
            )
        )
    return items


def on_session_changed(
    sender: type[Session], *, session: Session, changed: Iterable[str] = (), **kwargs: object
) -> None:
    if "method" in changed:
        written.written_method_changed(session=session)


def register() -> None:
    from sessions.signals import session_planned_or_changed

    session_planned_or_changed.connect(on_session_changed, dispatch_uid="casussen_written_method")
    register_panel(
        name="written", stage="before", order=25, template="casussen/_panel_written.html", build=written_panel
    )
    todo.register(name="casussen-written", order=22, build=written_items)
