"""The accreditation exports carry the registers: the member's registrations, the facilitator's on the
statement line, every attendee's on the presence list, and the organisation. CSV read back with the csv
module (by the header's column names), PDF text through pypdf; what the PDF draws stays inside the page."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from fpdf import FPDF
from pypdf import PdfReader

from accounts import services
from accounts.models import ProfessionalRegistration

Register = ProfessionalRegistration.Register
LONG_OTHER = "Register Vaktherapeutische Beroepen en Creatieve Therapie"


def _rows(response) -> list[dict[str, str]]:
    """The CSV's rows up to the first blank one, as dicts by the header's names."""
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    header, body = rows[0], rows[1 : rows.index([])] if [] in rows else rows[1:]
    assert all(len(row) == len(header) for row in body)
    return [dict(zip(header, row, strict=True)) for row in body]


def _pdf(response) -> PdfReader:
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    return PdfReader(io.BytesIO(response.content))


def _text(reader: PdfReader) -> str:
    return "\n".join(page.extract_text() for page in reader.pages)


def _assert_within_page(reader: PdfReader, margin_mm: float = 18):
    """Every piece of text ends before the right margin (a cell that does not wrap would run off the
    page): where it starts plus its width in the core font it is drawn with, measured by fpdf2."""
    measure = FPDF(unit="pt")
    measure.add_page()
    seen = []
    for page in reader.pages:
        right = float(page.mediabox.width) - margin_mm / 25.4 * 72

        def visit(text, cm, tm, font_dict, font_size, right=right):
            if not text.strip() or font_dict is None:
                return
            bold = "Bold" in str(font_dict.get("/BaseFont", ""))
            measure.set_font("Helvetica", "B" if bold else "", font_size * tm[0])
            start = tm[4] * cm[0] + cm[4]
            end = start + measure.get_string_width(text.rstrip())
            seen.append(text)
            assert end <= right + 0.5, (text, start, end, right)

        page.extract_text(visitor_text=visit)
    assert seen


@pytest.fixture
def registered(history, world):
    services.registration_save(user=world.member, register=Register.SKJ, number="SKJ778899")
    services.registration_save(user=world.member, register=Register.BIG, number="12345678901")
    services.registration_save(
        user=world.member, register=Register.OTHER, other_register_name=LONG_OTHER, number="VT-0042-2026"
    )
    services.registration_save(user=world.facilitator, register=Register.LVSC, number="LV-5150")
    services.registration_save(user=history.anna, register=Register.NIP, number="NIP-31")
    return history


def _member_export(client_for, world, fmt):
    url = reverse(
        "dashboards:member_accreditation",
        kwargs={"group_id": world.group.pk, "user_id": world.member.pk, "fmt": fmt},
    )
    return client_for(world.facilitator).get(url)


MEMBER_LINE = f"BIG 12345678901, {LONG_OTHER} VT-0042-2026, SKJ SKJ778899"


def test_member_overview_csv_names_registrations_facilitator_and_organisation(registered, world, client_for):
    rows = _rows(_member_export(client_for, world, "csv"))
    assert len(rows) == 4
    assert {row["Registratie deelnemer"] for row in rows} == {MEMBER_LINE}  # all of them, on every row
    assert {row["Registratie begeleider"] for row in rows} == {"LVSC LV-5150"}
    assert {row["Organisatie"] for row in rows} == {world.group.organisation.name}
    assert {row["Begeleider"] for row in rows} == {world.facilitator.display_name}


def test_member_overview_pdf_has_the_registrations_and_the_signer_with_theirs(registered, world, client_for):
    reader = _pdf(_member_export(client_for, world, "pdf"))
    text = " ".join(_text(reader).split())  # wrapped lines joined
    assert "BIG 12345678901" in text and "SKJ SKJ778899" in text and "VT-0042-2026" in text
    assert world.group.organisation.name in text
    assert f"Intervisiebegeleider: {world.facilitator.display_name} (LVSC LV-5150)" in text
    assert f"{world.group.name} ({world.group.organisation.name})" in text  # the statement names both
    _assert_within_page(reader)


def test_member_without_registration_reads_not_given(history, world, client_for):
    text = _text(_pdf(_member_export(client_for, world, "pdf")))
    assert "niet opgegeven" in text
    rows = _rows(_member_export(client_for, world, "csv"))
    assert {row["Registratie deelnemer"] for row in rows} == {""}


def test_own_overview_has_own_registrations_only(registered, world, client_for):
    response = client_for(history_anna := registered.anna).get(
        reverse("dashboards:my_accreditation_file", kwargs={"fmt": "csv"})
    )
    rows = _rows(response)
    assert {row["Registratie deelnemer"] for row in rows} == {"NIP NIP-31"}
    assert history_anna.display_name in {row["Deelnemer"] for row in rows}
    assert "SKJ778899" not in response.content.decode()  # a peer's number is not in it


def _presence(client_for, world, session, fmt):
    url = reverse(
        "dashboards:presence_list",
        kwargs={"group_id": world.group.pk, "session_id": session.pk, "fmt": fmt},
    )
    return client_for(world.facilitator).get(url)


def test_presence_list_csv_has_each_attendees_register_column(registered, world, client_for):
    rows = _rows(_presence(client_for, world, registered.sessions[1], "csv"))
    by_name = {row["Deelnemer"]: row for row in rows}
    assert by_name[world.member.display_name]["Register en nummer"] == MEMBER_LINE
    assert by_name["Anna de Vries"]["Register en nummer"] == "NIP NIP-31"
    assert by_name["Cees Smit"]["Register en nummer"] == ""
    assert by_name[world.facilitator.display_name]["Register en nummer"] == "LVSC LV-5150"
    assert {row["Registratie begeleider"] for row in rows} == {"LVSC LV-5150"}
    assert {row["Organisatie"] for row in rows} == {world.group.organisation.name}


def test_presence_list_pdf_is_landscape_and_wraps_long_registrations(registered, world, client_for):
    reader = _pdf(_presence(client_for, world, registered.sessions[1], "pdf"))
    page = reader.pages[0]
    assert float(page.mediabox.width) > float(page.mediabox.height)  # landscape
    text = _text(reader)
    joined = " ".join(text.split())
    assert "Register en nummer" in text and "NIP NIP-31" in text and "LV-5150" in text
    assert "VT-0042-2026" in joined and "SKJ SKJ778899" in joined
    assert world.group.organisation.name in text
    assert f"Intervisiebegeleider: {world.facilitator.display_name} (LVSC LV-5150)" in joined
    _assert_within_page(reader)


def _queries(client, url, django_assert_max_num_queries, budget) -> int:
    client.get(url)  # warm-up (lazily computed figures, the nav cache)
    with django_assert_max_num_queries(budget) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


def _register(users, start):
    for n, user in enumerate(users, start):
        services.registration_save(user=user, register=Register.SKJ, number=f"SKJ{n}")
        services.registration_save(
            user=user, register=Register.OTHER, other_register_name=f"R{n}", number="1"
        )


@pytest.mark.parametrize("fmt", ["csv", "pdf"])
def test_presence_list_reads_registrations_in_one_query_whatever_the_attendees(
    world, client_for, django_assert_max_num_queries, fmt
):
    from tests.factories import MembershipFactory
    from tests.sessions.factories import held_session

    people = [world.facilitator, world.member]
    _register(people, 0)
    session = held_session(world.group, present=people, facilitator=world.facilitator)
    url = reverse(
        "dashboards:presence_list", kwargs={"group_id": world.group.pk, "session_id": session.pk, "fmt": fmt}
    )
    client = client_for(world.facilitator)
    small = _queries(client, url, django_assert_max_num_queries, 11)
    more = [MembershipFactory(group=world.group).user for _ in range(6)]
    _register(more, 10)
    session.delete()
    session = held_session(world.group, present=people + more, facilitator=world.facilitator)
    url = reverse(
        "dashboards:presence_list", kwargs={"group_id": world.group.pk, "session_id": session.pk, "fmt": fmt}
    )
    assert _queries(client, url, django_assert_max_num_queries, 11) == small


@pytest.mark.parametrize("fmt", ["csv", "pdf"])
def test_member_overview_reads_registrations_in_constant_queries(
    world, client_for, django_assert_max_num_queries, fmt
):
    """More sessions, each with another facilitator who has registrations, and more signers: the same
    number of queries."""
    from tests.factories import FacilitatorFactory
    from tests.sessions.factories import held_session

    _register([world.member, world.facilitator], 0)
    held_session(world.group, present=[world.member], facilitator=world.facilitator)
    url = reverse(
        "dashboards:member_accreditation",
        kwargs={"group_id": world.group.pk, "user_id": world.member.pk, "fmt": fmt},
    )
    client = client_for(world.facilitator)
    small = _queries(client, url, django_assert_max_num_queries, 14)
    for n in range(5):
        other = FacilitatorFactory(group=world.group).user
        _register([other], 20 + n)
        held_session(
            world.group, present=[world.member], facilitator=other, ended_ago=timedelta(days=7 * (n + 1))
        )
    assert _queries(client, url, django_assert_max_num_queries, 14) == small


@pytest.mark.django_db
def test_the_download_page_says_where_the_registrations_come_from(world, client_for):
    from tests.html import tree

    page = tree(client_for(world.member).get(reverse("dashboards:my_accreditation")).content.decode())
    links = [a["href"] for a in page.find_all("a") if a.text == "je profiel"]
    assert links == [reverse("accounts:profile") + "#registraties"]
