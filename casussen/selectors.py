"""Reads of casussen and the live guide, for views, tasks and the apps further up (reflections,
notifications, dashboards). None of these return casus text to anyone but the caller, who must have
checked ``Need.MEMBER`` on the group first."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connection
from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from groups.models import Membership
from groups.permissions import Access
from sessions.models import DoorvraagPrompt, MethodPhase, Session

from . import permissions
from .models import Advice, Casus, LiveRun, ParkedItem, Question


def visible_casussen(user, group) -> QuerySet[Casus]:
    """Casussen of a group the (member) user may read: everything submitted or later, plus own drafts."""
    return Casus.objects.filter(group=group).filter(~Q(status=Casus.Status.DRAFT) | Q(author=user))


def my_drafts(user, group) -> QuerySet[Casus]:
    return Casus.objects.filter(group=group, author=user, status=Casus.Status.DRAFT).order_by("-updated_at")


def group_bookable_sessions(group, *, limit: int = 6) -> list[Session]:
    return list(
        Session.objects.filter(group=group, status=Session.Status.PLANNED, starts_at__gt=timezone.now())
        .annotate(booked_count=Count("casussen", filter=Q(casussen__status=Casus.Status.BOOKED)))
        .order_by("starts_at")[:limit]
    )


def queue(group, user) -> dict:
    """The queue page: submitted casussen with their votes for the next session, booked ones per
    upcoming session, and the user's own drafts."""
    sessions = group_bookable_sessions(group)
    next_session = sessions[0] if sessions else None
    submitted = (
        Casus.objects.filter(group=group, status=Casus.Status.SUBMITTED)
        .select_related("author")
        .order_by("submitted_at", "pk")
    )
    if next_session is not None:
        # A vote counts until the casus is discussed, whichever session it was cast for.
        submitted = submitted.annotate(
            vote_count=Count("votes__voter", distinct=True),
            my_vote=Count("votes", filter=Q(votes__voter=user), distinct=True),
        )
    submitted = list(submitted)
    booked = list(
        Casus.objects.filter(group=group, status=Casus.Status.BOOKED, session__in=[s.pk for s in sessions])
        .select_related("author")
        .order_by("booked_at")
    )
    for session in sessions:
        session.booked = [casus for casus in booked if casus.session_id == session.pk]
        session.free_slots = max(session.presenter_slots - len(session.booked), 0)
    return {
        "sessions": sessions,
        "next_session": next_session,
        "submitted": submitted,
        "voting": next_session is not None and len(submitted) > next_session.free_slots,
        "drafts": list(my_drafts(user, group)),
    }


def history(group) -> QuerySet[Casus]:
    return (
        Casus.objects.filter(group=group, status__in=[Casus.Status.DISCUSSED, Casus.Status.PURGED])
        .select_related("author", "session")
        .order_by("-session__starts_at", "-pk")
    )


def casus_detail(casus: Casus, *, with_advice: bool) -> dict:
    """The runs and eye-opening questions of a casus, and the advice given when ``with_advice`` (the
    caller asked ``permissions.casus_abilities``: the author's only)."""
    runs = list(casus.runs.select_related("session").order_by("started_at"))
    advice = list(Advice.objects.filter(run__casus=casus).select_related("author")) if with_advice else []
    questions = list(Question.objects.filter(run__casus=casus, opened_eyes=True).select_related("author"))
    return {"runs": runs, "advice": advice, "eye_openers": questions}


def session_overview(session: Session) -> dict:
    booked = list(
        Casus.objects.filter(session=session, status__in=[Casus.Status.BOOKED, Casus.Status.DISCUSSED])
        .select_related("author")
        .order_by("booked_at")
    )
    runs = {run.casus_id: run for run in LiveRun.objects.filter(session=session)}
    for casus in booked:
        casus.run = runs.get(casus.pk)
    parked = list(ParkedItem.objects.filter(session=session).select_related("author"))
    return {"booked": booked, "parked": parked, "parked_count": len(parked)}


# --- the live guide ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PollState:
    group_id: int
    role: str | None
    token: str  # "<run id>.<version>", or "0" before the first run


def poll_state(session_id: int, user) -> PollState | None:
    """Everything the poll endpoint needs when nothing changed, in ONE small query: the session's group, the
    user's active role in it, and the latest run's id and version (the active run first).

    Hand-written SQL on purpose: this is the hottest endpoint while sessions run, and the ORM's compile
    time of the equivalent subqueries costs more than the query itself (see bench/bench_live_poll.py)."""
    sql = f"""
        SELECT s.group_id,
               (SELECT m.role FROM {Membership._meta.db_table} m
                 WHERE m.group_id = s.group_id AND m.user_id = %s AND m.status = %s LIMIT 1),
               (SELECT r.id || '.' || r.version FROM {LiveRun._meta.db_table} r
                 WHERE r.session_id = s.id
                 ORDER BY r.finished_at DESC NULLS FIRST, r.started_at DESC LIMIT 1)
          FROM {Session._meta.db_table} s
         WHERE s.id = %s
    """  # noqa: S608 - table names from model metadata, values as parameters (portable: PostgreSQL, SQLite)
    with connection.cursor() as cursor:
        cursor.execute(sql, [user.pk, Membership.Status.ACTIVE, session_id])
        row = cursor.fetchone()
    if row is None:
        return None
    group_id, role, token = row
    return PollState(group_id=group_id, role=role, token=token or "0")


def latest_run(session: Session) -> LiveRun | None:
    return (
        LiveRun.objects.filter(session=session)
        .select_related("method", "casus", "presenter")
        .order_by(F("finished_at").desc(nulls_first=True), "-started_at")
        .first()
    )


def live_state(session: Session, user, *, access: Access) -> dict:
    """What the live fragment shows: the phase, its rule and clock, prompts, the question log, and what
    this user may do there (``can``, from ``permissions.live_abilities``)."""
    run = latest_run(session)
    can = permissions.live_abilities(user, run, access)
    state = {"session": session, "run": run, "can": can, "token": "0"}
    if run is None:
        return state
    phases = list(MethodPhase.objects.filter(method_id=run.method_id).order_by("position"))
    phase = next((p for p in phases if p.position == run.phase_position), phases[0] if phases else None)
    index = phases.index(phase) if phase else 0
    ends_at = run.phase_started_at + timedelta(minutes=(phase.minutes if phase else 0) + run.extra_minutes)
    now = timezone.now()
    seconds = int((ends_at - now).total_seconds())
    remaining = f"{'+' if seconds < 0 else ''}{abs(seconds) // 60:02d}:{abs(seconds) % 60:02d}"
    state.update(
        token=f"{run.pk}.{run.version}",
        phase=phase,
        phase_number=index + 1,
        phase_count=len(phases),
        is_first=index == 0,
        is_last=index == len(phases) - 1,
        ends_at=ends_at,
        ends_at_ms=int(ends_at.timestamp() * 1000),
        now_ms=int(now.timestamp() * 1000),
        remaining=remaining,
        questions=list(run.questions.select_related("author")),
        prompts=list(DoorvraagPrompt.objects.filter(is_active=True)) if phase and phase.show_prompts else [],
        advice_count=run.advices.count(),
        my_advice=run.advices.filter(author=user).first() if phase and phase.kind == "advice" else None,
        # Written in advance by members who could not come (casussen/advance.py), read out in the round.
        advance_advice=list(run.advices.filter(written_in_advance=True).select_related("author"))
        if phase and phase.kind == "advice"
        else [],
    )
    return state


# --- for the apps further up ------------------------------------------------------------------


def question_log(session: Session) -> list[Question]:
    """The shared question log of a session (all its runs), oldest first, with authors. For the presenter's
    "question that opened my eyes" in reflections; callers check membership first."""
    return list(
        Question.objects.filter(run__session=session)
        .select_related("author", "run")
        .order_by("created_at", "pk")
    )


def sessions_with_casus_ready(session_ids, *, days_ahead: int = 3) -> set[int]:
    """Of these sessions, the ids that had a casus booked at least ``days_ahead`` days before they
    start (the casus pipeline signal). Only ids and dates are read: no casus text."""
    rows = Casus.objects.filter(session_id__in=list(session_ids), booked_at__isnull=False).values_list(
        "session_id", "booked_at", "session__starts_at"
    )
    return {sid for sid, booked_at, starts_at in rows if booked_at <= starts_at - timedelta(days=days_ahead)}


def parked_counts(session_ids) -> dict[int, int]:
    """Parkeerplaats items per session (werkoverleg drift), counting purged ones too."""
    rows = (
        ParkedItem.objects.filter(session_id__in=list(session_ids))
        .values("session_id")
        .annotate(n=Count("pk"))
        .values_list("session_id", "n")
    )
    return dict(rows)


def casus_pipeline(group) -> dict[str, int]:
    """Counts of the group's casussen per status (drafts included as a number only)."""
    rows = (
        Casus.objects.filter(group=group).values("status").annotate(n=Count("pk")).values_list("status", "n")
    )
    counts = dict.fromkeys(Casus.Status.values, 0)
    counts.update(dict(rows))
    return counts


def presenter_summaries(group, *, since: datetime | None = None) -> QuerySet[Casus]:
    """Discussed casussen with the presenter's summary, for the group (members only)."""
    qs = Casus.objects.filter(group=group, status=Casus.Status.DISCUSSED).select_related("author", "session")
    return qs.filter(discussed_at__gte=since) if since else qs
