"""Printable PDFs drawn with fpdf2 (no hand-built PDF). The core Helvetica font covers Latin-1; other
characters are transliterated or replaced so a name never breaks the document."""

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from fpdf import FPDF
from fpdf.fonts import FontFace

from .exports import (
    Accreditation,
    PresenceList,
    hours,
    local_date,
    local_time,
    session_times,
    signer,
    yes_no,
)

_REPLACE = str.maketrans({"–": "-", "—": "-", "‘": "'", "’": "'", "“": '"', "”": '"', "…": "...", "•": "-"})


def latin1(text: str) -> str:
    return str(text).translate(_REPLACE).encode("latin-1", "replace").decode("latin-1")


class Document(FPDF):
    def __init__(self, title: str, orientation: str = "portrait"):
        super().__init__(orientation=orientation, unit="mm", format="A4")
        self.doc_title = latin1(title)
        self.set_title(self.doc_title)
        self.set_creator("Intervisie")
        self.set_auto_page_break(auto=True, margin=18)
        self.set_margins(18, 18, 18)
        self.add_page()
        self.set_font("Helvetica", "B", 15)
        self.multi_cell(0, 8, self.doc_title, new_x="LMARGIN", new_y="NEXT")
        self.ln(2)

    def footer(self):
        self.set_y(-12)
        self.set_font("Helvetica", "", 8)
        printed = timezone.localtime().strftime("%d-%m-%Y %H:%M")
        self.cell(0, 6, latin1(_("Afgedrukt op %(when)s · pagina %(page)s") % {"when": printed,
                  "page": self.page_no()}), align="R")  # fmt: skip

    def facts(self, rows: list[tuple[str, str]]):
        self.set_font("Helvetica", "", 10)
        for label, value in rows:
            self.set_font("Helvetica", "B", 10)
            self.cell(50, 6, latin1(label))
            self.set_font("Helvetica", "", 10)
            self.multi_cell(0, 6, latin1(value), new_x="LMARGIN", new_y="NEXT")
        self.ln(3)

    def grid(self, header: list[str], rows: list[list[str]], widths: tuple[int, ...], line_height=7):
        self.set_font("Helvetica", "", 9)
        with self.table(
            col_widths=widths,
            headings_style=FontFace(emphasis="BOLD"),
            line_height=line_height,
            text_align="LEFT",
        ) as table:
            table.row([latin1(h) for h in header])
            for row in rows:
                table.row([latin1(cell) for cell in row])
        self.ln(4)

    def paragraph(self, text: str, size=10):
        self.set_font("Helvetica", "", size)
        self.multi_cell(0, 5.5, latin1(text), new_x="LMARGIN", new_y="NEXT")
        self.ln(2)

    def signature(self, role: str, name: str = ""):
        if self.will_page_break(34):
            self.add_page()
        self.ln(6)
        self.set_font("Helvetica", "", 10)
        # Several signers with their registrations can be longer than a line: wrapped, not cut off.
        self.multi_cell(0, 6, latin1(f"{role}: {name}"), new_x="LMARGIN", new_y="NEXT")
        self.ln(12)
        y = self.get_y()
        self.line(self.l_margin, y, self.l_margin + 80, y)
        self.line(self.l_margin + 100, y, self.l_margin + 150, y)
        self.cell(100, 6, latin1(_("Handtekening")))
        self.cell(0, 6, latin1(_("Datum")), new_x="LMARGIN", new_y="NEXT")

    def bytes(self) -> bytes:
        return bytes(self.output())


def presence_list_pdf(data: PresenceList) -> bytes:
    session = data.session
    start, end, registered = session_times(session)
    # Landscape: the register column next to the names and the initials needs the width.
    doc = Document(_("Presentielijst intervisie"), orientation="landscape")
    net = session.net_minutes
    doc.facts(
        [
            (_("Organisatie"), data.organisation),
            (_("Groep"), session.group.name),
            (_("Datum"), local_date(start)),
            (_("Begin en einde"), f"{local_time(start)} - {local_time(end)}"
             + ("" if registered else " " + _("(gepland)"))),
            (_("Netto duur"), _("%(minutes)s minuten (%(hours)s uur)") % {"minutes": net, "hours": hours(net)}
             if net is not None else _("nog niet geregistreerd")),
            (_("Werkvorm"), session.method.name if session.method else "-"),
            (_("Begeleider"), signer(session.facilitator) or "-"),
        ]
    )  # fmt: skip
    doc.grid(
        [_("Deelnemer"), _("Aanwezigheid"), _("Register en nummer"), _("Paraaf")],
        [[line.name, line.status, line.registration, ""] for line in data.lines],
        (72, 52, 89, 48),
        line_height=9,
    )
    doc.signature(_("Intervisiebegeleider"), signer(session.facilitator))
    return doc.bytes()


def accreditation_pdf(data: Accreditation) -> bytes:
    # Landscape, so the table's columns are wide enough that no word (a werkvorm, a group's name) is broken.
    doc = Document(_("Overzicht gevolgde intervisie"), orientation="landscape")
    doc.facts(
        [
            (_("Deelnemer"), data.member.display_name),
            (_("Register en nummer"), data.registration or _("niet opgegeven")),
            (_("Organisatie"), ", ".join(data.organisations) or "-"),
            (_("Periode"), f"{data.first_date} - {data.last_date}"),
            (_("Totaal"), ngettext("%(n)s bijeenkomst, %(hours)s netto uur",
                                   "%(n)s bijeenkomsten, %(hours)s netto uur", len(data.lines))
             % {"n": len(data.lines), "hours": hours(data.net_minutes)}),
        ]
    )  # fmt: skip
    rows = []
    for line in data.lines:
        session = line.session
        start, end, _registered = session_times(session)
        rows.append(
            [
                local_date(start),
                f"{local_time(start)}-{local_time(end)}",
                hours(line.net_minutes),
                session.group.name,
                session.method.name if session.method else "-",
                session.facilitator.display_name if session.facilitator else "-",
                yes_no(line.presented),
                yes_no(line.reflected),
            ]
        )
    doc.grid(
        [_("Datum"), _("Tijd"), _("Netto uur"), _("Groep"), _("Werkvorm"), _("Begeleider"), _("Casus"),
         _("Reflectie")],
        rows,
        (24, 24, 20, 50, 44, 50, 22, 27),
    )  # fmt: skip
    doc.grid(
        [_("Jaar"), _("Bijeenkomsten"), _("Netto uur")],
        [[str(t.year), str(t.sessions), hours(t.net_minutes)] for t in data.years]
        + [[_("Totaal"), str(len(data.lines)), hours(data.net_minutes)]],
        (40, 40, 40),
    )
    doc.paragraph(
        _("Netto uren: werkelijke begin- en eindtijd van de bijeenkomst, min de geregistreerde pauze."),
        size=8,
    )
    for group in data.groups:
        group_lines = [line for line in data.lines if line.session.group_id == group.pk]
        minutes = sum(line.net_minutes for line in group_lines)
        doc.paragraph(
            ngettext(
                "Verklaring: ondergetekende, intervisiebegeleider van %(group)s, verklaart dat %(member)s in "
                "de periode %(first)s tot en met %(last)s %(n)s intervisiebijeenkomst van deze groep heeft "
                "bijgewoond, samen %(hours)s netto uur.",
                "Verklaring: ondergetekende, intervisiebegeleider van %(group)s, verklaart dat %(member)s in "
                "de periode %(first)s tot en met %(last)s %(n)s intervisiebijeenkomsten van deze groep heeft "
                "bijgewoond, samen %(hours)s netto uur.",
                len(group_lines),
            )
            % {"group": f"{group.name} ({group.organisation.name})", "member": data.member.display_name,
               "first": data.first_date, "last": data.last_date, "n": len(group_lines),
               "hours": hours(minutes)}
        )  # fmt: skip
        doc.signature(_("Intervisiebegeleider"), ", ".join(data.signers.get(group.pk, [])))
        doc.ln(6)
    return doc.bytes()
