"""The date poll (issue 19 part 3): opening, answering in the app and from the e-mail, the best date,
confirming (the session moved through session_update: one invite per member, the RSVPs reset to the poll
answers) and a weekday poll for a group's fixed day."""

import re
from datetime import time, timedelta
from email import message_from_bytes

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from notifications import sweep, tokens
from notifications.models import Kind, Outbox, Status
from sessions import polls
from sessions.models import RSVP, DatePoll, DatePollAnswer, DatePollOption, Session
from tests.factories import FacilitatorFactory, GroupFactory, MembershipFactory
from tests.sessions.factories import RSVPFactory, SessionFactory

pytestmark = pytest.mark.django_db
YES, IFNEED, NO = DatePollAnswer.Answer.YES, DatePollAnswer.Answer.IF_NEED_BE, DatePollAnswer.Answer.NO


@pytest.fixture
def at_risk():
    """A session two days ahead (inside the 3-day quorum check) with 1 of the quorum of 3 coming; five
    members besides the facilitator; the first invites already sent."""
    group = GroupFactory(quorum=3, alert_quorum_days=3)
    facilitator = FacilitatorFactory(group=group).user
    members = [MembershipFactory(group=group).user for _ in range(5)]
    start = (timezone.now() + timedelta(days=2)).replace(second=0, microsecond=0)
    session = SessionFactory(group=group, starts_at=start, ends_at=start + timedelta(minutes=150))
    RSVPFactory(session=session, user=members[0], answer=RSVP.Answer.ATTEND)
    RSVPFactory(session=session, user=members[1], answer=RSVP.Answer.ATTEND)
    RSVPFactory(session=session, user=members[2], answer=RSVP.Answer.DECLINE, decline_reason="busy")
    session.refresh_from_db()
    return group, facilitator, members, session


def moments(session, *days):
    return [session.starts_at + timedelta(days=d) for d in days]


def open_poll(group, facilitator, session, *days):
    return polls.poll_open(
        group=group, created_by=facilitator, session=session, moments=moments(session, *days)
    )


def test_at_risk_follows_the_quorum_rule(at_risk):
    group, _f, members, session = at_risk
    assert polls.session_at_risk(session, attending=2)
    assert not polls.session_at_risk(session, attending=3)
    later = SessionFactory(group=group, starts_at=timezone.now() + timedelta(days=10))
    later.ends_at = later.starts_at + timedelta(hours=2)
    assert not polls.session_at_risk(later, attending=0)  # outside alert_quorum_days: calm


def test_open_needs_two_to_five_distinct_future_moments(at_risk):
    group, facilitator, _m, session = at_risk
    with pytest.raises(ValidationError, match="2 tot en met 5"):
        open_poll(group, facilitator, session, 7)
    with pytest.raises(ValidationError, match="2 tot en met 5"):
        open_poll(group, facilitator, session, 1, 2, 3, 4, 5, 6)
    with pytest.raises(ValidationError, match="twee keer"):
        open_poll(group, facilitator, session, 7, 7)
    with pytest.raises(ValidationError, match="toekomst"):
        open_poll(group, facilitator, session, -3, 7)
    poll = open_poll(group, facilitator, session, 7, 8)
    assert [o.position for o in poll.options.all()] == [1, 2]
    with pytest.raises(ValidationError, match="loopt al"):
        open_poll(group, facilitator, session, 9, 10)


def test_opening_mails_every_member_once_and_a_retried_sweep_sends_nothing_more(at_risk):
    group, facilitator, members, session = at_risk
    mail.outbox.clear()
    poll = open_poll(group, facilitator, session, 7, 8)
    rows = Outbox.objects.filter(kind=Kind.DATE_POLL)
    assert sorted(rows.values_list("recipient_id", flat=True)) == sorted(m.pk for m in members)
    # The signal again (a repeated receiver): the unique key adds nothing.
    from notifications.poll_mail import plan_date_poll

    plan_date_poll(poll=poll)
    assert rows.count() == 5
    sent = sweep.send_due()
    assert sent == 5, list(rows.values_list("status", "cancel_reason", "last_error", "due_at"))
    assert sweep.send_due() == 0
    sweep.outbox_retry(ids=list(rows.values_list("id", flat=True)))
    assert sweep.send_due() == 0
    assert len(mail.outbox) == 5
    body = mail.outbox[0].body
    assert body.count("/notifications/datum/") == 6 or body.count("datum/") >= 6, body
    assert "als het moet" in body


def poll_links(message) -> list[str]:
    return re.findall(r"https?://\S+/datum/[^/\s]+/", message.body)


def test_email_link_get_confirms_and_only_post_records(at_risk, client):
    group, facilitator, members, session = at_risk
    poll = open_poll(group, facilitator, session, 7, 8)
    sweep.send_due()
    message = next(m for m in mail.outbox if m.to == [members[3].email])
    links = poll_links(message)
    assert len(links) == 6  # two dates, three answers
    path = links[0].split("://", 1)[1]
    path = path[path.index("/") :]
    page = client.get(path)  # a mail scanner
    assert page.status_code == 200
    assert b"Antwoord opslaan" in page.content
    assert not DatePollAnswer.objects.exists()
    done = client.post(path)
    assert done.status_code == 200
    answer = DatePollAnswer.objects.get()
    assert (answer.user, answer.option.position, answer.answer) == (members[3], 1, YES)
    # A tampered token is refused; a poll that closed answers 410.
    assert client.get(path[:-3] + "xx/").status_code == 400
    polls.poll_close(poll=poll)
    assert client.post(path).status_code == 410


def test_link_of_a_member_who_left_no_longer_works(at_risk, client):
    group, facilitator, members, session = at_risk
    open_poll(group, facilitator, session, 7, 8)
    row = Outbox.objects.get(kind=Kind.DATE_POLL, recipient=members[4])
    option = DatePollOption.objects.filter(poll__session=session).first()
    url = tokens.poll_link_url(row.pk, option.pk, "no")
    path = url[url.index("/notifications/") :] if "/notifications/" in url else url.split("testserver")[-1]
    from groups.services import membership_leave

    membership_leave(membership=members[4].memberships.get(group=group))
    page = client.get(path)
    assert page.status_code == 410
    assert group.name.encode() not in page.content


def test_best_is_most_yes_then_if_need_be_then_earliest(at_risk):
    group, facilitator, members, session = at_risk
    poll = open_poll(group, facilitator, session, 9, 7, 8)
    first, second, third = poll.options.order_by("position")  # +9, +7, +8 days
    assert polls.best(polls.tallies(poll)) is None
    polls.poll_answer(option=first, user=members[0], answer=YES)
    polls.poll_answer(option=second, user=members[1], answer=YES)
    # equal yes, no if-need-be: the earliest (second, +7) wins
    assert polls.best(polls.tallies(poll)).option == second
    polls.poll_answer(option=first, user=members[2], answer=IFNEED)
    assert polls.best(polls.tallies(poll)).option == first
    polls.poll_answer(option=third, user=members[3], answer=YES)
    polls.poll_answer(option=third, user=members[4], answer=YES)
    assert polls.best(polls.tallies(poll)).option == third
    polls.poll_answer(option=third, user=members[4], answer=NO)  # changing an answer
    assert DatePollAnswer.objects.filter(option=third, user=members[4]).get().answer == NO


def test_outsiders_cannot_answer(at_risk):
    group, facilitator, members, session = at_risk
    poll = open_poll(group, facilitator, session, 7, 8)
    stranger = MembershipFactory(group=GroupFactory()).user
    with pytest.raises(ValidationError, match="geen deelnemer"):
        polls.poll_answer(option=poll.options.first(), user=stranger, answer=YES)


def test_confirm_moves_the_session_once_and_resets_rsvps(at_risk):
    group, facilitator, members, session = at_risk
    poll = open_poll(group, facilitator, session, 7, 8)
    chosen = poll.options.get(position=1)
    other = poll.options.get(position=2)
    polls.poll_answer(option=chosen, user=members[0], answer=YES)
    polls.poll_answer(option=chosen, user=members[1], answer=NO)
    polls.poll_answer(option=chosen, user=members[2], answer=IFNEED)
    polls.poll_answer(option=other, user=members[3], answer=YES)  # nothing for the chosen date
    sweep.send_due()
    mail.outbox.clear()
    before = session.sequence
    polls.poll_confirm(poll=poll, option=chosen)
    session.refresh_from_db()
    assert session.starts_at == chosen.starts_at
    assert session.ends_at - session.starts_at == timedelta(minutes=150)
    assert session.sequence == before + 1
    rsvps = {r.user_id: r for r in RSVP.objects.filter(session=session)}
    assert rsvps[members[0].pk].answer == RSVP.Answer.ATTEND
    assert rsvps[members[1].pk].answer == RSVP.Answer.DECLINE
    assert rsvps[members[1].pk].decline_reason == RSVP.Reason.OTHER
    assert rsvps[members[1].pk].decline_note == "kan niet op de nieuwe datum"
    assert rsvps[members[2].pk].answer == RSVP.Answer.MAYBE
    assert members[3].pk not in rsvps and members[4].pk not in rsvps
    poll.refresh_from_db()
    assert poll.chosen == chosen and poll.closed_at is not None
    sweep.send_due()
    assert sweep.send_due() == 0
    everyone = [facilitator, *members]
    for user in everyone:
        mine = [m for m in mail.outbox if m.to == [user.email]]
        assert len(mine) == 1, (user, [m.subject for m in mine])
        calendar = [
            part
            for part in message_from_bytes(mine[0].message().as_bytes()).walk()
            if part.get_content_type() == "text/calendar"
        ]
        assert calendar and f"SEQUENCE:{session.sequence}" in calendar[0].get_payload(decode=True).decode()
    with pytest.raises(ValidationError, match="gesloten"):
        polls.poll_answer(option=chosen, user=members[4], answer=YES)


def test_moved_session_invite_reads_as_stored_in_vobject(at_risk):
    """The calendar side: the invite of the move lands on the new instants (the calendar parsers' test)."""
    from tests.calendar_parsers.readers import read_vobject
    from tests.sessions.test_calendar_parsers import assert_read_as_stored, calendar_parts, stored

    group, facilitator, members, session = at_risk
    poll = open_poll(group, facilitator, session, 7, 8)
    chosen = poll.options.get(position=2)
    sweep.send_due()
    mail.outbox.clear()
    polls.poll_confirm(poll=poll, option=chosen)
    sweep.send_due()
    parts = calendar_parts(mail.outbox, members[0])
    assert [kind for kind, _body in parts] == [Kind.INVITE]
    assert assert_read_as_stored(read_vobject, [body for _kind, body in parts], stored([session])) == 1


def test_weekday_poll_for_a_new_group_opens_the_schedule_page(client):
    group = GroupFactory()
    facilitator = FacilitatorFactory(group=group).user
    member = MembershipFactory(group=group).user
    client.force_login(facilitator)
    schedule_page = client.get(reverse("sessions:group_schedule", kwargs={"group_id": group.pk}))
    assert reverse("sessions:poll_new", kwargs={"group_id": group.pk}).encode() in schedule_page.content
    poll = polls.poll_open(group=group, created_by=facilitator, weekdays=[(1, time(14, 0)), (3, time(9, 30))])
    assert poll.session is None and poll.options.count() == 2
    thursday = poll.options.get(position=2)
    polls.poll_answer(option=thursday, user=member, answer=YES)
    assert polls.best(polls.tallies(poll)).option == thursday
    client.force_login(facilitator)
    confirm_url = reverse("sessions:poll_confirm", kwargs={"group_id": group.pk, "poll_id": poll.pk})
    response = client.post(confirm_url, {"option": thursday.pk})
    assert response.status_code == 302
    schedule_url = reverse("sessions:group_schedule", kwargs={"group_id": group.pk})
    assert response["Location"].startswith(schedule_url + "?vanaf=")
    day = polls.next_day_for(thursday)
    assert day.weekday() == 3 and f"vanaf={day.isoformat()}" in response["Location"]
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert day.isoformat().encode() in page.content  # the picker starts on that Thursday
    html = page.content.decode()
    assert re.search(r'<option value="TH"[^>]*selected', html), "the picker's weekday is Thursday"
    assert 'value="09:30"' in html


def test_pages_answer_in_place_and_confirm(at_risk, client):
    group, facilitator, members, session = at_risk
    client.force_login(facilitator)
    new_url = reverse("sessions:poll_new", kwargs={"group_id": group.pk}) + f"?sessie={session.pk}"
    local = timezone.localtime(session.starts_at)
    bad = client.post(new_url, {"day_1": (local + timedelta(days=7)).date().isoformat(), "time_1": "14:00"})
    assert bad.status_code == 400
    assert b"2 tot en met 5" in bad.content
    data = {
        "day_1": (local + timedelta(days=7)).date().isoformat(),
        "time_1": "14:00",
        "day_2": (local + timedelta(days=8)).date().isoformat(),
        "time_2": "",
        "time_3": "14:00",  # the prefilled time of an empty row
    }
    half = client.post(new_url, data)
    assert half.status_code == 400 and b'aria-invalid="true"' in half.content
    data["time_2"] = "19:30"
    created = client.post(new_url, data)
    assert created.status_code == 302
    poll = DatePoll.objects.get(session=session)
    option = poll.options.get(position=2)
    client.force_login(members[0])
    answer_url = reverse(
        "sessions:poll_answer", kwargs={"group_id": group.pk, "poll_id": poll.pk, "option_id": option.pk}
    )
    fragment = client.post(answer_url, {"answer": "ifneed"}, headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    assert b'data-my-answer="ifneed"' in fragment.content and b"<html" not in fragment.content
    wrong = client.post(answer_url, {"answer": "perhaps"}, headers={"HX-Request": "true"})
    assert wrong.status_code == 400 and b'role="alert"' in wrong.content
    # Members do not confirm.
    confirm_url = reverse("sessions:poll_confirm", kwargs={"group_id": group.pk, "poll_id": poll.pk})
    assert client.post(confirm_url, {"option": option.pk}).status_code == 403
    client.force_login(facilitator)
    page = client.get(reverse("sessions:poll", kwargs={"group_id": group.pk, "poll_id": poll.pk}))
    assert f'data-best="{option.pk}"'.encode() in page.content
    assert client.post(confirm_url, {"option": option.pk}).status_code == 302
    session.refresh_from_db()
    assert session.starts_at == option.starts_at
    assert timezone.localtime(session.starts_at).time() == time(19, 30)
    assert session.status == Session.Status.PLANNED
    assert not Outbox.objects.filter(kind=Kind.DATE_POLL, status=Status.FAILED).exists()


def test_home_asks_the_facilitator_for_dates_and_the_members_for_answers(at_risk, client):
    group, facilitator, members, session = at_risk
    home = reverse("home")
    client.force_login(facilitator)
    page = client.get(home).content.decode()
    assert 'data-todo="poll_propose"' in page and "haalt het quorum niet" in page
    assert f"?sessie={session.pk}" in page
    client.force_login(members[0])
    assert 'data-todo="poll_propose"' not in client.get(home).content.decode()  # not for members
    poll = open_poll(group, facilitator, session, 7, 8)
    client.force_login(facilitator)
    assert 'data-todo="poll_propose"' not in client.get(home).content.decode()  # a poll runs already
    client.force_login(members[0])
    assert 'data-todo="poll_vote"' in client.get(home).content.decode()
    first, second = poll.options.order_by("position")
    polls.poll_answer(option=first, user=members[0], answer=YES)
    assert 'data-todo="poll_vote"' in client.get(home).content.decode()  # one date still open
    polls.poll_answer(option=second, user=members[0], answer=NO)
    assert 'data-todo="poll_vote"' not in client.get(home).content.decode()
    client.force_login(MembershipFactory(group=GroupFactory()).user)
    assert 'data-todo="poll_vote"' not in client.get(home).content.decode()  # nobody outside the group


def test_another_groups_poll_is_a_404(at_risk, client):
    group, facilitator, members, session = at_risk
    poll = open_poll(group, facilitator, session, 7, 8)
    other = GroupFactory()
    client.force_login(FacilitatorFactory(group=other).user)
    url = reverse("sessions:poll", kwargs={"group_id": other.pk, "poll_id": poll.pk})
    assert client.get(url).status_code == 404
    option = poll.options.first()
    answer = reverse(
        "sessions:poll_answer", kwargs={"group_id": other.pk, "poll_id": poll.pk, "option_id": option.pk}
    )
    assert client.post(answer, {"answer": "yes"}).status_code == 404
    assert not DatePollAnswer.objects.exists()


def test_who_is_asked_again_gets_the_reminder_for_the_new_date(at_risk):
    """A member who had declined the old date and gave no answer for the new one: their RSVP is gone and
    the reminder their decline cancelled comes back, re-timed to the new date."""
    from notifications import planning
    from sessions import services

    group, facilitator, members, session = at_risk
    planning.session_plan(session=session, created=True)
    services.rsvp_set(session=session, user=members[4], answer=RSVP.Answer.DECLINE, decline_reason="sick")
    reminder = Outbox.objects.get(kind=Kind.REMINDER_SECOND, recipient=members[4], session=session)
    assert reminder.status == Status.CANCELLED
    poll = open_poll(group, facilitator, session, 7, 8)
    chosen = poll.options.get(position=1)
    polls.poll_confirm(poll=poll, option=chosen)
    assert not RSVP.objects.filter(session=session, user=members[4]).exists()
    reminder.refresh_from_db()
    assert reminder.status == Status.PENDING and reminder.cancel_reason == ""
    assert reminder.due_at == planning.local_days_before(
        chosen.starts_at, group.reminder_second_days, timezone.get_default_timezone()
    )


def test_a_cancelled_sessions_poll_offers_no_answers(at_risk, client):
    from sessions import services

    group, facilitator, members, session = at_risk
    poll = open_poll(group, facilitator, session, 7, 8)
    services.session_cancel(session=session, reason="Te weinig aanmeldingen.")
    client.force_login(members[0])
    page = client.get(reverse("sessions:poll", kwargs={"group_id": group.pk, "poll_id": poll.pk}))
    assert page.status_code == 200 and b'name="answer"' not in page.content
    option = poll.options.first()
    url = reverse(
        "sessions:poll_answer", kwargs={"group_id": group.pk, "poll_id": poll.pk, "option_id": option.pk}
    )
    refused = client.post(url, {"answer": "yes"}, headers={"HX-Request": "true"})
    assert refused.status_code == 409 and b'role="alert"' in refused.content
    assert not DatePollAnswer.objects.exists()


def test_closing_cancels_the_invitations_not_sent_yet_also_of_a_weekday_poll():
    from notifications.models import CancelReason

    group = GroupFactory()
    facilitator = FacilitatorFactory(group=group).user
    MembershipFactory(group=group)
    poll = polls.poll_open(group=group, created_by=facilitator, weekdays=[(0, time(9, 0)), (2, time(9, 0))])
    row = Outbox.objects.get(kind=Kind.DATE_POLL)
    assert row.status == Status.PENDING and row.session_id is None
    polls.poll_close(poll=poll)
    row.refresh_from_db()
    assert (row.status, row.cancel_reason) == (Status.CANCELLED, CancelReason.NOT_NEEDED)
    assert sweep.send_due() == 0
