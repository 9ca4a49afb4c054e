"""Exports parse back and add up: CSV through the csv module, PDF text through pypdf."""

import csv
import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from reflections.models import Reflection


def _csv(response) -> list[list[str]]:
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))


def _pdf_text(response) -> str:
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(response.content))
    return "\n".join(page.extract_text() for page in reader.pages)


def _reflect(session, user):
    scores = dict.fromkeys(
        ("usefulness", "depth", "candor", "safety", "stayed_intervision", "time_well_used"), 4
    )
    Reflection.objects.create(session=session, author=user, **scores)


def _member_export(client_for, world, fmt, **params):
    url = reverse(
        "dashboards:member_accreditation",
        kwargs={"group_id": world.group.pk, "user_id": world.member.pk, "fmt": fmt},
    )
    return client_for(world.facilitator).get(url, params)


def test_accreditation_csv_totals_match(history, world, client_for):
    _reflect(history.sessions[3], world.member)
    rows = _csv(_member_export(client_for, world, "csv"))
    header, body = rows[0], rows[1 : rows.index([])]
    assert header[:6] == ["Deelnemer", "Datum", "Begin", "Einde", "Netto minuten", "Netto uren"]
    assert [r[1] for r in body] == ["08-12-2025", "12-01-2026", "09-02-2026", "13-04-2026"]
    assert [r[2] for r in body] == ["19:00"] * 4  # local time, also after the switch to summer time
    assert [int(r[4]) for r in body] == [135, 120, 150, 140]
    assert [r[10] for r in body] == ["nee", "ja", "nee", "nee"]  # presented a casus
    assert [r[11] for r in body] == ["nee", "nee", "nee", "ja"]  # wrote a reflection
    totals = {r[0]: r for r in rows[rows.index([]) + 2 :]}
    assert totals["2025"][1:] == ["1", "135", "2,25"]
    assert totals["2026"][1:] == ["3", "410", "6,83"]
    assert totals["Totaal"][1:] == ["4", "545", "9,08"]
    assert sum(int(r[4]) for r in body) == int(totals["Totaal"][2])


def test_accreditation_period_filter(history, world, client_for):
    rows = _csv(
        _member_export(client_for, world, "csv", period="custom", start="2026-01-01", end="2026-12-31")
    )
    totals = {r[0]: r for r in rows[rows.index([]) + 2 :]}
    assert totals["Totaal"][1:] == ["3", "410", "6,83"]
    assert "2025" not in totals


def test_own_accreditation_pdf_holds_name_dates_and_hours(history, world, client_for):
    url = reverse("dashboards:my_accreditation_file", kwargs={"fmt": "pdf"})
    response = client_for(world.member).get(url)
    assert response.status_code == 200
    text = _pdf_text(response)
    assert world.member.display_name in text
    for day in ("08-12-2025", "12-01-2026", "09-02-2026", "13-04-2026"):
        assert day in text
    assert "9,08" in text  # total net hours
    assert "6,83" in text and "2,25" in text  # per year
    assert "Verklaring" in text and world.group.name in text
    assert world.facilitator.display_name in text  # the signer


def test_member_downloads_only_their_own(history, world, client_for):
    rows = _csv(
        client_for(history.anna).get(reverse("dashboards:my_accreditation_file", kwargs={"fmt": "csv"}))
    )
    body = rows[1 : rows.index([])]
    assert {r[0] for r in body} == {"Anna de Vries"}
    assert len(body) == 3  # excused on 2026-02-09


def test_bad_period_rerenders_the_form(history, world, client_for):
    url = reverse("dashboards:my_accreditation_file", kwargs={"fmt": "pdf"})
    response = client_for(world.member).get(
        url, {"period": "custom", "start": "2026-05-01", "end": "2026-01-01"}
    )
    assert response.status_code == 400
    assert "De einddatum ligt voor de begindatum." in response.content.decode()
    page = client_for(world.member).get(reverse("dashboards:my_accreditation"), {"start": "not-a-date"})
    assert page.status_code == 400


def test_presence_list_csv_and_pdf(history, world, client_for):
    session = history.sessions[1]
    client = client_for(world.facilitator)
    kwargs = {"group_id": world.group.pk, "session_id": session.pk}
    rows = _csv(client.get(reverse("dashboards:presence_list", kwargs={**kwargs, "fmt": "csv"})))
    body = rows[1:]
    assert len(body) == 5
    assert {r[0] for r in body} == {world.group.name}
    assert {(r[1], r[2], r[3], r[4]) for r in body} == {("12-01-2026", "19:00", "21:00", "120")}
    statuses = {r[7]: r[8] for r in body}
    assert statuses["Cees Smit"] == "afwezig (niet afgemeld)"
    assert statuses["Bram Jansen"] == "afwezig (afgemeld)"
    assert statuses[world.member.display_name] == "te laat"
    assert {r[6] for r in body} == {world.facilitator.display_name}
    text = _pdf_text(client.get(reverse("dashboards:presence_list", kwargs={**kwargs, "fmt": "pdf"})))
    assert "Presentielijst" in text and world.group.name in text and "12-01-2026" in text
    assert "19:00 - 21:00" in text and "120 minuten" in text
    assert "Cees Smit" in text and "Paraaf" in text and "Handtekening" in text


def test_group_attendance_csv_totals(history, world, client_for):
    url = reverse("dashboards:group_attendance", kwargs={"group_id": world.group.pk})
    rows = _csv(client_for(world.facilitator).get(url, {"period": "all"}))
    body = rows[1:]
    assert len(body) == 20
    assert sum(int(r[6]) for r in body) == 5 + 3 + 2 + 3
    per_session = {r[0]: int(r[3]) for r in body}
    assert sum(per_session.values()) == 545


@pytest.mark.parametrize("name", ["Zoë Ærø–Łukasz"])
def test_pdf_survives_names_outside_latin1(history, world, client_for, name):
    world.member.display_name = name
    world.member.save()
    text = _pdf_text(
        client_for(world.member).get(reverse("dashboards:my_accreditation_file", kwargs={"fmt": "pdf"}))
    )
    assert "Zoë Ærø-" in text


def test_csv_defuses_spreadsheet_formulas(history, world, client_for):
    history.cees.display_name = '=HYPERLINK("http://evil.example","klik")'
    history.cees.save()
    url = reverse("dashboards:group_attendance", kwargs={"group_id": world.group.pk})
    rows = _csv(client_for(world.facilitator).get(url, {"period": "all"}))
    names = {r[4] for r in rows[1:]}
    assert '\'=HYPERLINK("http://evil.example","klik")' in names
    assert not any(name.startswith("=") for name in names)
