"""The casussen app's part of the home page (``groups/todo.py``): a casus to prepare (booked for a coming
session, or a presenter slot still without a casus) and drafts to finish. Two queries. No casus text: the
items name the session and the group, never the casus."""

from collections.abc import Iterable
from datetime import timedelta

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from groups import todo
from groups.models import Group
from sessions.models import Presenter, Session

from .models import Casus


def _within_prep(session: Session, group: Group, person: todo.Person) -> bool:
    """Inside the group's casus preparation time (``casus_prep_days``, when the preparation e-mail goes)."""
    return session.starts_at <= person.now + timedelta(days=group.casus_prep_days)


def casus_items(person: todo.Person) -> Iterable[todo.TodoItem]:
    if not person.groups:
        return []
    items = []
    own = Casus.objects.filter(
        author=person.user,
        group_id__in=person.group_ids,
        status__in=[Casus.Status.DRAFT, Casus.Status.BOOKED],
    ).select_related("session")
    drafts: dict[int, list[Casus]] = {}
    for casus in own.order_by("-updated_at", "-pk"):
        group, session = person.groups[casus.group_id], casus.session
        if casus.is_draft:
            drafts.setdefault(casus.group_id, []).append(casus)
        elif session and session.status == Session.Status.PLANNED and session.starts_at > person.now:
            items.append(
                todo.TodoItem(
                    kind="casus",
                    text=_("Bereid je casus voor"),
                    url=reverse("casussen:detail", args=[casus.pk]),
                    action=_("Je casus bekijken"),
                    group=group,
                    when=session.starts_at,
                    details=[group.name],
                    warn=_within_prep(session, group, person),
                )
            )
    booked = Casus.objects.filter(session=OuterRef("session"), author=person.user, status=Casus.Status.BOOKED)
    slots = (
        Presenter.objects.filter(
            user=person.user,
            session__group_id__in=person.group_ids,
            session__status=Session.Status.PLANNED,
            session__starts_at__gt=person.now,
        )
        .exclude(Exists(booked))
        .select_related("session")
    )
    for slot in slots:
        group = person.groups[slot.session.group_id]
        items.append(
            todo.TodoItem(
                kind="casus-write",
                text=_("Je brengt in: schrijf je casus"),
                url=reverse("casussen:create", kwargs={"group_id": group.pk}),
                action=_("Casus schrijven"),
                group=group,
                when=slot.session.starts_at,
                details=[group.name],
                warn=_within_prep(slot.session, group, person),
            )
        )
    for group_id, group_drafts in drafts.items():
        group = person.groups[group_id]
        one = len(group_drafts) == 1
        items.append(
            todo.TodoItem(
                kind="draft",
                text=ngettext("Maak je concept af", "Maak je %(n)s concepten af", len(group_drafts))
                % {"n": len(group_drafts)},
                url=reverse("casussen:edit", args=[group_drafts[0].pk])
                if one
                else reverse("casussen:queue", kwargs={"group_id": group_id}),
                action=_("Concept afmaken") if one else _("Naar je concepten"),
                group=group,
                details=[group.name],
            )
        )
    return items


def register() -> None:
    todo.register(name="casussen", order=20, build=casus_items)
