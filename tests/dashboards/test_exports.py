"""Exports parse back and add up: CSV through the csv module, PDF text through pypdf."""

import csv
import io
from collections import defaultdict
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import ngettext
from pypdf import PdfReader

from reflections.models import Reflection
from sessions.models import Attendance, Session
from tests.html import texts

from .factories import local

# Columns of the accreditation CSV (one row a session) and of its totals block (one row a year, then the
# total over the period): the header row names them, the tests read them by position.
NAME, DATE, START, END, NET_MINUTES, NET_HOURS = range(6)
PRESENTED, REFLECTED = 10, 11
ACCREDITATION_COLUMNS = 16


def _csv(response) -> list[list[str]]:
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))


def _accreditation(response) -> tuple[list[list[str]], list[list[str]], list[str]]:
    """The session rows, the year rows and the total row of an accreditation CSV (a blank row and the
    totals' header come between the sessions and the totals)."""
    rows = _csv(response)
    blank = rows.index([])
    header, body = rows[0], rows[1:blank]
    assert len(header) == ACCREDITATION_COLUMNS and all(len(r) == ACCREDITATION_COLUMNS for r in body)
    *years, total = rows[blank + 2 :]
    return body, years, total


def _number(response, text: str) -> Decimal:
    """A number as the export wrote it, read back in the export's own language (2,25 in Dutch)."""
    with translation.override(response["Content-Language"]):
        return Decimal(formats.sanitize_separators(text))


def _hours(minutes: int) -> Decimal:
    return (Decimal(minutes) / 60).quantize(Decimal("0.01"))


def _attended(member, *, since=None) -> list[Session]:
    """The held sessions ``member`` attended (present or late), from the attendance rows themselves."""
    attendances = Attendance.objects.filter(
        user=member,
        status__in=[Attendance.Status.PRESENT, Attendance.Status.LATE],
        session__status=Session.Status.HELD,
    )
    if since is not None:
        attendances = attendances.filter(session__starts_at__gte=since)
    return [a.session for a in attendances.select_related("session").order_by("session__starts_at")]


def _minutes_per_year(sessions) -> dict[str, list[int]]:
    years = defaultdict(list)
    for session in sessions:
        years[str(timezone.localtime(session.starts_at).year)].append(session.net_minutes)
    return dict(years)


def _assert_totals(response, years, total, sessions):
    """The totals block adds up what the attendance rows hold: per year and over the period, the number of
    sessions, the net minutes and the net hours (two decimals)."""
    expected = _minutes_per_year(sessions)
    assert [row[0] for row in years] == list(expected)
    for row in years:
        minutes = expected[row[0]]
        assert (int(row[1]), int(row[2]), _number(response, row[3])) == (
            len(minutes),
            sum(minutes),
            _hours(sum(minutes)),
        )
    all_minutes = sum(s.net_minutes for s in sessions)
    assert (int(total[1]), int(total[2]), _number(response, total[3])) == (
        len(sessions),
        all_minutes,
        _hours(all_minutes),
    )


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


def _yes_no(response) -> tuple[str, str]:
    """ "Yes" and "no" as the export writes them, in its language."""
    from dashboards.exports import yes_no

    with translation.override(response["Content-Language"]):
        return yes_no(True), yes_no(False)


def _member_export(client_for, world, fmt, **params):
    url = reverse(
        "dashboards:member_accreditation",
        kwargs={"group_id": world.group.pk, "user_id": world.member.pk, "fmt": fmt},
    )
    return client_for(world.facilitator).get(url, params)


def test_accreditation_csv_totals_match(history, world, client_for):
    _reflect(history.sessions[3], world.member)
    response = _member_export(client_for, world, "csv")
    body, years, total = _accreditation(response)
    sessions = _attended(world.member)
    assert [r[DATE] for r in body] == ["08-12-2025", "12-01-2026", "09-02-2026", "13-04-2026"]
    assert [r[START] for r in body] == ["19:00"] * 4  # local time, also after the switch to summer time
    assert [int(r[NET_MINUTES]) for r in body] == [s.net_minutes for s in sessions] == [135, 120, 150, 140]
    assert [_number(response, r[NET_HOURS]) for r in body] == [_hours(s.net_minutes) for s in sessions]
    yes, no = _yes_no(response)
    assert [r[PRESENTED] for r in body] == [no, yes, no, no]  # presented a casus
    assert [r[REFLECTED] for r in body] == [no, no, no, yes]  # wrote a reflection
    _assert_totals(response, years, total, sessions)
    assert [row[0] for row in years] == ["2025", "2026"]


def test_accreditation_period_filter(history, world, client_for):
    response = _member_export(client_for, world, "csv", period="custom", start="2026-01-01", end="2026-12-31")
    body, years, total = _accreditation(response)
    sessions = _attended(world.member, since=local(2026, 1, 1, 0))
    assert len(body) == len(sessions) == 3
    _assert_totals(response, years, total, sessions)
    assert [row[0] for row in years] == ["2026"]


def test_own_accreditation_pdf_holds_name_dates_and_hours(history, world, client_for):
    url = reverse("dashboards:my_accreditation_file", kwargs={"fmt": "pdf"})
    response = client_for(world.member).get(url)
    assert response.status_code == 200
    text = _pdf_text(response)
    assert world.member.display_name in text
    sessions = _attended(world.member)
    for session in sessions:
        assert formats.date_format(timezone.localtime(session.starts_at), "d-m-Y") in text
    # The net hours in total and per year, written as the export's language writes numbers.
    with translation.override(response["Content-Language"]):
        figures = [sum(s.net_minutes for s in sessions)]
        figures += [sum(minutes) for minutes in _minutes_per_year(sessions).values()]
        for minutes in figures:
            assert formats.number_format(_hours(minutes), 2) in text
    assert world.group.name in text
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
    form = response.context["form"]
    assert list(form.errors) == ["end"]  # the end date is the one in error
    # The page shows that error (and only it), and keeps what was typed.
    assert texts(response.content.decode(), "div", class_="text-danger") == list(form.errors["end"])
    assert (form["start"].value(), form["end"].value()) == ("2026-05-01", "2026-01-01")
    page = client_for(world.member).get(reverse("dashboards:my_accreditation"), {"start": "not-a-date"})
    assert page.status_code == 400
    assert list(page.context["form"].errors) == ["start"]
    assert texts(page.content.decode(), "div", class_="text-danger") == list(
        page.context["form"].errors["start"]
    )


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


def test_accreditation_pdf_counts_in_words_and_breaks_no_word(history, world, client_for):
    """One session in the period reads "1 bijeenkomst" (singular), and the werkvorm's name in the table is
    one word on one line (the columns are wide enough)."""
    response = _member_export(client_for, world, "pdf", period="custom", start="2025-12-01", end="2025-12-31")
    text = _pdf_text(response)
    session = _attended(world.member, since=local(2025, 12, 1, 0))[0]
    hours = formats.number_format(_hours(session.net_minutes), 2)
    with translation.override(response["Content-Language"]):
        total = ngettext(
            "%(n)s bijeenkomst, %(hours)s netto uur", "%(n)s bijeenkomsten, %(hours)s netto uur", 1
        ) % {"n": 1, "hours": hours}
    assert total in text
    assert session.method is not None
    assert any(session.method.name in line for line in text.splitlines()), text
