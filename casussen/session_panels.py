"""The casussen sections of the session page (``sessions.panels``, registered in ``CasussenConfig.ready``):
the booked casus and the werkvorm before the session, the live guide during it, the presenter's summary
after it. What a reader may see of a casus is asked of ``casussen.permissions``."""

from collections.abc import Sequence
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from sessions import services as session_services
from sessions.models import MethodPhase, Session
from sessions.panels import PanelRequest, SessionLink, register, register_links

from . import advance, live, permissions, selectors
from .forms import advance_form
from .models import AdvanceContribution, Casus


def _overview(session: Session) -> dict[str, Any]:
    """``selectors.session_overview``, read once per page however many panels ask (kept on the session)."""
    cached: dict[str, Any] | None = session.__dict__.get("_casus_overview")
    if cached is None:
        cached = session.__dict__["_casus_overview"] = selectors.session_overview(session)
    return cached


def casus_panel(request: PanelRequest) -> dict[str, Any] | None:
    """The casussen booked on the session, each with what the reader may do with it (``can``)."""
    session, user, access = request.session, request.user, request.access
    booked = _overview(session)["booked"]
    rows = [(casus, permissions.casus_abilities(user, casus, access)) for casus in booked]
    return {
        "booked": rows,
        "may_book": access.is_member and session.status == Session.Status.PLANNED,
    }


def method_panel(request: PanelRequest) -> dict[str, Any] | None:
    session = request.session
    method = live.session_method(session)
    phases = list(MethodPhase.objects.filter(method=method).order_by("position")) if method else []
    return {
        "method": method,
        "phases": phases,
        "total_minutes": sum(phase.minutes for phase in phases),
        "may_choose": request.access.is_facilitator and session.status == Session.Status.PLANNED,
    }


def live_panel(request: PanelRequest) -> dict[str, Any] | None:
    """Start (a facilitator, from the session's day on), join (a run is going) or the result (finished)."""
    session, access = request.session, request.access
    if session.status == Session.Status.CANCELLED or session.format == Session.Format.WRITTEN:
        return None  # a written session's round is on its own page (casussen/written_panels.py)
    run = selectors.latest_run(session)
    can = permissions.live_abilities(request.user, run, access)
    overview = _overview(session)
    startable = [casus for casus in overview["booked"] if casus.status == Casus.Status.BOOKED]
    return {
        "run": run,
        "live_can": can,
        "startable": startable,
        "start_allowed": session_services.may_start_live(session),
        "start_opens_on": session_services.live_opens_on(session),
        "parked": overview["parked"],
    }


def advance_panel(request: PanelRequest) -> dict[str, Any] | None:
    """For a member who declined: each casus booked on the session (not their own) with its kernvraag and
    the form to write questions and advice in advance (casussen/advance.py); closed after the deadline."""
    session, user, access = request.session, request.user, request.access
    if session.status != Session.Status.PLANNED or not access.is_member:
        return None
    if not advance.has_declined(user, session):
        return None
    casussen = [
        casus
        for casus in _overview(session)["booked"]
        if permissions.may_write_in_advance(user, casus, access, declined=True)
    ]
    if not casussen:
        return None
    mine = advance.own_contributions(user, casussen)
    rows = [
        {"casus": c, "contribution": mine.get(c.pk), "form": advance_form(c, mine.get(c.pk))}
        for c in casussen
    ]
    return {"rows": rows, "last_day": advance.last_day(session), "is_open": advance.is_open(session)}


def summary_panel(request: PanelRequest) -> dict[str, Any] | None:
    """The presenters' summaries of the discussed casussen (what each took away, their actions)."""
    session, user, access = request.session, request.user, request.access
    discussed = [
        (casus, permissions.casus_abilities(user, casus, access))
        for casus in _overview(session)["booked"]
        if casus.status == Casus.Status.DISCUSSED
    ]
    if not discussed:
        return None
    # The presenter sees who wrote in advance and what (casussen/advance.py), beside their summary.
    own = [casus for casus, can in discussed if can.write_summary]
    written = advance.written_for(own)
    return {"discussed": [(casus, can, written.get(casus.pk, [])) for casus, can in discussed]}


def advance_links(sessions: Sequence[Session], user: Any) -> dict[int, list[SessionLink]]:
    """ "Schriftelijk bijgedragen" next to each session the reader could not come to but wrote in advance
    for (casussen/advance.py): their own overview counts it (one query); attendance never does."""
    written = set(
        AdvanceContribution.objects.filter(author=user, session_id__in=[s.pk for s in sessions])
        .exclude(session__status=Session.Status.CANCELLED)
        .values_list("session_id", flat=True)
    )
    label = _("Schriftelijk bijgedragen")
    return {
        session_id: [
            SessionLink(
                name="advance-written",
                label=label,
                url=reverse("sessions:detail", kwargs={"session_id": session_id}) + "#stage-after",
            )
        ]
        for session_id in sorted(written)
    }


def register_panels() -> None:
    register(name="casus", stage="before", order=10, template="casussen/_panel_casus.html", build=casus_panel)
    register(
        name="method", stage="before", order=20, template="casussen/_panel_method.html", build=method_panel
    )
    register(name="live", stage="during", order=10, template="casussen/_panel_live.html", build=live_panel)
    register(
        name="advance", stage="before", order=15, template="casussen/_panel_advance.html", build=advance_panel
    )
    register_links(name="casussen-advance", build=advance_links)
    register(
        name="summary", stage="after", order=20, template="casussen/_panel_summary.html", build=summary_panel
    )
