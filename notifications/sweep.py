"""The outbox sweep: claim due rows, send them, record the result.

A sender claims a batch in a short transaction (``SELECT … FOR UPDATE SKIP LOCKED``, then status
``sending`` with a claim token), commits, and sends the batch in id order, recording each hand-over in the
``Handover`` journal right after the mail server accepted it; that record is committed before the next
message is handed over (its commit overlaps building the next message, see ``_Marks``). At the end of the
batch one transaction marks the journaled rows ``sent`` (``settle``). Everything else is a query per batch.
Two senders, a retried task or a second beat therefore never send a row twice: a row is claimed by exactly
one transaction.

The one edge, a worker killed while sending: its claim stays ``sending``. After ``sending_timeout`` (longer
than the task's hard time limit, so the sender is certainly dead) ``recover_stale`` looks at each dead claim:
its journaled rows were sent and are settled; its lowest-id row still ``sending`` without a hand-over is the
one that was in flight, which may or may not have reached the mail server. We choose **at-most-once** for
that one message: it is marked ``failed`` with ``INTERRUPTED`` (visible to superusers in Django admin and
``manage.py outbox_status``), never sent again automatically; ``outbox_retry(interrupted=True)`` (its own
admin action) sends it again when a person decides to. The claim's other rows were not attempted yet and go
back to ``pending``.
So a kill costs at most one message per killed sender process, marked; nothing is sent twice.

A row is about one group: its session's (and its alert's) group is the row's group, which the database
enforces on PostgreSQL (migration 0006) and ``Outbox.clean`` elsewhere. The sweep does not rely on either:
a row whose group differs from its session's or alert's is cancelled, never sent, and every check (the
group's opt-ins, the recipient's membership, the casus-title setting) reads the session's group.
"""

import logging
import smtplib
import uuid
from collections import defaultdict
from contextlib import ExitStack
from datetime import timedelta
from time import monotonic
from typing import NamedTuple

from django.conf import settings
from django.core.mail import mailers
from django.db import DatabaseError, transaction
from django.db import connection as db_connection
from django.db.models import Count, Exists, F, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from casussen.models import Casus
from groups.models import Membership
from reflections.models import Reflection, ReflectionClosure
from reflections.selectors import reflection_closes_at
from sessions.models import RSVP, Presenter, Session

from . import conf
from .emails import Shared, build_message
from .models import (
    DIGESTIBLE_KINDS,
    CalendarPath,
    GroupNotificationSettings,
    Handover,
    Kind,
    NotificationPreference,
    Outbox,
    Status,
)
from .planning import BEFORE_SESSION_KINDS

logger = logging.getLogger(__name__)

INTERRUPTED = (
    "interrupted: the worker stopped while this message was being sent; it may or may not have gone out, "
    "so it is not retried automatically (at-most-once)"
)
TRANSIENT_ERRORS = (smtplib.SMTPException, OSError)
CONNECTION_ERRORS = (smtplib.SMTPServerDisconnected, ConnectionError)
PERSONAL_KINDS = (Kind.DIGEST, Kind.ADMIN_DIGEST)
CASUS_TITLE_KINDS = (Kind.INVITE, Kind.REMINDER_FIRST, Kind.REMINDER_SECOND, Kind.RSVP_NUDGE)


class Recovery(NamedTuple):
    sent: int  # handed over before the sender died: now marked sent
    interrupted: int  # in flight when it died: failed, INTERRUPTED
    released: int  # not attempted: pending again


@transaction.atomic
def outbox_retry(*, ids: list[int], interrupted: bool = False, now=None) -> int:
    """Put failed and cancelled rows back in the queue (the sweep checks again whether each is still wanted).
    Never a row the mail server accepted (sent, or with a hand-over), and an ``INTERRUPTED`` row (which may
    have gone out) only when asked for with ``interrupted``. Returns how many rows are pending again."""
    rows = Outbox.objects.filter(
        pk__in=ids, status__in=[Status.FAILED, Status.CANCELLED], sent_at__isnull=True
    ).exclude(pk__in=Handover.objects.values("outbox_id"))
    rows = rows.filter(last_error=INTERRUPTED) if interrupted else rows.exclude(last_error=INTERRUPTED)
    return rows.update(
        status=Status.PENDING,
        due_at=now or timezone.now(),
        attempts=0,
        claim_token=None,
        claimed_at=None,
        last_error="",
    )


def recover_stale(*, now=None) -> Recovery:
    """Dead claims: rows with a hand-over become sent, the in-flight row of each claim becomes failed
    (INTERRUPTED), the rest pending again."""
    now = now or timezone.now()
    cutoff = now - conf.sending_timeout()
    with transaction.atomic():
        rows = list(
            Outbox.objects.select_for_update(skip_locked=True)
            .filter(status=Status.SENDING, claimed_at__lt=cutoff)
            .order_by("id")
            .values_list("id", "claim_token")
        )
        sent = set(settle([pk for pk, _ in rows]))
        rows = [(pk, token) for pk, token in rows if pk not in sent]
        # Hand-overs whose row is gone or was settled otherwise (a row deleted mid-batch).
        Handover.objects.filter(sent_at__lt=cutoff).exclude(
            outbox_id__in=Outbox.objects.filter(status=Status.SENDING).values("pk")
        ).delete()
        in_flight: dict = {}
        for pk, token in rows:
            in_flight.setdefault(token, pk)
        released = [pk for pk, _ in rows if pk not in set(in_flight.values())]
        if in_flight:
            Outbox.objects.filter(pk__in=in_flight.values()).update(
                status=Status.FAILED, last_error=INTERRUPTED, claim_token=None
            )
            logger.warning("outbox: %d message(s) interrupted by a dead worker", len(in_flight))
        if released:
            Outbox.objects.filter(pk__in=released).update(
                status=Status.PENDING, claim_token=None, claimed_at=None, attempts=F("attempts") - 1
            )
    return Recovery(len(sent), len(in_flight), len(released))


def claim(*, limit: int, ids: list[int] | None = None, now=None) -> tuple[uuid.UUID, list[int]]:
    """Claim up to ``limit`` due rows (oldest first) that no other transaction holds."""
    now = now or timezone.now()
    token = uuid.uuid4()
    with transaction.atomic():
        due = Outbox.objects.select_for_update(skip_locked=True).filter(
            status=Status.PENDING, due_at__lte=now
        )
        if ids is not None:
            due = due.filter(pk__in=ids)
        pks = list(due.order_by("due_at", "id").values_list("id", flat=True)[:limit])
        if pks:
            Outbox.objects.filter(pk__in=pks).update(
                status=Status.SENDING, claimed_at=now, claim_token=token, attempts=F("attempts") + 1
            )
    return token, sorted(pks)


def _claimed_rows(token, pks):
    session_ref, user_ref = OuterRef("session_id"), OuterRef("recipient_id")
    rsvps = RSVP.objects.filter(session=session_ref, user=user_ref)
    booked = Casus.objects.filter(
        session=session_ref, status__in=[Casus.Status.BOOKED, Casus.Status.DISCUSSED]
    )
    attending = (
        RSVP.objects.filter(session=session_ref, answer=RSVP.Answer.ATTEND)
        .order_by()
        .values("session")
        .annotate(n=Count("id"))
        .values("n")
    )
    return (
        Outbox.objects.filter(pk__in=pks, claim_token=token, status=Status.SENDING)
        .select_related("recipient", "group", "session", "session__group", "alert", "alert__user")
        .alias(tenant_id=Coalesce("session__group_id", "alert__group_id", "group_id"))
        .annotate(
            answered=Exists(rsvps),
            # The invite's PARTSTAT and LAST-MODIFIED, and its calendar path (emails.build_message).
            rsvp_answer=Subquery(rsvps.values("answer")[:1]),
            rsvp_answered_at=Subquery(rsvps.values("answered_at")[:1]),
            calendar_feed=Exists(
                NotificationPreference.objects.filter(user=user_ref, calendar_path=CalendarPath.FEED)
            ),
            declined=Exists(rsvps.filter(answer=RSVP.Answer.DECLINE)),
            is_presenter=Exists(Presenter.objects.filter(session=session_ref, user=user_ref)),
            own_casus_booked=Exists(booked.filter(author=user_ref)),
            reflected=Exists(Reflection.objects.filter(session=session_ref, author=user_ref)),
            reflection_round_closed=Exists(ReflectionClosure.objects.filter(session=session_ref)),
            casus_booked=Exists(booked),
            attending=Coalesce(Subquery(attending, output_field=IntegerField()), Value(0)),
            is_member=Exists(
                Membership.objects.filter(
                    group=OuterRef("tenant_id"), user=user_ref, status=Membership.Status.ACTIVE
                )
            ),
        )
        .order_by("id")
    )


def _tenant_mismatch(row: Outbox) -> bool:
    """The row names a session or alert of another group than its own (a forged or corrupt row)."""
    return (row.session_id is not None and row.session.group_id != row.group_id) or (
        row.alert_id is not None and row.alert.group_id != row.group_id
    )


def _skip_reason(row: Outbox, *, now, group_off: set, user_off: set) -> str | None:
    """Why this row must not go out any more (conditions are checked at send time), or None."""
    kind, session = row.kind, row.session
    if _tenant_mismatch(row):
        return "group does not match the session or alert"
    if not row.recipient.is_active:
        return "recipient inactive"
    if kind == Kind.PASSWORD_RESET:  # asked for by the recipient: no opt-out, no membership
        return _password_reset_skip(row, now=now)
    if kind in group_off:
        return "switched off for the group"
    if kind in user_off:
        return "switched off by the recipient"
    if kind in PERSONAL_KINDS:
        return None
    if not row.is_member:
        return "recipient is no member"
    if session is None:
        return None
    if session.status == Session.Status.CANCELLED and kind != Kind.CANCELLATION:
        return "session cancelled"
    if kind in BEFORE_SESSION_KINDS and (session.starts_at <= now or session.status != "planned"):
        return "too late"
    match kind:
        case Kind.REMINDER_FIRST | Kind.REMINDER_SECOND:
            gone = row.declined
        case Kind.RSVP_NUDGE:
            gone = row.answered
        case Kind.CASUS_PREP:
            gone = not row.is_presenter or row.own_casus_booked
        case Kind.NO_CASUS:
            gone = row.casus_booked
        case Kind.QUORUM_RISK:
            gone = row.attending >= session.quorum
        case Kind.REFLECTION_REMINDER:
            gone = row.reflected or row.reflection_round_closed or reflection_closes_at(session) <= now
        case _:
            gone = False
    return "condition no longer holds" if gone else None


def _password_reset_skip(row: Outbox, *, now) -> str | None:
    if not row.recipient.has_usable_password():
        return "recipient has no password to reset"
    if row.created_at + timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT) <= now:
        return "too late"
    return None


def _casus_titles(rows: list[Outbox]) -> dict[int, list[str]]:
    """Titles of the casussen booked on the batch's sessions whose group chose to show them (never any other
    casus text), in one query."""
    sessions = {
        row.session_id
        for row in rows
        if row.session_id and row.kind in CASUS_TITLE_KINDS and row.session.group.show_casus_title_in_email
    }
    titles: dict[int, list[str]] = defaultdict(list)
    if sessions:
        for session_id, title in (
            Casus.objects.filter(session_id__in=sessions, status=Casus.Status.BOOKED)
            .order_by("session_id", "pk")
            .values_list("session_id", "title")
        ):
            if title:
                titles[session_id].append(title)
    return titles


def _extra_context(row: Outbox, casus_titles: dict[int, list[str]]) -> dict:
    from .alerts import describe, digest_items_for_admin

    if row.session_id and row.session.group.show_casus_title_in_email and row.kind in CASUS_TITLE_KINDS:
        return {"casus_titles": casus_titles.get(row.session_id, [])}
    if row.kind == Kind.ATTENDANCE_ALERT and row.alert_id:
        return {"alert_text": describe(row.alert)}
    if row.kind == Kind.ADMIN_DIGEST:
        return {"items": digest_items_for_admin(row.recipient)}
    if row.kind == Kind.DIGEST:
        from .emails import when

        items = [
            {
                "label": item.get_kind_display(),
                "group": item.group.name if item.group_id else "",
                "when": when(item.session.starts_at) if item.session_id else "",
            }
            for item in row.bundled.select_related("group", "session").order_by("due_at", "id")
        ]
        return {"items": items}
    return {}


def _group_id(row: Outbox) -> int | None:
    if row.session_id is not None:
        return row.session.group_id
    return row.alert.group_id if row.alert_id is not None else row.group_id


def send_claimed(token, pks: list[int]) -> int:
    """Send the rows of one claim; returns how many went out."""
    now = timezone.now()
    rows = list(_claimed_rows(token, pks))
    user_ids = {row.recipient_id for row in rows}
    prefs = {
        p.user_id: p for p in NotificationPreference.objects.filter(user_id__in=user_ids)
    }  # one query for the batch
    group_off = {
        g: set(kinds)
        for g, kinds in GroupNotificationSettings.objects.filter(
            group_id__in={_group_id(row) for row in rows} - {None}
        ).values_list("group_id", "disabled_kinds")
    }
    skipped: dict[str, list[int]] = defaultdict(list)
    held, to_send = [], []
    for row in rows:
        pref = prefs.get(row.recipient_id)
        reason = _skip_reason(
            row,
            now=now,
            group_off=group_off.get(_group_id(row), set()),
            user_off=set(pref.disabled_kinds) if pref else set(),
        )
        if reason:
            skipped[reason].append(row.pk)
        elif pref and pref.digest and row.kind in DIGESTIBLE_KINDS:
            held.append(row.pk)
        else:
            to_send.append(row)
    for reason, ids in skipped.items():
        Outbox.objects.filter(pk__in=ids).update(status=Status.CANCELLED, last_error=reason, claim_token=None)
    if held:
        Outbox.objects.filter(pk__in=held).update(status=Status.HELD, claim_token=None)
    return _deliver(to_send) if to_send else 0


# The one write per message: the hand-over, committed after the mail server accepted the message and before
# the next one is handed over, is what limits a killed sender to one message in doubt.
HANDOVER_INSERT = f"INSERT INTO {Handover._meta.db_table} (outbox_id, sent_at) VALUES (%s, %s)"
HANDOVER_INSERT_LIBPQ = HANDOVER_INSERT.replace("%s", "${}").format(1, 2).encode()  # numbered parameters
HANDOVER_STATEMENT = b"outbox_handover"


def _record_handover(pk: int) -> None:
    with db_connection.cursor() as cursor:
        cursor.execute(HANDOVER_INSERT, [pk, timezone.now()])


def settle(pks: list[int]) -> list[int]:
    """Move the hand-overs of these rows onto the rows (``sent``, with the time the mail server accepted
    them) and delete them. Returns the ids of the rows it marked."""
    if not pks:
        return []
    handovers = Handover.objects.filter(outbox_id__in=pks)
    with transaction.atomic():
        ids = list(handovers.values_list("outbox_id", flat=True))
        if ids:
            Outbox.objects.filter(pk__in=ids).update(
                status=Status.SENT,
                claim_token=None,
                sent_at=Subquery(Handover.objects.filter(outbox_id=OuterRef("pk")).values("sent_at")[:1]),
            )
            handovers.delete()
    return ids


class _Marks:
    """Commits the hand-over of each delivered row. In a worker (no transaction open) the INSERT goes to
    PostgreSQL on a connection of its own without waiting for the answer, so the sender builds the next
    message while the server commits (and flushes to disk); ``wait()`` before each hand-over to the mail
    server reads that answer, which keeps the rule that the previous message is durably marked before the
    next one goes out. (A plain psycopg connection with Django's settings, driven through its documented
    ``pgconn``: send the statement, read the result later; one statement in flight at most.) Inside a
    transaction (tests) or on another database it marks inline on the sender's own connection."""

    def __init__(self):
        self._connection = None
        self._in_flight = False
        if db_connection.in_atomic_block or db_connection.vendor != "postgresql":
            return
        import psycopg
        import psycopg.sql

        params = {k: v for k, v in db_connection.get_connection_params().items() if k != "cursor_factory"}
        self._connection = psycopg.connect(**params, autocommit=True)
        if role := db_connection.settings_dict["OPTIONS"].get("assume_role"):  # as Django's own connections
            self._connection.execute(psycopg.sql.SQL("SET ROLE {}").format(psycopg.sql.Identifier(role)))
        self._connection.pgconn.nonblocking = 0  # sending a short statement may block; reading waits
        # Prepared once per batch: each mark is then only executed (no parsing and planning per message).
        self._check(self._connection.pgconn.prepare(HANDOVER_STATEMENT, HANDOVER_INSERT_LIBPQ))

    @staticmethod
    def _check(result) -> None:
        from psycopg import pq

        if result.status not in (pq.ExecStatus.COMMAND_OK, pq.ExecStatus.TUPLES_OK):
            read = getattr(result, "get_error_message", None)
            message = read() if read else result.error_message
            raise DatabaseError(f"outbox: recording a hand-over failed: {message!r}")

    def wait(self) -> None:
        """Block until the previous mark is committed; raise if it failed."""
        if not self._in_flight:
            return
        self._in_flight = False
        results = []
        while (result := self._connection.pgconn.get_result()) is not None:
            results.append(result)
        for result in results:
            self._check(result)

    def mark(self, pk: int) -> None:
        if self._connection is None:
            _record_handover(pk)
            return
        self.wait()
        values = [str(pk).encode(), timezone.now().isoformat().encode()]
        self._connection.pgconn.send_query_prepared(HANDOVER_STATEMENT, values)
        self._in_flight = True

    def close(self) -> None:
        try:
            self.wait()
        finally:
            if self._connection is not None:
                self._connection.close()


def _deliver(rows: list[Outbox]) -> int:
    """Send the rows over one connection, in id order; record each hand-over as soon as it was accepted, and
    mark the batch's rows sent at the end."""
    delivered: list[int] = []
    connection = mailers.default
    shared = Shared()
    casus_titles = _casus_titles(rows)
    marks = _Marks()
    with ExitStack() as finish:  # in reverse order, each even if the one before failed
        finish.callback(_close_quietly, connection)
        finish.callback(settle, delivered)  # those whose hand-over was committed; the rest: recover_stale
        finish.callback(marks.close)
        _send_in_order(rows, connection, shared, casus_titles, marks, delivered)
    return len(delivered)


def _send_in_order(rows, connection, shared, casus_titles, marks, delivered: list[int]) -> None:
    try:
        connection.open()
        for index, row in enumerate(rows):
            try:
                message = build_message(row, extra=_extra_context(row, casus_titles), shared=shared)
            except Exception as error:  # noqa: BLE001 - a rendering bug: retried, then failed
                _retry(row, error)
                continue
            marks.wait()  # the previous hand-over is committed before this message goes out
            try:
                connection.send_messages([message])
            except CONNECTION_ERRORS as error:
                _retry(row, error)
                _release([r.pk for r in rows[index + 1 :]])
                break
            except Exception as error:  # noqa: BLE001 - SMTP refusals: retried, then failed
                _retry(row, error)
                continue
            marks.mark(row.pk)
            delivered.append(row.pk)
    except CONNECTION_ERRORS as error:  # the connection could not be opened at all
        logger.warning("outbox: mail server unreachable: %s", error)
        for row in rows:
            _retry(row, error)


def _close_quietly(connection) -> None:
    try:
        connection.close()
    except Exception:  # noqa: BLE001
        logger.exception("outbox: closing the mail connection failed")


def _retry(row: Outbox, error: Exception) -> None:
    message = f"{type(error).__name__}: {error}"[:2000]
    if row.attempts >= conf.max_attempts():
        Outbox.objects.filter(pk=row.pk).update(status=Status.FAILED, last_error=message, claim_token=None)
        logger.error("outbox: message %s failed for good: %s", row.pk, message)
        return
    Outbox.objects.filter(pk=row.pk).update(
        status=Status.PENDING,
        last_error=message,
        claim_token=None,
        claimed_at=None,
        due_at=timezone.now() + conf.retry_delay(row.attempts),
    )


def _release(pks: list[int]) -> None:
    """Rows of a claim that were not attempted: pending again, the claim's attempt not counted."""
    if pks:
        Outbox.objects.filter(pk__in=pks, status=Status.SENDING).update(
            status=Status.PENDING, claim_token=None, claimed_at=None, attempts=F("attempts") - 1
        )


def send_due(*, ids: list[int] | None = None, budget_seconds: float | None = None) -> int:
    """Claim and send batches until nothing is due (or the time budget is used up)."""
    budget = budget_seconds if budget_seconds is not None else conf.sender_budget().total_seconds()
    deadline = monotonic() + budget
    total = 0
    while True:
        token, pks = claim(limit=conf.batch_size(), ids=ids)
        if not pks:
            return total
        total += send_claimed(token, pks)
        if monotonic() >= deadline:
            return total


def sweep_once() -> int:
    """Recover dead claims, then send everything due, in this process (cron setups, tests)."""
    recover_stale()
    return send_due()


def due_count(*, now=None) -> int:
    return Outbox.objects.filter(status=Status.PENDING, due_at__lte=now or timezone.now()).count()
