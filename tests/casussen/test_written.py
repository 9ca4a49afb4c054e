"""Intervision in writing: a session switched to written gets a deadline per phase of its werkvorm, the open
phase follows the deadlines, members write what it asks, reminders per phase go through the outbox (once,
re-timed when a deadline moves), and the end is the live guide's own "Bespreking afronden"."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from casussen import written
from casussen.models import Advice, Casus, LiveRun, Question
from notifications.models import Kind, Outbox, Status
from sessions import written as session_written
from sessions.models import PhaseDeadline, Session
from tests.casussen.factories import booked_casus
from tests.factories import MembershipFactory
from tests.sessions.factories import SessionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(world):
    start = (timezone.now() + timedelta(days=14)).replace(second=0, microsecond=0)
    session = SessionFactory(group=world.group, starts_at=start, ends_at=start + timedelta(hours=2))
    presenter = MembershipFactory(group=world.group).user
    casus = booked_casus(session=session, author=presenter)
    return session, casus, presenter


def _switch(session):
    run = written.written_switch(session=session, format=Session.Format.WRITTEN)
    session.refresh_from_db()
    return run


def _open_phase(session, kind):
    """Move the clock of the deadlines so that the first phase of ``kind`` is open (earlier ones passed)."""
    line = written.timeline(session)
    now = timezone.now()
    target = next(d for d in line.deadlines if d.phase.kind == kind)
    for offset, deadline in enumerate(d for d in line.deadlines if d.phase.position < target.phase.position):
        PhaseDeadline.objects.filter(pk=deadline.pk).update(due_at=now - timedelta(minutes=60 - offset))
    return target


def test_switch_proposes_even_deadlines_and_starts_the_written_run(setup):
    session, casus, presenter = setup
    before = timezone.now()
    run = _switch(session)
    deadlines = list(PhaseDeadline.objects.filter(session=session).order_by("phase__position"))
    phases = list(session.method.phases.order_by("position"))
    assert [d.phase_id for d in deadlines] == [p.pk for p in phases]
    assert deadlines[-1].due_at == session.starts_at
    gaps = [(b.due_at - a.due_at).total_seconds() for a, b in zip(deadlines, deadlines[1:], strict=False)]
    assert max(gaps) - min(gaps) <= 120  # even, on whole minutes
    assert deadlines[0].due_at > before
    assert session.format == Session.Format.WRITTEN
    assert run.casus_id == casus.pk and run.presenter_id == presenter.pk
    assert run.phase_position == phases[0].position


def test_questions_only_in_a_question_phase_and_not_by_the_presenter(setup, world):
    session, casus, presenter = setup
    run = _switch(session)
    with pytest.raises(ValidationError):
        written.written_contribute(run=run, author=world.member, text="Wat maakt dit lastig?")
    target = _open_phase(session, "questions")
    written.written_contribute(run=run, author=world.member, text="Wat maakt dit lastig?")
    run.refresh_from_db()
    assert run.phase_position == target.phase.position  # the run followed the deadlines
    assert Question.objects.filter(run=run, author=world.member).count() == 1
    with pytest.raises(ValidationError):
        written.written_contribute(run=run, author=presenter, text="Een eigen vraag?")


def test_advice_then_reflection_then_the_end_makes_the_casus_discussed(setup, world):
    session, casus, presenter = setup
    run = _switch(session)
    _open_phase(session, "advice")
    written.written_contribute(run=run, author=world.member, text="Bel haar morgen.")
    assert Advice.objects.get(run=run).author == world.member
    _open_phase(session, "evaluation")
    with pytest.raises(ValidationError):
        written.written_contribute(run=run, author=world.member, text="Niet van mij.")
    written.written_contribute(run=run, author=presenter, text="Ik neem mee: eerst luisteren.")
    casus.refresh_from_db()
    assert casus.takeaways == "Ik neem mee: eerst luisteren." and casus.status == Casus.Status.BOOKED
    PhaseDeadline.objects.filter(session=session).update(due_at=timezone.now() - timedelta(minutes=1))
    assert written.written_advance_due() == 1
    assert written.written_advance_due() == 0  # idempotent
    casus.refresh_from_db()
    run.refresh_from_db()
    assert run.finished_at is not None and casus.status == Casus.Status.DISCUSSED


def test_the_facilitator_closes_early(setup):
    session, casus, _presenter = setup
    run = _switch(session)
    written.written_close(run=run)
    casus.refresh_from_db()
    assert casus.status == Casus.Status.DISCUSSED


def test_move_deadline_keeps_the_order(setup):
    session, _casus, _presenter = setup
    _switch(session)
    deadlines = list(PhaseDeadline.objects.filter(session=session).order_by("phase__position"))
    with pytest.raises(ValidationError) as refused:
        session_written.phase_deadline_move(deadline=deadlines[1], due_at=deadlines[0].due_at)
    assert "due_at" in refused.value.error_dict
    with pytest.raises(ValidationError):
        session_written.phase_deadline_move(deadline=deadlines[0], due_at=timezone.now() - timedelta(hours=1))
    new = deadlines[1].due_at + timedelta(hours=3)
    session_written.phase_deadline_move(deadline=deadlines[1], due_at=new)
    deadlines[1].refresh_from_db()
    assert deadlines[1].due_at == new


def test_reminders_per_writing_phase_retimed_when_a_deadline_moves(setup, world):
    session, _casus, presenter = setup
    _switch(session)
    rows = Outbox.objects.filter(kind=Kind.WRITTEN_PHASE, session=session, status=Status.PENDING)
    by_user = {}
    for row in rows:
        by_user.setdefault(row.recipient_id, []).append(row)
    # every member, for each writing phase; whom a phase asks is decided when it is sent
    assert {uid: len(r) for uid, r in by_user.items()} == dict.fromkeys(
        [world.member.pk, world.facilitator.pk, presenter.pk], 3
    )
    line = written.timeline(session)
    advice = next(d for d in line.deadlines if d.phase.kind == "advice")
    row = rows.get(recipient=world.member, subject_key=written.reminder_key(session.pk, advice.phase_id))
    assert row.due_at == advice.due_at - timedelta(days=1)
    later = advice.due_at + timedelta(hours=2)
    session_written.phase_deadline_move(deadline=advice, due_at=later)
    row.refresh_from_db()
    assert row.due_at == later - timedelta(days=1) and row.status == Status.PENDING
    assert rows.count() == 9  # re-timed, not doubled
    written.written_switch(session=session, format=Session.Format.LIVE)
    assert not Outbox.objects.filter(kind=Kind.WRITTEN_PHASE, session=session, status=Status.PENDING).exists()
    assert not LiveRun.objects.filter(session=session).exists()


def test_a_member_who_joins_after_the_switch_gets_the_phase_reminders_too(setup, world):
    from groups import services as group_services
    from notifications.written_planning import plan_written_for_group
    from tests.factories import InvitationFactory, UserFactory

    session, _casus, _presenter = setup
    _switch(session)
    newcomer = UserFactory(email="nieuw@example.nl")
    invitation = InvitationFactory(group=world.group, email=newcomer.email, invited_by=world.facilitator)
    group_services.invitation_accept(invitation_id=invitation.pk, user=newcomer)

    mine = Outbox.objects.filter(kind=Kind.WRITTEN_PHASE, session=session, recipient=newcomer)
    assert mine.filter(status=Status.PENDING).count() == 3  # one per writing phase, as the others have
    plan_written_for_group(group_id=world.group.pk)  # planned again: no second row
    assert mine.count() == 3


def test_the_sweep_sends_a_phase_reminder_once_even_when_retried_and_not_after_writing(setup, world):
    from django.core import mail

    from notifications import sweep

    session, _casus, _presenter = setup
    run = _switch(session)
    line = written.timeline(session)
    questions = next(d for d in line.deadlines if d.phase.kind == "questions")
    key = written.reminder_key(session.pk, questions.phase_id)
    rows = Outbox.objects.filter(kind=Kind.WRITTEN_PHASE, subject_key=key)
    mine = rows.get(recipient=world.member)
    facilitators = rows.get(recipient=world.facilitator)
    presenters = rows.get(recipient=_presenter)  # questions are the others' to ask
    # the facilitator writes a question first: their reminder is no longer needed
    _open_phase(session, "questions")
    written.written_contribute(run=run, author=world.facilitator, text="Wat heb je al geprobeerd?")
    rows.update(due_at=timezone.now() - timedelta(minutes=1))
    mail.outbox.clear()
    assert sweep.sweep_once() >= 1
    assert sweep.sweep_once() == 0  # a retried sweep
    assert sweep.send_due(ids=[mine.pk]) == 0  # a retried sender for exactly this row
    sent = [m for m in mail.outbox if m.to == [world.member.email]]
    assert len(sent) == 1 and world.group.name in sent[0].subject
    assert _casus.title not in sent[0].body  # nothing of the casus in an e-mail
    mine.refresh_from_db()
    facilitators.refresh_from_db()
    assert mine.status == Status.SENT
    assert facilitators.status == Status.CANCELLED
    presenters.refresh_from_db()
    assert presenters.status == Status.CANCELLED
    assert not [m for m in mail.outbox if m.to == [world.facilitator.email]]


def _as(user):
    from django.test import Client

    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def test_pages_switch_write_move_in_place_and_close(setup, world):
    from django.urls import reverse

    client_for = _as

    session, casus, presenter = setup
    facilitator = client_for(world.facilitator)
    setup_url = reverse("casussen:written_setup", kwargs={"session_id": session.pk})
    assert facilitator.get(setup_url).status_code == 200
    response = facilitator.post(setup_url, {"format": "written"})
    page = reverse("casussen:written", kwargs={"session_id": session.pk})
    assert response.status_code == 302 and response["Location"] == page
    detail = facilitator.get(reverse("sessions:detail", kwargs={"session_id": session.pk}))
    assert page in detail.content.decode()
    member = client_for(world.member)
    body = member.get(page).content.decode()
    assert casus.kernvraag in body and 'id="written-deadlines"' in body
    # a question outside a question phase: refused at the field, typed text kept
    contribute = reverse("casussen:written_contribute", kwargs={"session_id": session.pk})
    refused = member.post(contribute, {"text": "Te vroege vraag?"})
    assert refused.status_code == 400
    assert (
        'aria-invalid="true"' in refused.content.decode() and "Te vroege vraag?" in refused.content.decode()
    )
    # the facilitator moves a deadline before the one ahead of it: 400 in place, with the typed value
    deadlines = list(PhaseDeadline.objects.filter(session=session).order_by("phase__position"))
    second = deadlines[1]
    move = reverse("casussen:written_deadline", kwargs={"session_id": session.pk, "deadline_id": second.pk})
    too_early = timezone.localtime(deadlines[0].due_at - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    answer = facilitator.post(move, {f"d{second.pk}-due_at": too_early}, HTTP_HX_REQUEST="true")
    text = answer.content.decode()
    assert answer.status_code == 400 and 'aria-invalid="true"' in text and too_early in text
    assert f'id="deadline-{second.pk}"' in text and "<html" not in text
    later = timezone.localtime(second.due_at + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    moved = facilitator.post(move, {f"d{second.pk}-due_at": later}, HTTP_HX_REQUEST="true")
    assert moved.status_code == 200
    second.refresh_from_db()
    assert timezone.localtime(second.due_at).strftime("%Y-%m-%dT%H:%M") == later
    # a member may not move it
    assert member.post(move, {f"d{second.pk}-due_at": later}).status_code == 403
    _open_phase(session, "questions")
    assert member.post(contribute, {"text": "Wat maakt dit lastig?"}).status_code == 302
    assert "Wat maakt dit lastig?" in member.get(page).content.decode()
    close = reverse("casussen:written_close", kwargs={"session_id": session.pk})
    assert member.post(close).status_code == 403
    assert facilitator.post(close).status_code == 302
    casus.refresh_from_db()
    assert casus.status == Casus.Status.DISCUSSED
    # outsiders see nothing of it
    assert client_for(world.outsider).get(page).status_code == 404
    assert client_for(world.admin).get(page).status_code == 403


def test_home_asks_the_member_for_their_questions_until_written(setup, world):
    client_for = _as
    session, _casus, presenter = setup
    run = _switch(session)
    _open_phase(session, "questions")
    member = client_for(world.member)
    home = member.get("/").content.decode()
    assert "Schrijf je vragen voor de casus van" in home
    assert "Schrijf je vragen" not in client_for(presenter).get("/").content.decode()
    written.written_contribute(run=run, author=world.member, text="Wat maakt dit lastig?")
    assert "Schrijf je vragen voor de casus van" not in member.get("/").content.decode()


def test_a_casus_booked_after_the_switch_is_started_from_the_written_page_and_its_presenter_reminded(world):
    from django.urls import reverse

    start = (timezone.now() + timedelta(days=14)).replace(second=0, microsecond=0)
    session = SessionFactory(group=world.group, starts_at=start, ends_at=start + timedelta(hours=2))
    presenter = MembershipFactory(group=world.group).user
    assert written.written_switch(session=session, format=Session.Format.WRITTEN) is None
    booked_casus(session=session, author=presenter)
    rows = Outbox.objects.filter(kind=Kind.WRITTEN_PHASE, session=session, status=Status.PENDING)
    assert rows.filter(recipient=presenter).count() == 3  # one per writing phase, judged when sent
    facilitator = _as(world.facilitator)
    page = reverse("casussen:written", kwargs={"session_id": session.pk})
    assert 'id="written-start"' in facilitator.get(page).content.decode()
    assert 'id="written-start"' not in _as(world.member).get(page).content.decode()
    facilitator.post(
        reverse("casussen:written_setup", kwargs={"session_id": session.pk}), {"format": "written"}
    )
    assert LiveRun.objects.get(session=session).presenter_id == presenter.pk
    live = reverse("casussen:live", kwargs={"session_id": session.pk})
    assert facilitator.get(live)["Location"] == page


def test_the_presenter_marks_an_eye_opening_question_on_the_written_page(setup, world):
    from django.urls import reverse

    session, _casus, presenter = setup
    run = _switch(session)
    _open_phase(session, "questions")
    question = written.written_contribute(run=run, author=world.member, text="Waar ben je bang voor?")
    pim = _as(presenter)
    page = reverse("casussen:written", kwargs={"session_id": session.pk})
    body = pim.get(page).content.decode()
    mark = reverse("casussen:question_mark", kwargs={"session_id": session.pk, "question_id": question.pk})
    assert f'action="{mark}"' in body and "data-hx-post" not in body.split('id="question-log"')[1]
    response = pim.post(mark, {"opened_eyes": "1"}, follow=True)
    assert response.redirect_chain[-1][0] == page
    question.refresh_from_db()
    assert question.opened_eyes


def test_a_group_whose_schedule_is_written_gets_written_sessions_started_from_the_written_page(world):
    from django.urls import reverse

    from sessions.schedule import schedule_generate
    from tests.sessions.factories import ScheduleFactory, shipped_method

    schedule = ScheduleFactory(
        group=world.group,
        first_date=timezone.localdate() + timedelta(days=10),
        start_time=timezone.datetime(2000, 1, 1, 14, 0).time(),
        default_method=shipped_method("incidentmethode"),
        default_format="written",
    )
    schedule_generate(schedule=schedule)
    session = Session.objects.filter(group=world.group).order_by("starts_at").first()
    assert session.format == Session.Format.WRITTEN
    casus = booked_casus(session=session, author=world.member)
    facilitator = _as(world.facilitator)
    page = reverse("casussen:written", kwargs={"session_id": session.pk})
    assert 'id="written-start"' in facilitator.get(page).content.decode()
    facilitator.post(
        reverse("casussen:written_setup", kwargs={"session_id": session.pk}), {"format": "written"}
    )
    assert PhaseDeadline.objects.filter(session=session).count() == session.method.phases.count()
    assert LiveRun.objects.get(session=session).casus_id == casus.pk


def test_the_schedule_page_sets_the_default_format(world):
    from django.urls import reverse

    from tests.sessions.factories import ScheduleFactory

    ScheduleFactory(group=world.group)
    facilitator = _as(world.facilitator)
    url = reverse("sessions:group_schedule", kwargs={"group_id": world.group.pk})
    body = facilitator.get(url).content.decode()
    assert 'name="default_format"' in body


def test_another_werkvorm_before_the_round_begins_brings_its_own_deadlines(world):
    from sessions.services import session_method_set
    from tests.sessions.factories import shipped_method

    start = (timezone.now() + timedelta(days=14)).replace(second=0, microsecond=0)
    session = SessionFactory(group=world.group, starts_at=start, ends_at=start + timedelta(hours=2))
    written.written_switch(session=session, format=Session.Format.WRITTEN)
    other = shipped_method("balint")
    session_method_set(session=session, method=other)
    phases = {
        d.phase.method_id for d in PhaseDeadline.objects.filter(session=session).select_related("phase")
    }
    assert phases == {other.pk}
    assert PhaseDeadline.objects.filter(session=session).count() == other.phases.count()
