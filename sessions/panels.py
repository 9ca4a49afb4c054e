"""The session page's sections that belong to higher apps (the booked casus, the live guide, reflections).

``sessions`` may not import ``casussen`` or ``reflections``; they register here instead, from their
``AppConfig.ready()``:

* ``register(name=..., stage=..., order=..., build=...)``: a section of the session page. ``build`` gets a
  ``PanelRequest`` (the session, the reader and their access) and returns a ``Panel`` (a template name and
  its context, worked out by the higher app's own selectors) or None to show nothing.
* ``register_links(name=..., build=...)``: links next to each session in a list ("Mijn bijeenkomsten").
  ``build`` gets the sessions and the reader and returns ``{session_id: [SessionLink, ...]}``, in a fixed
  number of queries whatever the number of sessions.

The page renders the panels of each stage ("before", "during", "after") in ``order``, with
``{% render_panel panel %}`` (``sessions/templatetags/session_panels.py``).
"""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from groups.permissions import Access

from .models import Session

Stage = Literal["before", "during", "after"]
STAGES: tuple[Stage, ...] = ("before", "during", "after")


@dataclass(frozen=True)
class PanelRequest:
    session: Session
    user: Any
    access: Access


@dataclass(frozen=True)
class Panel:
    name: str
    template: str
    context: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SessionLink:
    name: str  # a stable name for tests and styling (``data-link``)
    label: str
    url: str
    primary: bool = False


PanelBuilder = Callable[[PanelRequest], dict[str, Any] | None]
LinkBuilder = Callable[[Sequence[Session], Any], dict[int, list[SessionLink]]]


@dataclass(frozen=True)
class _Registration:
    name: str
    stage: Stage
    order: int
    template: str
    build: PanelBuilder


_panels: dict[str, _Registration] = {}
_links: dict[str, LinkBuilder] = {}


def register(*, name: str, stage: Stage, order: int, template: str, build: PanelBuilder) -> None:
    """Add (or, registered again under the same name, replace) a section of the session page."""
    if stage not in STAGES:
        raise ValueError(f"unknown stage {stage!r}")
    _panels[name] = _Registration(name=name, stage=stage, order=order, template=template, build=build)


def register_links(*, name: str, build: LinkBuilder) -> None:
    _links[name] = build


def panels_for(session: Session, user: Any, access: Access) -> dict[Stage, list[Panel]]:
    """The sections to show, per stage, in their order; a builder that returns None shows nothing."""
    request = PanelRequest(session=session, user=user, access=access)
    result: dict[Stage, list[Panel]] = {stage: [] for stage in STAGES}
    for registration in sorted(_panels.values(), key=lambda r: (STAGES.index(r.stage), r.order, r.name)):
        context = registration.build(request)
        if context is not None:
            result[registration.stage].append(
                Panel(name=registration.name, template=registration.template, context=context)
            )
    return result


def links_for(sessions: Iterable[Session], user: Any) -> dict[int, list[SessionLink]]:
    sessions = list(sessions)
    result: dict[int, list[SessionLink]] = {session.pk: [] for session in sessions}
    if not sessions:
        return result
    for name in sorted(_links):
        for session_id, links in _links[name](sessions, user).items():
            result.setdefault(session_id, []).extend(links)
    return result
