"""The home page as a to-do list: the next session of each group first, then what waits for this person.

``groups`` may not import the apps above it, and most of what waits lives there (RSVPs in ``sessions``, a
casus to prepare in ``casussen``, a reflection or a follow-up in ``reflections``, open alerts in
``notifications``). Each of those apps registers a provider here from its ``AppConfig.ready()``:

    todo.register(name="reflections", order=30, build=reflection_items)

``build`` gets a ``Person`` (the user, their active groups and the ones they facilitate, worked out once by
the home view) and returns ``TodoItem``s, in a fixed number of queries whatever the number of groups,
sessions or casussen (the query budget of ``home`` holds every provider to it). The home page shows the
items with ``headline`` set first (the next sessions), then the rest by ``when`` (soonest first), each
with the link where it is done.
"""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.utils import timezone

from .models import Group


@dataclass(frozen=True)
class Person:
    user: Any
    groups: dict[int, Group]  # the groups the user is an active member of (any role), by id
    facilitated: frozenset[int]  # ids of those the user facilitates
    now: datetime = field(default_factory=timezone.now)

    @property
    def group_ids(self) -> list[int]:
        return sorted(self.groups)


@dataclass(frozen=True)
class TodoItem:
    kind: str  # a stable name for tests and styling (``data-todo``): "next", "rsvp", "casus", …
    text: str  # what is waiting, in words (translated)
    url: str  # where it is done
    action: str  # the link's words ("Laat weten of je komt")
    group: Group | None = None
    when: datetime | None = None  # the date it is about (shown in words); the list's order
    details: Sequence[str] = ()  # short facts after the date, joined with " · "
    warn: bool = False  # needs attention soon (shown as a warning, not in calm grey)
    headline: bool = False  # one of the next sessions, shown above the to-do list


Provider = Callable[[Person], Iterable[TodoItem]]


@dataclass(frozen=True)
class _Registration:
    name: str
    order: int
    build: Provider


_providers: dict[str, _Registration] = {}


def register(*, name: str, order: int, build: Provider) -> None:
    """Add (or, registered again under the same name, replace) a provider of to-do items."""
    _providers[name] = _Registration(name=name, order=order, build=build)


def items_for(person: Person) -> tuple[list[TodoItem], list[TodoItem]]:
    """(the next sessions, the to-do items) for the home page, each in the order shown."""
    found: list[TodoItem] = []
    for registration in sorted(_providers.values(), key=lambda r: (r.order, r.name)):
        found.extend(registration.build(person))
    never = datetime.max.replace(tzinfo=UTC)
    ordered = sorted(found, key=lambda item: item.when or never)
    return [i for i in ordered if i.headline], [i for i in ordered if not i.headline]
