"""The date poll's e-mail (``Kind.DATE_POLL``, issue 19 part 3): one message per active member when a
facilitator opens a poll, with one signed link per proposed date and answer (``tokens.poll_link_url``)."""

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from groups.models import Membership
from sessions.models import DatePoll, DatePollAnswer, DatePollOption, Session

from . import tokens
from .models import CancelReason, Kind, Outbox, Status


def poll_key(poll: DatePoll) -> str:
    return f"poll:{poll.pk}"


def plan_date_poll(*, poll: DatePoll) -> list[int]:
    """One row per active member but the one who opened it, due now. The unique key (recipient, kind,
    subject) makes a repeated signal add nothing. Returns the ids of the pending rows."""
    members = Membership.objects.filter(group_id=poll.group_id, status=Membership.Status.ACTIVE)
    if poll.created_by_id is not None:
        members = members.exclude(user_id=poll.created_by_id)
    now = timezone.now()
    key = poll_key(poll)
    rows = [
        Outbox(
            kind=Kind.DATE_POLL,
            recipient_id=uid,
            subject_key=key,
            group_id=poll.group_id,
            session_id=poll.session_id,
            details={"poll": poll.pk},
            due_at=now,
        )
        for uid in members.values_list("user_id", flat=True)
    ]
    Outbox.objects.bulk_create(rows, ignore_conflicts=True)
    return list(
        Outbox.objects.filter(kind=Kind.DATE_POLL, subject_key=key, status=Status.PENDING).values_list(
            "id", flat=True
        )
    )


def _option_text(option: DatePollOption) -> str:
    from .emails import when

    if option.starts_at is not None:
        return when(option.starts_at)
    assert option.start_time is not None  # the model's check: a moment, or a weekday and a time
    return _("elke %(day)s, %(time)s") % {
        "day": option.get_weekday_display(),
        "time": option.start_time.strftime("%H:%M"),
    }


def poll_context(row: Outbox) -> dict[str, object]:
    """The message's dates, each with its three links, and the poll page (real values: per recipient)."""
    poll = DatePoll.objects.filter(pk=row.details.get("poll")).first()
    if poll is None:
        return {}
    labels = dict(DatePollAnswer.Answer.choices)
    options = [
        {
            "when": _option_text(option),
            "links": [
                {"label": str(labels[answer]), "url": tokens.poll_link_url(row.pk, option.pk, answer)}
                for answer in tokens.POLL_ANSWERS
            ],
        }
        for option in poll.options.order_by("position")
    ]
    url = settings.SITE_URL + reverse("sessions:poll", kwargs={"group_id": poll.group_id, "poll_id": poll.pk})
    return {"poll_options": options, "poll_url": url}


def on_date_poll_opened(sender: object, *, poll: DatePoll, **kwargs: object) -> None:
    from .receivers import _send_soon

    with transaction.atomic():
        _send_soon(plan_date_poll(poll=poll))


def poll_link_option(link: tokens.PollLink) -> DatePollOption:
    """The option a poll link answers, checked: its poll is the row's, still open, and the recipient is
    still an active member of its group (else LinkError, naming nothing of the group)."""
    option = (
        DatePollOption.objects.select_related("poll", "poll__session", "poll__group")
        .filter(pk=link.option_id, poll_id=link.outbox.details.get("poll"))
        .first()
    )
    if option is None:
        raise tokens.LinkError(code=tokens.LinkError.TAMPERED)
    poll = option.poll
    recipient = link.outbox.recipient_id
    member = recipient is not None and (
        Membership.objects.filter(
            user_id=recipient, group_id=poll.group_id, status=Membership.Status.ACTIVE
        ).exists()
    )
    if not member:
        raise tokens.LinkError(code=tokens.LinkError.GONE)
    session = poll.session
    session_gone = session is not None and (
        session.status != Session.Status.PLANNED or session.starts_at <= timezone.now()
    )
    if poll.closed_at is not None or session_gone:
        raise tokens.LinkError(code=tokens.LinkError.CLOSED)
    return option


def poll_link_use(link: tokens.PollLink) -> DatePollOption:
    from sessions.polls import poll_answer

    option = poll_link_option(link)
    user = link.outbox.recipient
    assert user is not None  # poll_link_option refused a row without a recipient
    poll_answer(option=option, user=user, answer=link.answer)
    return option


def on_rsvp_removed(sender: object, *, session: Session, user_id: int, **kwargs: object) -> None:
    """A member asked again for a moved session: the reminders and the nudge their old answer cancelled
    come back (still in the future; the move that follows re-times them)."""
    from .planning import ANSWER_CANCELS, DECLINE_CANCELS

    Outbox.objects.filter(
        session=session,
        recipient_id=user_id,
        kind__in=list(DECLINE_CANCELS | ANSWER_CANCELS),
        status=Status.CANCELLED,
        cancel_reason__in=[CancelReason.DECLINED, CancelReason.ANSWERED],
        due_at__gt=timezone.now(),
    ).update(status=Status.PENDING, cancel_reason="")


def on_date_poll_closed(sender: object, *, poll: DatePoll, **kwargs: object) -> None:
    """A closed poll's invitations that have not gone out are not needed any more (the send-time check
    ``kinds._poll_closed`` covers only rows with a session; this covers a weekday poll's too)."""
    Outbox.objects.filter(kind=Kind.DATE_POLL, subject_key=poll_key(poll), status=Status.PENDING).update(
        status=Status.CANCELLED, cancel_reason=CancelReason.NOT_NEEDED
    )
