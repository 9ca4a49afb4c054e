"""The reflections sections of the session page and the "Reflectie schrijven" links on "Mijn
bijeenkomsten" (``sessions.panels``, registered in ``ReflectionsConfig.ready``). Who may write and when a
follow-up opens are asked of ``reflections.services``; what the group sees of the answers of
``reflections.selectors`` (the publication rule)."""

from collections.abc import Sequence
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from sessions.models import Session
from sessions.panels import PanelRequest, SessionLink, register, register_links

from . import selectors, services


def _may_write(session: Session, user: Any) -> bool:
    return services.reflection_write_refusals(sessions=[session], user=user)[session.pk] is None


def reflection_panel(request: PanelRequest) -> dict[str, Any] | None:
    """The reader's own reflection (or the way to write it), how many answered and whether the group's
    averages are published, and the presenter's follow-up with the date it opens."""
    session, user = request.session, request.user
    if session.status == Session.Status.CANCELLED:
        return None
    if session.status != Session.Status.HELD:
        return {"held": False}
    now = timezone.now()
    is_presenter = any(presenter.user_id == user.pk for presenter in session.presenters.all())
    followup_due_at = selectors.followup_due_at(session)
    return {
        "held": True,
        "own": selectors.own_reflection(session, user),
        "may_write": _may_write(session, user),
        "closes_at": selectors.reflection_closes_at(session),
        "publication": selectors.session_publications([session.pk], now=now)[session.pk],
        "is_presenter": is_presenter,
        "followup_due_at": followup_due_at,
        "followup_open": is_presenter and followup_due_at <= now,
        "followup": session.followups.filter(presenter=user).first() if is_presenter else None,
    }


def write_links(sessions: Sequence[Session], user: Any) -> dict[int, list[SessionLink]]:
    """ "Reflectie schrijven" next to each session the reader may write a reflection for now."""
    refusals = services.reflection_write_refusals(sessions=sessions, user=user)
    label = _("Reflectie schrijven")
    return {
        session_id: [
            SessionLink(
                name="reflection-write",
                label=label,
                url=reverse("reflections:write", kwargs={"session_id": session_id}),
                primary=True,
            )
        ]
        for session_id, refusal in refusals.items()
        if refusal is None
    }


def register_panels() -> None:
    register(
        name="reflections",
        stage="after",
        order=30,
        template="reflections/_panel_session.html",
        build=reflection_panel,
    )
    register_links(name="reflections", build=write_links)
