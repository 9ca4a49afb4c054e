import csv
import io
from datetime import timedelta

from django.urls import reverse

from casussen.models import Casus
from reflections import services
from tests.sessions.factories import held_session

from .factories import reflect


def _rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_learning_log_shows_only_my_own_things(world, crew, client_for):
    session = held_session(world.group, ended_ago=timedelta(weeks=5), present=crew, presenters=[world.member])
    reflect(session, world.member, 5, takeaway="Eerst doorvragen", advice_fit=4)
    reflect(session, crew[2], 1, takeaway="Iemand anders")
    services.followup_answer(
        session=session, presenter=world.member, outcome="partly", what_changed="Rustiger"
    )
    Casus.objects.create(
        group=world.group,
        author=world.member,
        title="Mijn casus",
        kernvraag="Hoe kan ik …?",
        status=Casus.Status.SUBMITTED,
    )
    Casus.objects.create(
        group=world.group,
        author=crew[2],
        title="Andermans casus",
        kernvraag="Hoe …?",
        status=Casus.Status.SUBMITTED,
    )
    page = client_for(world.member).get(reverse("reflections:learning_log")).content.decode()
    assert "Eerst doorvragen" in page and "Rustiger" in page and "Mijn casus" in page
    assert "Iemand anders" not in page and "Andermans casus" not in page


def test_csv_export_parses_back(world, crew, client_for):
    session = held_session(world.group, ended_ago=timedelta(weeks=5), present=crew, presenters=[world.member])
    reflect(
        session, world.member, 5, depth=2, takeaway='=HYPERLINK("x")', advice_fit=4, eye_opener="Wat wil jij?"
    )
    reflect(session, crew[2], 1, takeaway="Iemand anders")
    services.followup_answer(
        session=session, presenter=world.member, outcome="applied", what_changed="Het werkt"
    )
    response = client_for(world.member).get(reverse("reflections:learning_log_csv"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    header, *rows = _rows(response)
    assert header[:3] == ["datum", "groep", "soort"]
    assert len(rows) == 2
    assert all(len(row) == len(header) for row in rows)
    reflection = next(row for row in rows if row[2] == "reflectie")
    assert reflection[3:9] == ["5", "2", "5", "5", "5", "5"]
    assert reflection[9] == '\'=HYPERLINK("x")'  # never a formula in a spreadsheet
    assert reflection[11:13] == ["4", "Wat wil jij?"]
    followup = next(row for row in rows if row[2] == "follow-up")
    assert followup[13:15] == ["toegepast", "Het werkt"]
    assert "Iemand anders" not in response.content.decode("utf-8-sig")


def test_a_left_member_keeps_their_reflections_but_not_the_casussen(world, crew, client_for):
    session = held_session(world.group, ended_ago=timedelta(days=3), present=[world.former_member, *crew])
    reflect(session, world.former_member, 3, takeaway="Mijn les")
    Casus.objects.create(
        group=world.group,
        author=world.former_member,
        title="Oude casus",
        kernvraag="Hoe?",
        status=Casus.Status.SUBMITTED,
    )
    page = client_for(world.former_member).get(reverse("reflections:learning_log")).content.decode()
    assert "Mijn les" in page
    assert "Oude casus" not in page
