"""A confirmed schedule change is one "rooster gewijzigd" message per member (``Kind.SCHEDULE_CHANGED``),
not an invite or cancellation per session, on either calendar path: for members on the invite path it
carries each changed session's iTIP file (tests/notifications/test_schedule_changed_calendar.py reads them
with the calendar parsers). The per-session reminders still follow the change (cancelled with their
session, re-timed with a move)."""

from datetime import time, timedelta
from email import message_from_bytes

import pytest
from django.core import mail
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone, translation

from notifications import sweep
from notifications.emails import when
from notifications.models import CalendarPath, Kind, NotificationPreference, Outbox, Status
from sessions import signals
from sessions.models import Schedule, Session
from sessions.schedule import schedule_generate, schedule_preview, schedule_save
from tests.casussen.factories import booked_casus
from tests.factories import FacilitatorFactory, GroupFactory, MembershipFactory
from tests.sessions.factories import RSVPFactory, ScheduleFactory, schedule_confirm_data

pytestmark = pytest.mark.django_db

ANNOUNCEMENTS = (Kind.INVITE, Kind.CANCELLATION)
REMINDERS = (Kind.REMINDER_FIRST, Kind.REMINDER_SECOND, Kind.RSVP_NUDGE)


def next_tuesday(days_ahead: int):
    day = timezone.localdate() + timedelta(days=days_ahead)
    return day + timedelta(days=(1 - day.weekday()) % 7)


@pytest.fixture
def group_of_six():
    """A four-weekly group of six active members (the facilitator one of them), its sessions planned."""
    group = GroupFactory()
    members = [FacilitatorFactory(group=group).user] + [MembershipFactory(group=group).user for _ in range(5)]
    schedule = ScheduleFactory(
        group=group,
        rrule="FREQ=WEEKLY;INTERVAL=4;BYDAY=TU",
        first_date=next_tuesday(3),
        start_time=time(14, 0),
        duration_minutes=150,
        horizon_months=6,
    )
    schedule_generate(schedule=schedule)
    sweep.send_due()  # the invites to the planned sessions
    return group, schedule, members


def follow(members, path: str) -> None:
    for user in members:
        NotificationPreference.objects.update_or_create(user=user, defaults={"calendar_path": path})


def confirm(schedule, capture, **changes):
    """The facilitator confirms a changed schedule: its previewed diff, then the save (commit callbacks
    run, as after the request). Returns the diff, the save's result and the last outbox id before."""
    for name, value in changes.items():
        setattr(schedule, name, value)
    diff = schedule_preview(schedule=schedule)
    before = Outbox.objects.aggregate(last=Max("id"))["last"] or 0
    with capture(execute=True):
        result = schedule_save(schedule=schedule, expected=diff.fingerprint())
    return diff, result, before


def dates_in_words(moments, language="nl") -> list[str]:
    with translation.override(language):
        return [when(moment) for moment in moments]


def test_four_weekly_to_monthly_sends_one_message_per_member(
    group_of_six, django_capture_on_commit_callbacks
):
    group, schedule, members = group_of_six
    follow(members, CalendarPath.FEED)
    diff = schedule_preview(schedule=schedule)  # nothing changed yet
    assert diff.is_empty
    schedule.rrule = "FREQ=MONTHLY;BYDAY=1TU"
    doomed = schedule_preview(schedule=schedule).cancel[0]
    author, comer = members[1], members[2]
    booked_casus(session=doomed, author=author)
    RSVPFactory(session=doomed, user=comer)

    diff, result, before = confirm(schedule, django_capture_on_commit_callbacks)
    assert result.cancelled and result.created  # a real change: sessions cancelled and new ones planned
    changed = [s.pk for s in result.created + result.cancelled]

    made = Outbox.objects.filter(pk__gt=before)
    digests = made.filter(kind=Kind.SCHEDULE_CHANGED)
    assert sorted(digests.values_list("recipient_id", flat=True)) == sorted(m.pk for m in members)
    saved_at = Schedule.objects.get(pk=schedule.pk).updated_at
    assert {row.subject_key for row in digests} == {f"schedule:{schedule.pk}:{saved_at:%Y%m%dT%H%M%S%f}"}
    assert all(row.group_id == group.pk and row.session_id is None for row in digests)
    assert not made.filter(kind__in=ANNOUNCEMENTS).exists()
    assert not Outbox.objects.filter(session_id__in=changed, kind__in=ANNOUNCEMENTS, pk__gt=before).exists()

    # Reminders follow the sessions: the cancelled ones' are stopped, the new ones' planned.
    cancelled_ids = [s.pk for s in result.cancelled]
    assert not Outbox.objects.filter(
        session_id__in=cancelled_ids, kind__in=REMINDERS, status=Status.PENDING
    ).exists()
    assert Outbox.objects.filter(
        session__in=result.created, kind=Kind.REMINDER_FIRST, status=Status.PENDING
    ).exists()

    mail.outbox.clear()
    sweep.send_due()
    digests_sent = [
        m
        for m in mail.outbox
        if m.extra_headers["X-Intervisie-Outbox"] in {str(pk) for pk in digests.values_list("pk", flat=True)}
    ]
    assert sorted(message.to[0] for message in digests_sent) == sorted(m.email for m in members)
    by_address = {message.to[0]: message for message in digests_sent}
    sessions = Session.objects.filter(pk__in=changed).order_by("starts_at")
    expected = dates_in_words([s.starts_at for s in sessions])
    for message in digests_sent:
        assert message.subject == f"Het rooster van {group.name} is gewijzigd"
        assert not message.attachments
        positions = [message.body.index(text) for text in expected]
        assert positions == sorted(positions)  # in time order
        html = message.alternatives[0].content
        assert all(text in html for text in expected)
    [cancelled_date] = dates_in_words([Session.objects.get(pk=doomed.pk).starts_at])
    casus_line = next(line for line in by_address[author.email].body.splitlines() if cancelled_date in line)
    assert casus_line.startswith("- Afgelast:") and "je casus was hiervoor ingepland" in casus_line
    rsvp_line = next(line for line in by_address[comer.email].body.splitlines() if cancelled_date in line)
    assert "je had je hiervoor aangemeld" in rsvp_line
    other_line = next(
        line for line in by_address[members[3].email].body.splitlines() if cancelled_date in line
    )
    assert other_line == f"- Afgelast: {cancelled_date}"


def test_invite_path_members_get_the_calendar_files_in_the_one_message(
    group_of_six, django_capture_on_commit_callbacks
):
    group, schedule, members = group_of_six
    on_feed = members[:4]
    follow(on_feed, CalendarPath.FEED)
    diff, result, before = confirm(
        schedule, django_capture_on_commit_callbacks, rrule="FREQ=MONTHLY;BYDAY=1TU"
    )
    made = Outbox.objects.filter(pk__gt=before)
    assert made.filter(kind=Kind.SCHEDULE_CHANGED).count() == 6
    assert not made.filter(kind__in=ANNOUNCEMENTS).exists()

    mail.outbox.clear()
    sweep.send_due()
    assert sorted(m.to[0] for m in mail.outbox) == sorted(m.email for m in members)  # one each
    changed = len(result.created) + len(result.cancelled)
    for message in mail.outbox:
        methods = [
            part.get_param("method")
            for part in message_from_bytes(message.message().as_bytes()).walk()
            if part.get_content_type() == "text/calendar"
        ]
        if message.to[0] in {m.email for m in on_feed}:
            assert not message.attachments and not methods
            assert "Je agenda-abonnement past je agenda vanzelf aan." in message.body
            continue
        names = sorted(name for name, _content, _type in message.attachments)
        assert len(names) == changed
        assert sum(name.startswith("uitnodiging-") for name in names) == len(result.created)
        assert sum(name.startswith("afzegging-") for name in names) == len(result.cancelled)
        assert methods == ([] if changed > 1 else ["REQUEST" if result.created else "CANCEL"])
        assert "Open de bijlagen, één per bijeenkomst" in message.body


def test_without_the_schedule_message_the_invite_path_gets_each_sessions_own(
    group_of_six, django_capture_on_commit_callbacks
):
    """A group that switched "rooster gewijzigd" off, or a member who did, still has their calendar follow
    the change: each session's own invite or cancellation, as before that message existed."""
    group, schedule, members = group_of_six
    on_feed, on_invites = members[:4], members[4:]
    follow(on_feed, CalendarPath.FEED)
    opted_out = on_invites[0]
    NotificationPreference.objects.update_or_create(
        user=opted_out, defaults={"disabled_kinds": [Kind.SCHEDULE_CHANGED]}
    )
    diff, result, before = confirm(
        schedule, django_capture_on_commit_callbacks, rrule="FREQ=MONTHLY;BYDAY=1TU"
    )
    made = Outbox.objects.filter(pk__gt=before)
    assert set(made.filter(kind__in=ANNOUNCEMENTS).values_list("recipient_id", flat=True)) == {opted_out.pk}
    assert sorted(made.filter(kind=Kind.INVITE).values_list("session_id", flat=True)) == sorted(
        s.pk for s in result.created
    )
    assert sorted(made.filter(kind=Kind.CANCELLATION).values_list("session_id", flat=True)) == sorted(
        s.pk for s in result.cancelled
    )


def test_a_move_lists_old_and_new_time_and_retimes_the_reminders(
    group_of_six, django_capture_on_commit_callbacks
):
    group, schedule, members = group_of_six
    follow(members, CalendarPath.FEED)
    old = {s.pk: s.starts_at for s in Session.objects.filter(group=group, status=Session.Status.PLANNED)}
    reminders = {
        row.pk: row.due_at
        for row in Outbox.objects.filter(
            session_id__in=list(old), kind=Kind.REMINDER_FIRST, status=Status.PENDING
        )
    }
    diff, result, before = confirm(schedule, django_capture_on_commit_callbacks, start_time=time(16, 0))
    assert result.moved and not result.cancelled
    assert not Outbox.objects.filter(pk__gt=before, kind__in=ANNOUNCEMENTS).exists()
    for pk, due in reminders.items():
        assert Outbox.objects.get(pk=pk).due_at == due + timedelta(hours=2)

    mail.outbox.clear()
    sweep.send_due()
    message = next(m for m in mail.outbox if m.to[0] == members[0].email)
    for session in sorted(result.moved, key=lambda s: s.starts_at):
        was, now = dates_in_words([old[session.pk], session.starts_at])
        assert f"- Verplaatst: {was} → {now}" in message.body


def test_a_repeated_signal_or_retried_sweep_sends_once(group_of_six, django_capture_on_commit_callbacks):
    group, schedule, members = group_of_six
    follow(members, CalendarPath.FEED)
    heard = []

    def listen(sender, signal, **kwargs):
        heard.append(kwargs)

    signals.schedule_changed.connect(listen, weak=False, dispatch_uid="test.listen")
    try:
        confirm(schedule, django_capture_on_commit_callbacks, rrule="FREQ=MONTHLY;BYDAY=1TU")
    finally:
        signals.schedule_changed.disconnect(dispatch_uid="test.listen")
    [announced] = heard
    assert Outbox.objects.filter(kind=Kind.SCHEDULE_CHANGED).count() == 6

    signals.schedule_changed.send(sender=type(schedule), **announced)  # the same change announced again
    assert Outbox.objects.filter(kind=Kind.SCHEDULE_CHANGED).count() == 6
    mail.outbox.clear()
    assert sweep.send_due() == 6
    assert sweep.send_due() == 0  # a retried task finds nothing due
    signals.schedule_changed.send(sender=type(schedule), **announced)
    assert sweep.send_due() == 0
    assert len(mail.outbox) == 6
    assert Outbox.objects.filter(kind=Kind.SCHEDULE_CHANGED, status=Status.SENT).count() == 6


def test_saving_without_a_change_announces_nothing(group_of_six, django_capture_on_commit_callbacks):
    group, schedule, members = group_of_six
    diff, result, before = confirm(schedule, django_capture_on_commit_callbacks)
    assert diff.is_empty
    assert not Outbox.objects.filter(pk__gt=before).exists()


def test_confirming_on_the_schedule_page_sends_one_message_per_member(
    group_of_six, client, django_capture_on_commit_callbacks
):
    group, schedule, members = group_of_six
    follow(members, CalendarPath.FEED)
    facilitator = members[0]
    data = schedule_confirm_data(
        group, pattern="monthly", position="1", monthly_day="TU", first_date=schedule.first_date.isoformat()
    )
    client.force_login(facilitator, backend="django.contrib.auth.backends.ModelBackend")
    before = Outbox.objects.aggregate(last=Max("id"))["last"] or 0
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("sessions:group_schedule", kwargs={"group_id": group.pk}), data)
    assert response.status_code == 302
    made = Outbox.objects.filter(pk__gt=before)
    assert Session.objects.filter(group=group, cancelled_by_schedule=True).exists()
    assert sorted(made.filter(kind=Kind.SCHEDULE_CHANGED).values_list("recipient_id", flat=True)) == sorted(
        m.pk for m in members
    )
    assert not made.filter(kind__in=ANNOUNCEMENTS).exists()


def test_the_calendar_files_leave_out_what_the_member_switched_off(
    group_of_six, django_capture_on_commit_callbacks
):
    """A member on the invite path who switched off cancellations gets the change's one message with the
    new sessions' invites only (what they would have got as separate messages)."""
    group, schedule, members = group_of_six
    member = members[1]
    NotificationPreference.objects.update_or_create(
        user=member, defaults={"disabled_kinds": [Kind.CANCELLATION]}
    )
    diff, result, before = confirm(
        schedule, django_capture_on_commit_callbacks, rrule="FREQ=MONTHLY;BYDAY=1TU"
    )
    assert result.created and result.cancelled
    mail.outbox.clear()
    sweep.send_due()
    [message] = [m for m in mail.outbox if m.to == [member.email]]
    names = [name for name, _content, _type in message.attachments]
    assert len(names) == len(result.created)
    assert all(name.startswith("uitnodiging-") for name in names)


def test_a_change_of_one_session_is_also_the_inline_meeting_request(django_capture_on_commit_callbacks):
    """With one session changed the message is what its own invite would be for a mail client: the inline
    ``text/calendar; method=REQUEST`` part (shown as a meeting update), the same calendar as the file."""
    group = GroupFactory()
    member = MembershipFactory(group=group).user
    FacilitatorFactory(group=group)
    schedule = ScheduleFactory(
        group=group,
        rrule="FREQ=WEEKLY;BYDAY=TU;COUNT=1",
        first_date=next_tuesday(3),
        start_time=time(14, 0),
    )
    schedule_generate(schedule=schedule)
    sweep.send_due()
    diff, result, before = confirm(schedule, django_capture_on_commit_callbacks, start_time=time(15, 0))
    [moved] = result.moved
    mail.outbox.clear()
    sweep.send_due()
    [message] = [m for m in mail.outbox if m.to == [member.email]]
    parts = {
        part.get_content_type(): part
        for part in message_from_bytes(message.message().as_bytes()).walk()
        if part.get_content_type() in {"text/calendar", "application/ics"}
    }
    assert parts["text/calendar"].get_param("method") == "REQUEST"
    inline, attached = (parts[kind].get_payload(decode=True) for kind in ("text/calendar", "application/ics"))
    assert inline.splitlines() == attached.splitlines()
    assert moved.ical_uid.encode() in inline and b"SEQUENCE:1" in inline
    assert "De bijlage zet de wijziging in je agenda." in message.body
