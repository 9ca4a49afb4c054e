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
that one message: it is marked ``doubt`` (reason ``WORKER_STOPPED``; listed for superusers in Django admin
and by ``manage.py outbox_status`` with its Message-ID, to look up in the mail server's log), never sent
again automatically; ``outbox_retry(interrupted=True)`` (its own admin action) sends it again when a person
decides to. The claim's other rows were not attempted yet and go back to ``pending``.
So a kill costs at most one message per killed sender process, marked; nothing is sent twice.

What the mail server answers decides the rest (``_send_in_order``; the SMTP connection reports how far each
exchange got, ``_Stage``):
- The time limit ends a batch *between* messages: the sender checks its deadline (``conf.sender_budget``,
  well below Celery's soft time limit) before each hand-over and releases the rest of its claim. Should the
  soft limit still fire inside an exchange, the message is in doubt (``TIME_LIMIT``) if its data had been
  sent, and released if not; it is never taken for a refusal.
- Data sent, no answer (the connection dropped or timed out while the server was storing it): ``doubt``
  (``NO_REPLY``), never retried automatically.
- An answer about the message (a refused recipient, a refused DATA): retried with backoff, counting an
  attempt, then failed.
- The server unreachable, refusing the greeting or the sender, or closing (421): an outage. The claimed rows
  go back without losing an attempt and the sweep pauses (``MailOutage``: 30 s, doubling up to 10 minutes)
  instead of charging every due row an attempt; a connection that works again ends the pause.
- The database lost while marking a hand-over (the message was accepted): the sender reconnects and records
  it; if it cannot, the process keeps the id and records it at its next sweep (``_flush_unrecorded``).

A row is about one group: its session's (and its alert's) group is the row's group, which the database
enforces on PostgreSQL (migration 0006) and ``Outbox.clean`` elsewhere. The sweep does not rely on either:
a row whose group differs from its session's or alert's is cancelled, never sent, and every check (the
group's opt-ins, the recipient's membership, the casus-title setting) reads the session's group.
"""

import enum
import logging
import smtplib
import uuid
from collections import defaultdict
from contextlib import ExitStack, suppress
from datetime import datetime
from functools import cache
from time import monotonic, sleep
from typing import NamedTuple

from celery.exceptions import SoftTimeLimitExceeded
from django.core.mail import mailers
from django.db import DatabaseError, InterfaceError, OperationalError, transaction
from django.db import connection as db_connection
from django.db.models import Count, Exists, F, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from casussen.models import Casus
from groups.models import Membership
from reflections.models import Reflection, ReflectionClosure
from sessions.models import RSVP, Presenter, Session

from . import conf, kinds
from .emails import Shared, build_message, message_id
from .models import (
    DIGESTIBLE_KINDS,
    CalendarPath,
    CancelReason,
    Doubt,
    GroupNotificationSettings,
    Handover,
    Kind,
    MailOutage,
    NotificationPreference,
    Outbox,
    Status,
)

logger = logging.getLogger(__name__)

CONNECTION_ERRORS = (smtplib.SMTPServerDisconnected, ConnectionError)
# Refusals that say nothing about the message: the server does not take mail from us right now.
SERVER_REFUSALS = (
    smtplib.SMTPConnectError,
    smtplib.SMTPHeloError,
    smtplib.SMTPSenderRefused,
    smtplib.SMTPAuthenticationError,
    smtplib.SMTPNotSupportedError,
)
SERVICE_CLOSING = 421  # "service not available, closing transmission channel"
CASUS_TITLE_KINDS = kinds.values(lambda entry: entry.casus_title)


class Recovery(NamedTuple):
    sent: int  # handed over before the sender died: now marked sent
    interrupted: int  # in flight when it died: in doubt (WORKER_STOPPED)
    released: int  # not attempted: pending again


@transaction.atomic
def outbox_retry(*, ids: list[int], interrupted: bool = False, now=None) -> int:
    """Put failed and cancelled rows back in the queue (the sweep checks again whether each is still wanted).
    Never a row the mail server accepted (sent, or with a hand-over), and a row in doubt (which may have gone
    out) only when asked for with ``interrupted``. Returns how many rows are pending again."""
    statuses = [Status.DOUBT] if interrupted else [Status.FAILED, Status.CANCELLED]
    rows = Outbox.objects.filter(pk__in=ids, status__in=statuses, sent_at__isnull=True).exclude(
        pk__in=Handover.objects.values("outbox_id")
    )
    return rows.update(
        doubt="",
        handed_over_at=None,
        status=Status.PENDING,
        due_at=now or timezone.now(),
        attempts=0,
        claim_token=None,
        claimed_at=None,
        last_error="",
        cancel_reason="",
    )


def recover_stale(*, now=None) -> Recovery:
    """Dead claims: rows with a hand-over become sent, the in-flight row of each claim becomes failed
    (INTERRUPTED), the rest pending again."""
    _flush_unrecorded()
    now = now or timezone.now()
    cutoff = now - conf.sending_timeout()
    with transaction.atomic():
        claimed = list(
            Outbox.objects.select_for_update(skip_locked=True)
            .filter(status=Status.SENDING, claimed_at__lt=cutoff)
            .order_by("id")
            .values_list("id", "claim_token", "claimed_at")
        )
        # The in-flight message went to the mail server after the claim's last recorded hand-over.
        journal = dict(
            Handover.objects.filter(outbox_id__in=[pk for pk, *_ in claimed]).values_list(
                "outbox_id", "sent_at"
            )
        )
        earliest: dict = {}
        for pk, token, claimed_at in claimed:
            earliest[token] = max(earliest.get(token, claimed_at), journal.get(pk, claimed_at))
        sent = set(settle([pk for pk, *_ in claimed]))
        rows = [(pk, token) for pk, token, _ in claimed if pk not in sent]
        # Hand-overs whose row is gone or was settled otherwise (a row deleted mid-batch).
        Handover.objects.filter(sent_at__lt=cutoff).exclude(
            outbox_id__in=Outbox.objects.filter(status=Status.SENDING).values("pk")
        ).delete()
        in_flight: dict = {}
        for pk, token in rows:
            in_flight.setdefault(token, pk)
        released = [pk for pk, _ in rows if pk not in set(in_flight.values())]
        for token, pk in in_flight.items():
            _mark_doubt(pk, Doubt.WORKER_STOPPED, at=earliest[token])
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
        .select_related(
            "recipient",
            "group",
            "session",
            "session__group",
            "alert",
            "alert__user",
            "invitation__group",
            "invitation__invited_by",
        )
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
    """The row names a session, alert or invitation of another group than its own (a forged or corrupt
    row)."""
    return any(
        related_id is not None and getattr(row, field).group_id != row.group_id
        for field, related_id in (
            ("session", row.session_id),
            ("alert", row.alert_id),
            ("invitation", row.invitation_id),
        )
    )


def _skip_reason(row: Outbox, *, now, group_off: set, user_off: set) -> CancelReason | None:
    """Why this row must not go out any more (conditions are checked at send time), or None. What each kind
    allows and checks is its registry entry's (``kinds.REGISTRY``)."""
    entry, session = kinds.spec(row.kind), row.session
    if _tenant_mismatch(row):
        return CancelReason.TENANT_MISMATCH
    if row.recipient_id is not None and not row.recipient.is_active:
        return CancelReason.RECIPIENT_INACTIVE
    if entry.group_opt_out and row.kind in group_off:
        return CancelReason.GROUP_OFF
    if entry.user_opt_out and row.kind in user_off:
        return CancelReason.USER_OFF
    if entry.own_rule is not None:
        reason = entry.own_rule(row, now)
        return CancelReason(reason) if reason else None
    if not entry.membership:
        return None
    if not row.is_member:
        return CancelReason.NOT_MEMBER
    if session is None:
        return None
    if session.status == Session.Status.CANCELLED and not entry.survives_session_cancel:
        return CancelReason.SESSION_CANCELLED
    if entry.before_session and (session.starts_at <= now or session.status != Session.Status.PLANNED):
        return CancelReason.TOO_LATE
    if entry.gone is not None and entry.gone(row, now):
        return CancelReason.NOT_NEEDED
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
    if row.kind == Kind.DATE_POLL:
        from .poll_mail import poll_context

        return poll_context(row)
    if row.kind == Kind.SCHEDULE_CHANGED:
        from .emails import _follows_feed
        from .schedule_mail import changes_context

        return changes_context(row, follows_feed=_follows_feed(row))
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


def send_claimed(token, pks: list[int], *, deadline: float | None = None) -> int:
    """Send the rows of one claim, handing none over after ``deadline`` (``time.monotonic()``); returns how
    many went out."""
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
    skipped: dict[CancelReason, list[int]] = defaultdict(list)
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
        Outbox.objects.filter(pk__in=ids).update(
            status=Status.CANCELLED, cancel_reason=reason, claim_token=None
        )
    if held:
        Outbox.objects.filter(pk__in=held).update(status=Status.HELD, claim_token=None)
    if deadline is None:
        deadline = monotonic() + conf.sender_budget().total_seconds()
    return _deliver(to_send, deadline=deadline) if to_send else 0


# The one write per message: the hand-over, committed after the mail server accepted the message and before
# the next one is handed over, is what limits a killed sender to one message in doubt.
HANDOVER_INSERT = f"INSERT INTO {Handover._meta.db_table} (outbox_id, sent_at) VALUES (%s, %s)"
HANDOVER_INSERT_LIBPQ = HANDOVER_INSERT.replace("%s", "${}").format(1, 2).encode()  # numbered parameters
HANDOVER_STATEMENT = b"outbox_handover"


def _record_handover(pk: int, at=None) -> None:
    with db_connection.cursor() as cursor:
        cursor.execute(HANDOVER_INSERT, [pk, at or timezone.now()])


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
                last_error="",  # an earlier attempt's error is history once the message went out
                doubt="",
            )
            handovers.delete()
    return ids


# Hand-overs this process could not record (the mail server accepted the message, the database was gone and
# did not come back within conf.reconnect_seconds): recorded at the next sweep in this process.
_unrecorded: dict[int, datetime] = {}


def _record_after_reconnect(pk: int, at: datetime) -> bool:
    """Record the hand-over of ``pk`` over a fresh database connection, trying for a few seconds (a
    terminated connection or a restarted server). ON CONFLICT DO NOTHING: the first try may have committed
    without its answer arriving."""
    if db_connection.in_atomic_block:
        return False
    deadline = monotonic() + conf.reconnect_seconds()
    while True:
        try:
            db_connection.close()
            Handover.objects.bulk_create([Handover(outbox_id=pk, sent_at=at)], ignore_conflicts=True)
            return True
        except DatabaseError:
            if monotonic() >= deadline:
                return False
            sleep(0.5)


def _flush_unrecorded() -> None:
    """Record and settle the hand-overs a lost database connection kept from being recorded."""
    if not _unrecorded:
        return
    accepted = dict(_unrecorded)
    try:
        Handover.objects.bulk_create(
            [Handover(outbox_id=pk, sent_at=at) for pk, at in accepted.items()], ignore_conflicts=True
        )
        settled = settle(list(accepted))
    except DatabaseError:
        logger.warning("outbox: %d accepted message(s) still to be marked sent", len(accepted), exc_info=True)
        return
    for pk in accepted:
        _unrecorded.pop(pk, None)
    logger.warning("outbox: %d message(s) accepted before the database was lost marked sent", len(settled))


def _connection_lost(error: BaseException) -> bool:
    return isinstance(error, (OperationalError, InterfaceError)) or "connection" in str(error).lower()


class _Marks:
    """Commits the hand-over of each delivered row. In a worker (no transaction open) the INSERT goes to
    PostgreSQL on a connection of its own without waiting for the answer, so the sender builds the next
    message while the server commits (and flushes to disk); ``wait()`` before each hand-over to the mail
    server reads that answer, which keeps the rule that the previous message is durably marked before the
    next one goes out. (A plain psycopg connection with Django's settings, driven through its documented
    ``pgconn``: send the statement, read the result later; one statement in flight at most.) Inside a
    transaction (tests) or on another database it marks inline on the sender's own connection.

    A mark lost with its database connection is recorded again over a fresh one (``_recovered``); from then on
    the batch marks inline."""

    def __init__(self):
        self._connection = None
        self._in_flight: tuple[int, datetime] | None = None
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
        if self._in_flight is None:
            return
        pk, at = self._in_flight
        self._in_flight = None
        try:
            results = []
            while (result := self._connection.pgconn.get_result()) is not None:
                results.append(result)
            for result in results:
                self._check(result)
        except Exception as error:
            if not self._recovered(pk, at, error, lost=self._broken()):
                raise DatabaseError(f"outbox: recording the hand-over of {pk} failed: {error}") from error

    def _broken(self) -> bool:
        from psycopg import pq

        return self._connection is not None and self._connection.pgconn.status != pq.ConnStatus.OK

    def mark(self, pk: int) -> None:
        at = timezone.now()
        if self._connection is None:
            try:
                _record_handover(pk, at)
            except DatabaseError as error:
                if not self._recovered(pk, at, error, lost=_connection_lost(error)):
                    raise
            return
        self.wait()
        values = [str(pk).encode(), at.isoformat().encode()]
        try:
            self._connection.pgconn.send_query_prepared(HANDOVER_STATEMENT, values)
        except Exception as error:
            if not self._recovered(pk, at, error, lost=True):
                raise DatabaseError(f"outbox: recording the hand-over of {pk} failed: {error}") from error
            return
        self._in_flight = (pk, at)

    def _recovered(self, pk: int, at: datetime, error: BaseException, *, lost: bool) -> bool:
        """``pk`` was accepted by the mail server but its mark failed. If the connection was ``lost``, record
        it again over a fresh one (the batch goes on, marking inline); False when the caller must raise."""
        if not lost:
            return False
        self._close_own()
        logger.warning("outbox: database connection lost while marking message %s sent: %s", pk, error)
        if _record_after_reconnect(pk, at):
            return True
        _unrecorded[pk] = at
        logger.error(
            "outbox: message %s was accepted by the mail server; marked sent when the database is back", pk
        )
        return False

    def _close_own(self) -> None:
        if self._connection is not None:
            with suppress(Exception):
                self._connection.close()
            self._connection = None

    def close(self) -> None:
        try:
            self.wait()
        finally:
            self._close_own()


# --- how far an SMTP exchange got, and what its failure means -----------------------------------------


class _Stage(enum.IntEnum):
    IDLE = 0
    MAIL = 1  # MAIL FROM sent
    RCPT = 2  # RCPT TO sent
    DATA = 3  # DATA sent, the message not yet complete
    SENT = 4  # the message and its final "." sent: waiting for the server's answer


class _Tracking:
    """Mixed into the mail backend's ``smtplib`` connection: how far the current message's exchange got
    (``outbox_stage``), so a failure tells refused, never complete, and complete but unanswered apart."""

    outbox_stage = _Stage.IDLE

    def mail(self, *args, **kwargs):
        self.outbox_stage = _Stage.MAIL
        return super().mail(*args, **kwargs)

    def rcpt(self, *args, **kwargs):
        self.outbox_stage = _Stage.RCPT
        return super().rcpt(*args, **kwargs)

    def data(self, msg):
        self.outbox_stage = _Stage.DATA
        return super().data(msg)

    def send(self, s):
        super().send(s)  # returns only once every byte went out
        if self.outbox_stage == _Stage.DATA and isinstance(s, bytes) and s.endswith(b"\r\n.\r\n"):
            self.outbox_stage = _Stage.SENT


@cache
def _tracking_class(cls: type) -> type:
    return type(f"Tracking{cls.__name__}", (_Tracking, cls), {})


def _tracked_smtp(backend) -> smtplib.SMTP | None:
    """The open ``smtplib`` connection of an SMTP backend, made to track its stage (None for other
    backends: locmem, console, the tests' own)."""
    smtp = getattr(backend, "connection", None)
    if not isinstance(smtp, smtplib.SMTP):
        return None
    if not isinstance(smtp, _Tracking):
        smtp.__class__ = _tracking_class(type(smtp))
    return smtp


class _Outcome(enum.Enum):
    RETRY = "retry"  # an answer about this message (or an error building or sending it): again later
    DOUBT = "doubt"  # the message went out complete and no answer came: may have been accepted
    OUTAGE = "outage"  # the server does not take mail now (nothing about this message): pause
    LOST = "lost"  # the connection went before the message was complete: not accepted, batch ends


def _outcome(error: Exception, stage: _Stage | None) -> _Outcome:
    if stage is _Stage.SENT and not isinstance(error, smtplib.SMTPResponseException):
        return _Outcome.DOUBT
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = {answer[0] for answer in error.recipients.values()}
        return _Outcome.OUTAGE if SERVICE_CLOSING in codes else _Outcome.RETRY
    if isinstance(error, SERVER_REFUSALS) or getattr(error, "smtp_code", None) == SERVICE_CLOSING:
        return _Outcome.OUTAGE
    if isinstance(error, smtplib.SMTPResponseException):  # SMTPDataError: the server refused the message
        return _Outcome.RETRY
    if isinstance(error, (*CONNECTION_ERRORS, OSError)):
        return _Outcome.LOST
    return _Outcome.RETRY


def _deliver(rows: list[Outbox], *, deadline: float) -> int:
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
        _send_in_order(rows, connection, shared, casus_titles, marks, delivered, deadline)
    return len(delivered)


def _send_in_order(rows, connection, shared, casus_titles, marks, delivered: list[int], deadline) -> None:
    try:
        connection.open()
    except SoftTimeLimitExceeded:
        _release([row.pk for row in rows])
        raise
    except Exception as error:  # noqa: BLE001 - refused, timed out, greeting or login refused: an outage
        _outage(error)
        _release([row.pk for row in rows])
        return
    smtp = _tracked_smtp(connection)
    index, exchanging = 0, False
    try:
        for index, row in enumerate(rows):  # noqa: B007 - the handler below reads where the loop was
            if monotonic() >= deadline:  # the time limit ends a batch between messages, never inside one
                logger.info(
                    "outbox: time is up; %d message(s) of the batch go back to the queue", len(rows) - index
                )
                _release([r.pk for r in rows[index:]])
                return
            try:
                message = build_message(row, extra=_extra_context(row, casus_titles), shared=shared)
            except SoftTimeLimitExceeded:
                raise
            except Exception as error:  # noqa: BLE001 - a rendering bug: retried, then failed
                _retry(row, error)
                continue
            marks.wait()  # the previous hand-over is committed before this message goes out
            if smtp is not None:
                smtp.outbox_stage = _Stage.IDLE
            exchanging = True
            try:
                connection.send_messages([message])
            except SoftTimeLimitExceeded:
                raise
            except Exception as error:  # noqa: BLE001 - what it means depends on where it came (_outcome)
                exchanging = False
                if not _failed(row, error, smtp, rows[index + 1 :], delivered):
                    return
                continue
            delivered.append(row.pk)
            exchanging = False
            if len(delivered) == 1:
                _outage_over()
            marks.mark(row.pk)
    except SoftTimeLimitExceeded as error:
        _stopped_by_time_limit(rows, index, error, exchanging=exchanging, smtp=smtp, delivered=delivered)
        raise


def _failed(row, error: Exception, smtp, rest: list, delivered: list[int]) -> bool:
    """Record a failed hand-over; returns whether the batch can go on over this connection."""
    stage = smtp.outbox_stage if smtp is not None else None
    outcome = _outcome(error, stage)
    if outcome is _Outcome.RETRY:
        _retry(row, error)
        return True
    if outcome is _Outcome.DOUBT:
        _mark_doubt(row.pk, Doubt.NO_REPLY, at=timezone.now(), error=error)
    elif outcome is _Outcome.OUTAGE:
        _release([row.pk])
        _outage(error)
    elif stage is None or stage >= _Stage.RCPT:  # LOST while the server was taking this message
        _retry(row, error)
    else:  # LOST between messages: this one was not attempted
        _release([row.pk])
    _release([r.pk for r in rest])
    return False


def _stopped_by_time_limit(rows, index: int, error, *, exchanging: bool, smtp, delivered: list[int]) -> None:
    """Celery's soft time limit fired (the deadline should have come first): the message being handed over
    is in doubt if its data went out (or, with a backend that does not tell, at all), the rest go back."""
    row = rows[index]
    if delivered and delivered[-1] == row.pk:  # accepted: its mark may not have gone out yet
        with suppress(DatabaseError):
            Handover.objects.bulk_create(
                [Handover(outbox_id=row.pk, sent_at=timezone.now())], ignore_conflicts=True
            )
        rest = rows[index + 1 :]
    elif exchanging and (smtp is None or smtp.outbox_stage is _Stage.SENT):
        _mark_doubt(row.pk, Doubt.TIME_LIMIT, at=timezone.now(), error=error)
        rest = rows[index + 1 :]
    else:
        rest = rows[index:]
    _release([r.pk for r in rest])


def _close_quietly(connection) -> None:
    try:
        connection.close()
    except Exception:  # noqa: BLE001
        logger.exception("outbox: closing the mail connection failed")


def _error_text(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"[:2000]


def _retry(row: Outbox, error: Exception) -> None:
    message = _error_text(error)
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


def _mark_doubt(pk: int, reason: Doubt, *, at, error: BaseException | None = None) -> None:
    """The message may have reached the mail server: never sent again automatically."""
    Outbox.objects.filter(pk=pk).update(
        status=Status.DOUBT,
        doubt=reason,
        handed_over_at=at,
        claim_token=None,
        last_error=_error_text(error) if error else "",
    )
    logger.warning(
        "outbox: message %s is in doubt (%s): it may have reached the mail server; Message-ID %s",
        pk,
        reason.value,
        message_id(pk),
    )


# --- outages: pause instead of charging every due message an attempt ---------------------------------


def outage_paused_until(*, now=None):
    """Until when the sweep pauses because the mail server could not be reached, or None."""
    now = now or timezone.now()
    return (
        MailOutage.objects.filter(pk=1, paused_until__gt=now).values_list("paused_until", flat=True).first()
    )


def _outage(error: BaseException) -> None:
    now = timezone.now()
    with transaction.atomic():
        outage, _created = MailOutage.objects.select_for_update().get_or_create(pk=1)
        if outage.paused_until and outage.paused_until > now:  # another sender already paused for this
            return
        outage.failures += 1
        outage.since = outage.since or now
        outage.paused_until = now + conf.outage_pause(outage.failures)
        outage.last_error = _error_text(error)
        outage.save()
    logger.warning(
        "outbox: mail server unavailable (%s); sending paused until %s (%d failed connection(s) in a row)",
        outage.last_error,
        outage.paused_until.isoformat(timespec="seconds"),
        outage.failures,
    )


def _outage_over() -> None:
    if MailOutage.objects.filter(pk=1, failures__gt=0).update(
        failures=0, since=None, paused_until=None, last_error=""
    ):
        logger.warning("outbox: mail server accepts mail again; sending resumed")


def send_due(*, ids: list[int] | None = None, budget_seconds: float | None = None) -> int:
    """Claim and send batches until nothing is due, the mail server is out, or the time budget is used up
    (checked before each message is handed over)."""
    budget = budget_seconds if budget_seconds is not None else conf.sender_budget().total_seconds()
    deadline = monotonic() + budget
    _flush_unrecorded()
    total = 0
    while True:
        if outage_paused_until() is not None:
            return total
        token, pks = claim(limit=conf.batch_size(), ids=ids)
        if not pks:
            return total
        total += send_claimed(token, pks, deadline=deadline)
        if monotonic() >= deadline:
            return total


def sweep_once() -> int:
    """Recover dead claims, then send everything due, in this process (cron setups, tests)."""
    recover_stale()
    return send_due()


def due_count(*, now=None) -> int:
    return Outbox.objects.filter(status=Status.PENDING, due_at__lte=now or timezone.now()).count()
