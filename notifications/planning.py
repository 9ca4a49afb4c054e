"""Creating, re-timing and cancelling outbox rows when sessions, RSVPs and presenters change.

Called from the signal receivers, i.e. inside the transaction of the change that causes them: when the
change rolls back, so do its messages. Times are computed in the group's local wall-clock time (a reminder
"1 day before" a 14:00 session goes out at 14:00 local the day before, across DST changes) and stored UTC.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from casussen.models import Casus
from groups.models import Invitation, Membership
from reflections.selectors import reflection_closes_at
from sessions.calendar import group_zone
from sessions.models import RSVP, Attendance, Presenter, Session

from . import conf, kinds
from .models import (
    CalendarPath,
    CancelReason,
    GroupNotificationSettings,
    Kind,
    NotificationPreference,
    Outbox,
    Status,
)

# The one reminder to attendees who have not reflected yet goes out this long before the window closes.
REFLECTION_REMINDER_BEFORE_CLOSE = timedelta(days=2)

# Which kinds an RSVP "decline" cancels for that member (restored when they change their mind, unless any
# answer cancels them), and the ones planned before each session (``kinds.REGISTRY``).
DECLINE_CANCELS = kinds.values(lambda entry: entry.decline_cancels)
SURVIVES_SESSION_CANCEL = kinds.values(lambda entry: entry.survives_session_cancel)
ANSWER_CANCELS = kinds.values(lambda entry: entry.answer_cancels)
BEFORE_SESSION = {entry.value: entry.before_session for entry in kinds.REGISTRY if entry.before_session}
BEFORE_SESSION_KINDS = frozenset(BEFORE_SESSION)
# Rows cancelled for a reason that can end (the session was restored, the member rejoined): wanted again,
# they come back. A row a newer plan replaced (``SUPERSEDED``: an invite to an older version of the
# session, a reminder nobody wants now) is never sent, revived or retried.
REVIVABLE = (CancelReason.SESSION_CANCELLED, CancelReason.LEFT)
INVITE_FIELDS = {"starts_at", "ends_at", "location", "online_link", "status"}


@dataclass(frozen=True)
class Planned:
    session_id: int
    kind: str
    user_id: int
    due_at: datetime
    subject_key: str


def session_key(session: Session) -> str:
    return f"session:{session.pk}"


def local_days_before(moment: datetime, days: int, zone: ZoneInfo) -> datetime:
    """The same local wall-clock time ``days`` calendar days earlier, in UTC."""
    local = moment.astimezone(zone)
    earlier = datetime.combine(local.date() - timedelta(days=days), local.timetz().replace(tzinfo=None))
    return earlier.replace(tzinfo=zone).astimezone(UTC)


def disabled_group_kinds(group_id: int) -> set[str]:
    row = GroupNotificationSettings.objects.filter(group_id=group_id).values_list("disabled_kinds").first()
    return set(row[0]) if row else set()


def group_settings(group_id: int) -> tuple[set[str], int]:
    """The group's switched-off kinds and its 'no casus yet' offset, in one query."""
    row = (
        GroupNotificationSettings.objects.filter(group_id=group_id)
        .values_list("disabled_kinds", "no_casus_days")
        .first()
    )
    if row is None:
        return set(), GroupNotificationSettings._meta.get_field("no_casus_days").default
    return set(row[0]), row[1]


def _upsert(
    sessions: list[Session], planned: Iterable[Planned], *, of_kinds: Iterable[str], now: datetime
) -> None:
    """Make the pending rows of ``of_kinds`` for these sessions match ``planned``: create missing rows,
    re-time pending ones, cancel pending ones no longer wanted or now in the past, and bring back the ones
    stopped by the session's cancellation or the member's leaving (``REVIVABLE``). Sent rows are never
    touched. A fixed number of queries, however many sessions and members."""
    group_of = {session.pk: session.group_id for session in sessions}
    wanted = {(p.kind, p.user_id, p.subject_key): p for p in planned}
    existing = {
        (row.kind, row.recipient_id, row.subject_key): row
        for row in Outbox.objects.filter(session__in=list(group_of), kind__in=list(of_kinds)).only(
            "id", "kind", "recipient_id", "subject_key", "status", "due_at", "cancel_reason"
        )
    }
    create, retime, revive, cancel = [], [], [], []
    for key, plan in wanted.items():
        row = existing.get(key)
        if row is None:
            if plan.due_at > now:
                create.append(
                    Outbox(
                        kind=plan.kind,
                        recipient_id=plan.user_id,
                        subject_key=plan.subject_key,
                        group_id=group_of[plan.session_id],
                        session_id=plan.session_id,
                        due_at=plan.due_at,
                    )
                )
        elif row.status == Status.PENDING and row.due_at != plan.due_at:
            if plan.due_at > now:
                row.due_at = plan.due_at
                retime.append(row)
            else:
                cancel.append(row.pk)
        elif row.status == Status.CANCELLED and row.cancel_reason in REVIVABLE:
            if plan.due_at <= now:
                continue
            row.status, row.due_at, row.cancel_reason = Status.PENDING, plan.due_at, ""
            revive.append(row)
    for found, row in existing.items():
        if found not in wanted and row.status == Status.PENDING:
            cancel.append(row.pk)
    if create:
        Outbox.objects.bulk_create(create, ignore_conflicts=True)
    if retime:
        Outbox.objects.bulk_update(retime, ["due_at"])
    if revive:
        Outbox.objects.bulk_update(revive, ["status", "due_at", "cancel_reason"])
    if cancel:
        Outbox.objects.filter(pk__in=cancel, status=Status.PENDING).update(
            status=Status.CANCELLED, cancel_reason=CancelReason.SUPERSEDED
        )


def _memberships(group_id: int) -> list[tuple[int, str]]:
    return list(
        Membership.objects.filter(group_id=group_id, status=Membership.Status.ACTIVE).values_list(
            "user_id", "role"
        )
    )


def _plan_before(
    sessions: list[Session], *, off: set[str], no_casus: int, now: datetime
) -> list[tuple[int, str]]:
    """(Re)plan the rows before these upcoming planned sessions of one group, all in one go: the reminders,
    nudge and "no casus yet" to every active member, the quorum warning to the facilitators (and each
    session's own facilitator), the casus preparation to the presenters. Reminders stay cancelled for members
    who declined. A fixed number of queries, however many sessions. Returns the active members (id, role)."""
    group = sessions[0].group
    zone = group_zone(group)
    members = _memberships(group.pk)
    everyone = [uid for uid, _ in members]
    facilitators = {uid for uid, role in members if role == Membership.Role.FACILITATOR}
    presenters: dict[int, list[int]] = defaultdict(list)
    for session_id, user_id in Presenter.objects.filter(session__in=sessions).values_list(
        "session_id", "user_id"
    ):
        presenters[session_id].append(user_id)
    offsets = {"no_casus_days": no_casus}
    before = {
        kind: (offsets[plan.days] if plan.days in offsets else getattr(group, plan.days), plan.to)
        for kind, plan in BEFORE_SESSION.items()
        if kind not in off
    }
    planned = []
    for session in sessions:
        recipients = {
            kinds.MEMBERS: everyone,
            kinds.FACILITATORS: sorted(
                facilitators | ({session.facilitator_id} if session.facilitator_id else set())
            ),
            kinds.PRESENTERS: presenters[session.pk],
        }
        key = session_key(session)
        planned += [
            Planned(session.pk, kind, uid, local_days_before(session.starts_at, days, zone), key)
            for kind, (days, to) in before.items()
            for uid in recipients[to]
        ]
    _upsert(sessions, planned, of_kinds=BEFORE_SESSION_KINDS, now=now)
    declined = RSVP.objects.filter(
        session_id=OuterRef("session_id"), user_id=OuterRef("recipient_id"), answer=RSVP.Answer.DECLINE
    )
    Outbox.objects.filter(
        Exists(declined), session__in=sessions, kind__in=DECLINE_CANCELS, status=Status.PENDING
    ).update(status=Status.CANCELLED, cancel_reason=CancelReason.DECLINED)
    return members


def invite_key(session: Session) -> str:
    """The subject of the invite to the session as it is now (a new ``sequence`` is a new invite)."""
    return f"{session_key(session)}:invite:{session.sequence}"


def feed_followers(user_ids: Iterable[int]) -> set[int]:
    """Of these members, the ones whose calendar follows the subscription feed. One query."""
    return set(
        NotificationPreference.objects.filter(
            user_id__in=list(user_ids), calendar_path=CalendarPath.FEED
        ).values_list("user_id", flat=True)
    )


def _announced_to(members: list[tuple[int, str]], schedule_change: str | None, group_id: int) -> list[int]:
    """Who gets a session's own invite or cancellation: every active member, but for a session changed by a
    confirmed schedule change nobody who gets that change's one message (``plan_schedule_changed``): it
    carries the calendar file of every session it lists to members on the invite path, and the feed
    updates the others' calendars. Only a member on the invite path who will not get that message (the
    group or the member switched it off) gets the session's own, so their calendar still follows. One
    query (two when the group switched the message off)."""
    everyone = [uid for uid, _ in members]
    if schedule_change is None:
        return everyone
    if Kind.SCHEDULE_CHANGED in disabled_group_kinds(group_id):
        following = feed_followers(everyone)
        return [uid for uid in everyone if uid not in following]
    choices = NotificationPreference.objects.filter(user_id__in=everyone).values_list(
        "user_id", "calendar_path", "disabled_kinds"
    )
    return [
        uid
        for uid, path, off in choices
        if path != CalendarPath.FEED and Kind.SCHEDULE_CHANGED in (off or [])
    ]


def session_plan(
    *, session: Session, created: bool, changed: Iterable[str] = (), schedule_change: str | None = None
) -> list[int]:
    """(Re)plan everything before a planned session. Returns ids of rows due now (the invites).
    ``schedule_change``: the session changed with a confirmed schedule change (see ``_announced_to``)."""
    now = timezone.now()
    if session.status != Session.Status.PLANNED or session.starts_at <= now:
        return []
    group = session.group
    off, no_casus = group_settings(group.pk)
    members = _plan_before([session], off=off, no_casus=no_casus, now=now)

    if Kind.INVITE in off or not (created or INVITE_FIELDS & set(changed)):
        return []
    current = invite_key(session)
    Outbox.objects.filter(session=session, kind=Kind.INVITE, status=Status.PENDING).exclude(
        subject_key=current
    ).update(status=Status.CANCELLED, cancel_reason=CancelReason.SUPERSEDED)
    rows = [
        Outbox(
            kind=Kind.INVITE,
            recipient_id=uid,
            subject_key=current,
            group_id=group.pk,
            session=session,
            due_at=now,
        )
        for uid in _announced_to(members, schedule_change, group.pk)
    ]
    Outbox.objects.bulk_create(rows, ignore_conflicts=True)
    return list(
        Outbox.objects.filter(
            session=session, kind=Kind.INVITE, subject_key=current, status=Status.PENDING
        ).values_list("id", flat=True)
    )


def plan_session_cancelled(*, session: Session, schedule_change: str | None = None) -> list[int]:
    """Cancel the session's pending messages and queue the cancellation (with METHOD:CANCEL); for a
    session a confirmed schedule change cancelled, only to whom that change's one message does not reach
    (``_announced_to``)."""
    now = timezone.now()
    Outbox.objects.filter(session=session, status__in=[Status.PENDING, Status.HELD]).exclude(
        kind__in=SURVIVES_SESSION_CANCEL
    ).update(status=Status.CANCELLED, cancel_reason=CancelReason.SESSION_CANCELLED)
    if session.ends_at <= now or Kind.CANCELLATION in disabled_group_kinds(session.group_id):
        return []
    key = f"{session_key(session)}:cancel"
    Outbox.objects.bulk_create(
        [
            Outbox(
                kind=Kind.CANCELLATION,
                recipient_id=uid,
                subject_key=key,
                group_id=session.group_id,
                session=session,
                due_at=now,
            )
            for uid in _announced_to(_memberships(session.group_id), schedule_change, session.group_id)
        ],
        ignore_conflicts=True,
    )
    return list(
        Outbox.objects.filter(session=session, kind=Kind.CANCELLATION, status=Status.PENDING).values_list(
            "id", flat=True
        )
    )


def schedule_change_key(schedule_id: int, change_id: str) -> str:
    return f"schedule:{schedule_id}:{change_id}"


def plan_schedule_changed(
    *,
    group_id: int,
    schedule_id: int,
    change_id: str,
    created: Iterable[int] = (),
    moved: Iterable[int] = (),
    cancelled: Iterable[int] = (),
    restored: Iterable[int] = (),
    moved_from: dict[int, datetime] | None = None,
    held: dict[int, dict[str, list[int]]] | None = None,
) -> list[int]:
    """One "rooster gewijzigd" message per active member for one confirmed schedule change, listing its
    sessions in time order (``Outbox.details["changes"]``: what happened, the start, a moved session's
    former start, and for a cancelled one whether this member had booked a casus or said they would come).
    The unique key (recipient, kind, ``schedule:<schedule>:<change>``) makes a repeated signal or a retried
    task add nothing. Returns the ids of the rows due now."""
    if Kind.SCHEDULE_CHANGED in disabled_group_kinds(group_id):
        return []
    moved_from, held = moved_from or {}, held or {}
    what = {
        **{pk: "created" for pk in created},
        **{pk: "moved" for pk in moved},
        **{pk: "cancelled" for pk in cancelled},
        **{pk: "restored" for pk in restored},
    }
    starts = dict(Session.objects.filter(pk__in=list(what), group_id=group_id).values_list("pk", "starts_at"))
    order = sorted(starts, key=lambda pk: (starts[pk], pk))
    members = [uid for uid, _ in _memberships(group_id)]
    now = timezone.now()
    key = schedule_change_key(schedule_id, change_id)

    def changes_for(uid: int) -> list[dict[str, object]]:
        result = []
        for pk in order:
            had = held.get(pk, {})
            result.append(
                {
                    "change": what[pk],
                    "session": pk,
                    "at": starts[pk].isoformat(),
                    "from": moved_from[pk].isoformat() if pk in moved_from else "",
                    "casus": uid in had.get("casus", ()),
                    "rsvp": uid in had.get("rsvp", ()),
                }
            )
        return result

    Outbox.objects.bulk_create(
        [
            Outbox(
                kind=Kind.SCHEDULE_CHANGED,
                recipient_id=uid,
                subject_key=key,
                group_id=group_id,
                due_at=now,
                details={"changes": changes_for(uid)},
            )
            for uid in members
        ],
        ignore_conflicts=True,
    )
    return list(
        Outbox.objects.filter(
            kind=Kind.SCHEDULE_CHANGED, subject_key=key, group_id=group_id, status=Status.PENDING
        ).values_list("id", flat=True)
    )


def plan_casus_requeued(*, casus: Casus, session: Session) -> list[int]:
    """Tell the author that the cancelled ``session`` gave their booked casus back to the queue: one
    message per casus and session (the unique key makes a repeated signal a no-op)."""
    if Kind.CASUS_REQUEUED in disabled_group_kinds(session.group_id):
        return []
    row, _created = Outbox.objects.get_or_create(
        recipient_id=casus.author_id,
        kind=Kind.CASUS_REQUEUED,
        subject_key=f"casus:{casus.pk}:requeued:{session.pk}",
        defaults={"group_id": session.group_id, "session": session, "due_at": timezone.now()},
    )
    return [row.pk] if row.status == Status.PENDING else []


def plan_advance_summary(*, casus: Casus, user_ids: Iterable[int]) -> list[int]:
    """Tell each member who wrote in advance for ``casus`` that its presenter shared their summary: one
    message per member and casus (``casus:<id>:advance_summary``; the unique key makes a repeated share a
    no-op). The e-mail carries no casus text; it links to the session page."""
    session, user_ids = casus.session, list(user_ids)
    if session is None or Kind.ADVANCE_SUMMARY in disabled_group_kinds(casus.group_id):
        return []
    key = f"casus:{casus.pk}:advance_summary"
    now = timezone.now()
    Outbox.objects.bulk_create(
        [
            Outbox(
                kind=Kind.ADVANCE_SUMMARY,
                recipient_id=user_id,
                subject_key=key,
                group_id=casus.group_id,
                session=session,
                due_at=now,
            )
            for user_id in user_ids
        ],
        ignore_conflicts=True,
    )
    return list(
        Outbox.objects.filter(
            kind=Kind.ADVANCE_SUMMARY, subject_key=key, recipient_id__in=user_ids, status=Status.PENDING
        ).values_list("id", flat=True)
    )


def rsvp_update(*, rsvp: RSVP) -> None:
    """A decline cancels that member's reminders and nudge; any answer cancels the nudge; changing a
    decline back restores the reminders that are still in the future."""
    mine = Outbox.objects.filter(session_id=rsvp.session_id, recipient_id=rsvp.user_id)
    if rsvp.answer == RSVP.Answer.DECLINE:
        mine.filter(kind__in=DECLINE_CANCELS, status=Status.PENDING).update(
            status=Status.CANCELLED, cancel_reason=CancelReason.DECLINED
        )
        return
    mine.filter(kind__in=ANSWER_CANCELS, status=Status.PENDING).update(
        status=Status.CANCELLED, cancel_reason=CancelReason.ANSWERED
    )
    mine.filter(
        kind__in=DECLINE_CANCELS - ANSWER_CANCELS,
        status=Status.CANCELLED,
        cancel_reason=CancelReason.DECLINED,
        due_at__gt=timezone.now(),
    ).update(status=Status.PENDING, cancel_reason="")


def presenter_update(*, presenter: Presenter, claimed: bool) -> None:
    session = presenter.session
    if claimed:
        session_plan(session=session, created=False)
    else:
        Outbox.objects.filter(
            session=session, recipient_id=presenter.user_id, kind=Kind.CASUS_PREP, status=Status.PENDING
        ).update(status=Status.CANCELLED, cancel_reason=CancelReason.PRESENTER_RELEASED)


def session_held(*, session: Session) -> None:
    """After the session: cancel what did not go out before it, ask attendees for a reflection and the
    presenters for a follow-up later."""
    Outbox.objects.filter(
        session=session, kind__in=BEFORE_SESSION_KINDS, status__in=[Status.PENDING, Status.HELD]
    ).update(status=Status.CANCELLED, cancel_reason=CancelReason.SESSION_HELD)
    group = session.group
    off = disabled_group_kinds(group.pk)
    ended = session.actual_ended_at or session.ends_at
    now = timezone.now()
    key = session_key(session)
    rows = []
    attendees = list(
        Attendance.objects.filter(
            Q(status=Attendance.Status.PRESENT) | Q(status=Attendance.Status.LATE), session=session
        ).values_list("user_id", flat=True)
    )
    if Kind.REFLECTION_REQUEST not in off:
        due = max(ended + timedelta(hours=group.reflection_request_hours), now)
        rows += [Outbox(kind=Kind.REFLECTION_REQUEST, recipient_id=uid, due_at=due) for uid in attendees]
    if Kind.REFLECTION_REMINDER not in off:
        due = max(reflection_closes_at(session) - REFLECTION_REMINDER_BEFORE_CLOSE, now)
        rows += [Outbox(kind=Kind.REFLECTION_REMINDER, recipient_id=uid, due_at=due) for uid in attendees]
    if Kind.FOLLOWUP not in off:
        due = max(ended + timedelta(weeks=group.followup_weeks), now)
        presenters = Presenter.objects.filter(session=session).values_list("user_id", flat=True)
        rows += [Outbox(kind=Kind.FOLLOWUP, recipient_id=uid, due_at=due) for uid in presenters]
    for row in rows:
        row.subject_key, row.group_id, row.session = key, group.pk, session
    Outbox.objects.bulk_create(rows, ignore_conflicts=True)


def member_join(*, group_id: int, user_id: int) -> list[int]:
    """A member joined (or rejoined) the group, or their role changed: plan their messages for its upcoming
    planned sessions, as the members who were there when the sessions were planned have them: the invite
    (with .ics) and the reminders, nudge and the rest before the session. Rows cancelled when they left come
    back (``_upsert`` for the rows before the session; here the invite, only for the session's current
    version: an invite to a version changed meanwhile is superseded). One set of queries for all sessions,
    however many there are. Returns the ids of the rows due now (the invites)."""
    now = timezone.now()
    sessions = list(
        Session.objects.filter(group_id=group_id, status=Session.Status.PLANNED, starts_at__gt=now)
        .select_related("group")
        .order_by("starts_at")
    )
    if not sessions:
        return []
    off, no_casus = group_settings(group_id)
    _plan_before(sessions, off=off, no_casus=no_casus, now=now)
    current = [invite_key(session) for session in sessions]
    mine = Outbox.objects.filter(recipient_id=user_id, session__in=sessions, kind=Kind.INVITE)
    left = mine.filter(status=Status.CANCELLED, cancel_reason=CancelReason.LEFT)
    left.exclude(subject_key__in=current).update(cancel_reason=CancelReason.SUPERSEDED)
    if Kind.INVITE in off:
        return []
    left.filter(subject_key__in=current).update(status=Status.PENDING, cancel_reason="", due_at=now)
    Outbox.objects.bulk_create(
        [
            Outbox(
                kind=Kind.INVITE,
                recipient_id=user_id,
                subject_key=key,
                group_id=group_id,
                session=session,
                due_at=now,
            )
            for session, key in zip(sessions, current, strict=True)
        ],
        ignore_conflicts=True,  # already invited to this version of the session (before they left)
    )
    return list(
        mine.filter(status=Status.PENDING, subject_key__in=current, due_at__lte=now).values_list(
            "id", flat=True
        )
    )


def retry_refused(ids: Iterable[int], *, now: datetime | None = None) -> set[int]:
    """Of these outbox rows, the ones a retry must not bring back because they are no longer the current
    truth: replaced by a newer plan (``SUPERSEDED``), an invite to an older version of its session (its
    ``sequence`` moved on), an invite or a message before the session once the session was cancelled, held or
    began, and a cancellation of a session that was restored. One query."""
    now = now or timezone.now()
    rows = Outbox.objects.filter(pk__in=list(ids)).select_related("session")
    refused = set()
    for row in rows.only("id", "kind", "subject_key", "cancel_reason", "session"):
        session = row.session
        upcoming = (
            session is not None and session.status == Session.Status.PLANNED and session.starts_at > now
        )
        if (
            row.cancel_reason == CancelReason.SUPERSEDED
            or (row.kind == Kind.INVITE and session is not None and row.subject_key != invite_key(session))
            or (row.kind in (Kind.INVITE, *BEFORE_SESSION_KINDS) and session is not None and not upcoming)
            or (
                row.kind == Kind.CANCELLATION
                and session is not None
                and session.status != Session.Status.CANCELLED
            )
        ):
            refused.add(row.pk)
    return refused


def member_leave(*, group_id: int, user_id: int) -> int:
    """A member left the group: their messages about it that did not go out yet are cancelled (kept, marked,
    so a rejoin can bring them back). Returns how many."""
    return Outbox.objects.filter(
        recipient_id=user_id, group_id=group_id, status__in=[Status.PENDING, Status.HELD]
    ).update(status=Status.CANCELLED, cancel_reason=CancelReason.LEFT)


def password_reset_queue(*, user_id: int) -> list[int]:
    """Someone asked for a password reset link for this account: one row per account and interval (a second
    request in the same interval adds nothing). The row holds no secret: the link is made when it is sent.
    Returns the ids of the rows due now."""
    now = timezone.now()
    interval = int(conf.password_reset_interval().total_seconds())
    key = f"password_reset:{int(now.timestamp()) // interval}"
    Outbox.objects.bulk_create(
        [Outbox(kind=Kind.PASSWORD_RESET, recipient_id=user_id, subject_key=key, due_at=now)],
        ignore_conflicts=True,
    )
    return list(
        Outbox.objects.filter(
            recipient_id=user_id, kind=Kind.PASSWORD_RESET, subject_key=key, status=Status.PENDING
        ).values_list("id", flat=True)
    )


def invitation_queue(*, invitation: Invitation) -> list[int]:
    """An invitation's e-mail is to go out: one row per send (``sent_at``: creation, each resend), to the
    invited address; the same send announced twice adds nothing. The row holds no link: the sweep makes
    it when it sends (``emails._invitation_message``). Returns the ids of the rows due now."""
    key = f"invitation:{invitation.pk}:{invitation.sent_at:%Y%m%dT%H%M%S.%f}"
    Outbox.objects.bulk_create(
        [
            Outbox(
                kind=Kind.INVITATION,
                address=invitation.email,
                invitation=invitation,
                group_id=invitation.group_id,
                subject_key=key,
                due_at=timezone.now(),
            )
        ],
        ignore_conflicts=True,
    )
    return list(
        Outbox.objects.filter(
            kind=Kind.INVITATION, recipient__isnull=True, subject_key=key, status=Status.PENDING
        ).values_list("id", flat=True)
    )
