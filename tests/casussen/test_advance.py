"""Taking part without being there (casussen/advance.py): a member who declined writes questions and advice
before the session; they arrive in the live guide in their phase, marked "vooraf geschreven"; the presenter
sees them and may share the summary (one e-mail per writer, never the questions of others); the member's
learning log counts it, accreditation never does."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from casussen import advance, live
from casussen.models import AdvanceContribution, Advice, Question
from notifications.models import Kind, Outbox
from sessions import services as session_services
from sessions.models import RSVP
from tests.factories import MembershipFactory
from tests.sessions.factories import SessionFactory, held_session

from .factories import held_today

pytestmark = pytest.mark.django_db

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
HOUR = timedelta(hours=1)


def _own_client(user) -> Client:
    """A client of its own (``client_for`` logs one shared client in and out)."""
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def _decline(session, user):
    return session_services.rsvp_set(
        session=session, user=user, answer=RSVP.Answer.DECLINE, decline_reason="busy"
    )


@pytest.fixture
def absent(world, booked):
    """world.member declined the session that ``booked`` (another member's casus) is on."""
    _decline(booked.session, world.member)
    return world.member


def _write(
    client, casus, questions="Wat maakt dit lastig voor jou?\nWat heb je al geprobeerd?", advice="Bel haar."
):
    return client.post(
        reverse("casussen:advance", args=[casus.pk]), {"questions": questions, "advice": advice}
    )


def test_deadline_is_the_end_of_the_day_before_in_amsterdam(world):
    # 30 March 2027 10:00 in Amsterdam (summer time): the deadline is 00:00 there, 29 March 22:00 UTC.
    start = datetime(2027, 3, 30, 10, 0, tzinfo=AMSTERDAM)
    session = SessionFactory(group=world.group, starts_at=start, ends_at=start + timedelta(hours=2))
    closes = advance.deadline(session)
    assert closes == datetime(2027, 3, 29, 22, 0, tzinfo=ZoneInfo("UTC"))
    assert advance.is_open(session, now=closes - timedelta(seconds=1))
    assert not advance.is_open(session, now=closes)
    assert advance.last_day(session) == date(2027, 3, 29)  # the page says "tot en met maandag 29 maart"


def test_declined_member_reads_only_title_and_kernvraag_and_writes(world, client_for, booked, absent):
    client = client_for(absent)
    page = client.get(reverse("casussen:advance", args=[booked.pk]))
    body = page.content.decode()
    assert page.status_code == 200
    assert booked.kernvraag in body and booked.title in body
    assert booked.situatie not in body  # never more than the kernvraag and the title
    response = _write(client, booked)
    assert response.status_code == 302
    assert response["Location"].endswith(
        reverse("sessions:detail", args=[booked.session_id]) + "#panel-advance"
    )
    contribution = AdvanceContribution.objects.get(casus=booked, author=absent)
    assert contribution.questions.splitlines() == [
        "Wat maakt dit lastig voor jou?",
        "Wat heb je al geprobeerd?",
    ]
    assert contribution.advice == "Bel haar."
    # Writing again replaces it (one per member and casus).
    _write(client, booked, questions="Waar ben je bang voor?", advice="")
    contribution.refresh_from_db()
    assert (contribution.questions, contribution.advice) == ("Waar ben je bang voor?", "")
    assert AdvanceContribution.objects.count() == 1


def test_the_session_page_offers_the_form_only_to_who_declined(world, client_for, booked, absent):
    url = reverse("sessions:detail", args=[booked.session_id])
    page = client_for(absent).get(url).content.decode()
    assert 'id="panel-advance"' in page and booked.kernvraag in page
    assert 'id="panel-advance"' not in client_for(world.facilitator).get(url).content.decode()  # no answer
    _decline(booked.session, booked.author)
    assert 'id="panel-advance"' not in client_for(booked.author).get(url).content.decode()  # the presenter


def test_who_may_not_write(world, client_for, booked, absent):
    url = reverse("casussen:advance", args=[booked.pk])
    assert client_for(world.facilitator).get(url).status_code == 403  # did not decline
    _decline(booked.session, booked.author)
    assert client_for(booked.author).get(url).status_code == 403  # the presenter
    assert client_for(world.outsider).get(url).status_code == 404
    assert client_for(world.admin).get(url).status_code == 403
    assert _write(client_for(world.facilitator), booked).status_code == 403
    assert not AdvanceContribution.objects.exists()


def test_after_the_deadline_the_form_closes_with_a_message(world, client_for, booked, absent):
    session = held_today(booked.session)  # today: the end of yesterday has passed
    client = client_for(absent)
    page = client.get(reverse("casussen:advance", args=[booked.pk]))
    assert page.status_code == 200
    assert "data-advance-closed" in page.content.decode() and "<textarea" not in page.content.decode()
    refused = _write(client, booked)
    assert refused.status_code == 409
    assert "De termijn is voorbij" in refused.content.decode()
    assert not AdvanceContribution.objects.exists()
    assert session.pk == booked.session_id


def test_an_empty_or_too_long_contribution_is_refused_at_the_field(world, client_for, booked, absent):
    client = client_for(absent)
    empty = _write(client, booked, questions=" \n ", advice="")
    assert empty.status_code == 400 and "Schrijf een vraag of een advies." in empty.content.decode()
    many = _write(client, booked, questions="\n".join(f"Vraag {n}?" for n in range(6)), advice="")
    assert many.status_code == 400 and 'aria-invalid="true"' in many.content.decode()
    assert not AdvanceContribution.objects.exists()


def _phase_to(client, session, kind):
    from casussen.models import LiveRun

    run = LiveRun.objects.get(session=session, finished_at__isnull=True)
    while run.method.phases.get(position=run.phase_position).kind != kind:
        assert (
            client.post(reverse("casussen:live_step", args=[session.pk]), {"action": "next"}).status_code
            == 302
        )
        run.refresh_from_db()
    return run


def test_contributions_arrive_in_their_phase_marked_and_the_presenter_sees_them(
    world, client_for, booked, absent
):
    _write(client_for(absent), booked)
    session = held_today(booked.session)
    facilitator = _own_client(world.facilitator)
    assert (
        facilitator.post(reverse("casussen:live_start", args=[session.pk]), {"casus": booked.pk}).status_code
        == 302
    )
    live_url = reverse("casussen:live", args=[session.pk])
    first = facilitator.get(live_url).content.decode()
    assert "Wat maakt dit lastig voor jou?" not in first  # not before the question phase
    live.question_add(run=booked.runs.get(), author=world.facilitator, text="Live vraag?")
    _phase_to(facilitator, session, "questions")
    page = _own_client(booked.author).get(live_url).content.decode()
    assert "Wat maakt dit lastig voor jou?" in page and "data-written-in-advance" in page
    assert absent.display_name in page
    questions = list(Question.objects.filter(run__session=session).order_by("created_at", "pk"))
    assert [q.written_in_advance for q in questions] == [True, True, False]  # written earlier, listed first
    assert "Bel haar." not in page  # the advice waits for the advice round
    _phase_to(facilitator, session, "advice")
    page = facilitator.get(live_url).content.decode()
    assert 'id="advance-advice"' in page and "Bel haar." in page
    # A second pass through the phases delivers nothing twice.
    facilitator.post(reverse("casussen:live_step", args=[session.pk]), {"action": "back"})
    facilitator.post(reverse("casussen:live_step", args=[session.pk]), {"action": "next"})
    assert Question.objects.filter(written_in_advance=True).count() == 2
    assert Advice.objects.filter(written_in_advance=True).count() == 1
    run = _phase_to(facilitator, session, "evaluation")
    while not run.finished_at:
        action = (
            "finish" if run.phase_position == run.method.phases.order_by("-position")[0].position else "next"
        )
        facilitator.post(reverse("casussen:live_step", args=[session.pk]), {"action": action})
        run.refresh_from_db()
    detail = _own_client(booked.author).get(reverse("casussen:detail", args=[booked.pk])).content.decode()
    assert "Bel haar." in detail and "data-written-in-advance" in detail


def test_finishing_early_delivers_what_is_left(world, booked, absent):
    advance.advance_save(casus=booked, author=absent, questions="Vraag?", advice="Advies.")
    session = held_today(booked.session)
    run = live.live_start(session=session, casus=booked)
    assert not Question.objects.filter(run=run).exists()
    for _step in range(run.method.phases.count() - 1):
        run = live.live_step(run=run, action="next")
    live.live_step(run=run, action="finish")
    assert Question.objects.get(run=run).written_in_advance
    assert Advice.objects.get(run=run).text == "Advies."


def _discuss(booked, writers):
    for writer, text in writers:
        advance.advance_save(casus=booked, author=writer, questions=text, advice=f"Advies van {writer.pk}")
    session = held_today(booked.session)
    run = live.live_start(session=session, casus=booked)
    for _step in range(run.method.phases.count() - 1):
        run = live.live_step(run=run, action="next")
    live.live_step(run=run, action="finish")
    booked.refresh_from_db()
    return session


def test_presenter_shares_the_summary_once_per_writer_without_the_questions_of_others(
    world, client_for, booked, absent, settings
):
    other = MembershipFactory(group=world.group).user
    _decline(booked.session, other)
    session = _discuss(booked, [(absent, "Vraag Zonnewijzer?"), (other, "Vraag Koekoeksklok?")])
    client = client_for(booked.author)
    url = reverse("casussen:summary", args=[booked.pk])
    form = client.get(url).content.decode()
    assert "Deel mijn samenvatting met wie vooraf schreef" in form and absent.display_name in form
    data = {"outcome": "", "takeaways": "Ik vraag eerder door.", "action_1": "Bellen", "action_2": ""}
    assert client.post(url, {**data, "share_with_advance": "on"}).status_code == 302
    rows = Outbox.objects.filter(kind=Kind.ADVANCE_SUMMARY)
    assert sorted(rows.values_list("recipient_id", flat=True)) == sorted([absent.pk, other.pk])
    assert set(rows.values_list("session_id", flat=True)) == {session.pk}
    client.post(url, {**data, "share_with_advance": "on"})  # again: nothing new
    assert rows.count() == 2
    from notifications import sweep

    sweep.sweep_once()
    sent = [m for m in mail.outbox if m.to == [absent.email]]
    assert len(sent) == 1
    text = sent[0].body + "".join(str(part[0]) for part in sent[0].alternatives)
    assert "Vraag Koekoeksklok?" not in text and "Vraag Zonnewijzer?" not in text
    assert "Ik vraag eerder door." not in text  # casus text stays in the app
    assert reverse("sessions:detail", args=[session.pk]) in text
    # The absent member reads the shared summary on the session page.
    page = client_for(absent).get(reverse("sessions:detail", args=[session.pk])).content.decode()
    assert "Ik vraag eerder door." in page and "Vraag Koekoeksklok?" not in page


def test_without_the_choice_nothing_is_sent(world, client_for, booked, absent):
    _discuss(booked, [(absent, "Vraag?")])
    data = {"outcome": "", "takeaways": "Meegenomen.", "action_1": "Actie", "action_2": ""}
    assert (
        client_for(booked.author).post(reverse("casussen:summary", args=[booked.pk]), data).status_code == 302
    )
    assert not Outbox.objects.filter(kind=Kind.ADVANCE_SUMMARY).exists()


def test_counts_in_the_learning_log_never_as_attendance(world, client_for, booked, absent):
    session = _discuss(booked, [(absent, "Vraag?")])
    held_session(session=session, present=[world.facilitator, booked.author], absent=[absent], ended_ago=HOUR)
    log = client_for(absent).get(reverse("reflections:learning_log")).content.decode()
    assert 'data-entry="advance"' in log and "Schriftelijk bijgedragen" in log
    csv = client_for(absent).get(reverse("reflections:learning_log_csv")).content.decode()
    assert "schriftelijk bijgedragen" in csv
    mine = client_for(absent).get(reverse("sessions:mine")).content.decode()
    assert 'data-link="advance-written"' in mine and "Schriftelijk bijgedragen" in mine
    assert (
        'data-link="advance-written"'
        not in client_for(world.facilitator).get(reverse("sessions:mine")).content.decode()
    )
    # Accreditation: the presence list still says absent, the member's overview lists no session.
    presence = client_for(world.facilitator).get(
        reverse(
            "dashboards:presence_list",
            kwargs={"group_id": world.group.pk, "session_id": session.pk, "fmt": "csv"},
        )
    )
    line = next(line for line in presence.content.decode().splitlines() if absent.display_name in line)
    assert "afwezig" in line
    grid = client_for(world.facilitator).get(
        reverse("dashboards:group_attendance", kwargs={"group_id": world.group.pk})
    )
    row = next(line for line in grid.content.decode().splitlines() if absent.display_name in line)
    assert "afwezig" in row and row.rstrip().endswith(";0")  # counted as not present
    overview = client_for(absent).get(reverse("dashboards:my_accreditation_file", args=["csv"]))
    assert overview.status_code == 200
    assert timezone.localtime(session.starts_at).date().isoformat() not in overview.content.decode()


def test_home_lists_the_item_while_the_deadline_is_open(world, client_for, booked, absent):
    home = client_for(absent).get(reverse("home")).content.decode()
    assert 'data-todo="advance"' in home
    assert reverse("casussen:advance", args=[booked.pk]) in home
    advance.advance_save(casus=booked, author=absent, questions="Vraag?", advice="")
    assert 'data-todo="advance"' not in client_for(absent).get(reverse("home")).content.decode()
    assert 'data-todo="advance"' not in client_for(world.facilitator).get(reverse("home")).content.decode()


def test_the_retention_purge_removes_what_was_written_in_advance(world, booked, absent):
    from dateutil.relativedelta import relativedelta

    from casussen import services

    advance.advance_save(casus=booked, author=absent, questions="Vraag Zeepbel?", advice="Advies.")
    later = booked.session.starts_at + relativedelta(months=world.group.casus_retention_months, days=1)
    assert services.casus_purge_expired(now=later) == 1
    assert not AdvanceContribution.objects.exists()


def test_the_data_download_holds_what_the_member_wrote_in_advance(world, client_for, booked, absent):
    from privacy.services import export_data

    advance.advance_save(casus=booked, author=absent, questions="Vraag Zeepbel?", advice="")
    rows = export_data(absent)["written_in_advance"]
    assert [row["questions"] for row in rows] == ["Vraag Zeepbel?"]
    assert export_data(world.facilitator)["written_in_advance"] == []


def test_a_cancelled_session_leaves_no_contribution_in_the_learning_log(world, client_for, booked, absent):
    advance.advance_save(casus=booked, author=absent, questions="Vraag?", advice="")
    log = reverse("reflections:learning_log")
    assert 'data-entry="advance"' in client_for(absent).get(log).content.decode()
    session_services.session_cancel(session=booked.session, reason="Te weinig aanmeldingen")
    assert 'data-entry="advance"' not in client_for(absent).get(log).content.decode()
