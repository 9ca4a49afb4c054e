"""What the exports contain: presence lists, accreditation overviews and attendance per group.

Reads only; the CSV files are written by the shared writer (``intervisie.csv_safe``), the PDFs are drawn by
``pdf.py`` (fpdf2)."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import QuerySet
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.selectors import registrations_label, registrations_of, registrations_prefetch
from groups.models import Group, Membership
from intervisie import csv_safe
from sessions.models import Attendance, Presenter, Session

from .forms import Period
from .integrations import reflected_session_ids

ATTENDED = (Attendance.Status.PRESENT, Attendance.Status.LATE)


def csv_writer(out) -> csv_safe.SafeWriter:
    """The shared CSV writer (formulas in text cells defused), with the semicolon spreadsheets expect."""
    return csv_safe.SafeWriter(out, delimiter=";")


def local_date(moment: datetime) -> str:
    return formats.date_format(timezone.localtime(moment), "d-m-Y")


def local_time(moment: datetime | None) -> str:
    return formats.time_format(timezone.localtime(moment), "H:i") if moment else ""


def hours(minutes: int) -> str:
    """Net hours with two decimals, in the active language's number format (2,50 in Dutch)."""
    return formats.number_format(minutes / 60, 2)


def session_times(session: Session) -> tuple[datetime, datetime, bool]:
    """Registered start and end if there are any, else the planned ones (and False)."""
    if session.actual_started_at and session.actual_ended_at:
        return session.actual_started_at, session.actual_ended_at, True
    return session.starts_at, session.ends_at, False


# --- presence list -----------------------------------------------------------------------------------


def signer(user: User | None) -> str:
    """A facilitator as a statement names them: their name and, if they gave any, their registrations."""
    if user is None:
        return ""
    registration = registrations_label(user)
    return f"{user.display_name} ({registration})" if registration else user.display_name


@dataclass
class PresenceLine:
    name: str
    status: str  # display text; empty when not registered yet
    registration: str = ""  # the attendee's registers and numbers ("SKJ 1234, BIG 12345678901")


@dataclass
class PresenceList:
    session: Session
    lines: list[PresenceLine]
    facilitator_registration: str = ""

    @property
    def organisation(self) -> str:
        return self.session.group.organisation.name

    @property
    def registered(self) -> bool:
        return self.session.status == Session.Status.HELD


def presence_list(session: Session) -> PresenceList:
    """The attendees of a held session with their status; before it is held, the active members (a sheet
    to sign during the session)."""
    attendances = list(
        Attendance.objects.filter(session=session)
        .select_related("user")
        .prefetch_related(registrations_prefetch("user__registrations"))
        .order_by("user__display_name")
    )
    if attendances:
        lines = [
            PresenceLine(a.user.display_name, a.get_status_display(), registrations_label(a.user))
            for a in attendances
        ]
    else:
        members = (
            Membership.objects.filter(group_id=session.group_id, status=Membership.Status.ACTIVE)
            .select_related("user")
            .prefetch_related(registrations_prefetch("user__registrations"))
        )
        lines = [
            PresenceLine(m.user.display_name, "", registrations_label(m.user))
            for m in members.order_by("user__display_name")
        ]
    return PresenceList(
        session=session, lines=lines, facilitator_registration=registrations_label(session.facilitator)
    )


def presence_list_csv(data: PresenceList, out) -> None:
    session = data.session
    start, end, _registered = session_times(session)
    writer = csv_writer(out)
    # The register columns come last, so the columns before them keep their place for existing sheets.
    writer.writerow([_("Groep"), _("Datum"), _("Begin"), _("Einde"), _("Netto minuten"), _("Werkvorm"),
                     _("Begeleider"), _("Deelnemer"), _("Aanwezigheid"), _("Register en nummer"),
                     _("Registratie begeleider"), _("Organisatie")])  # fmt: skip
    for line in data.lines:
        writer.writerow(
            [
                session.group.name,
                local_date(start),
                local_time(start),
                local_time(end),
                session.net_minutes if session.net_minutes is not None else "",
                session.method.name if session.method else "",
                session.facilitator.display_name if session.facilitator else "",
                line.name,
                line.status,
                line.registration,
                data.facilitator_registration,
                data.organisation,
            ]
        )


# --- accreditation -----------------------------------------------------------------------------------


@dataclass
class AccreditationLine:
    session: Session
    status: str
    presented: bool
    reflected: bool

    @property
    def net_minutes(self) -> int:
        return self.session.net_minutes or 0


@dataclass
class YearTotal:
    year: int
    sessions: int = 0
    net_minutes: int = 0


@dataclass
class Accreditation:
    member: User
    period: Period
    lines: list[AccreditationLine]
    # group id -> the group's facilitators as they sign: name and registrations ("Lucas Kuipers (SKJ 12)")
    signers: dict[int, list[str]] = field(default_factory=dict)
    # The member's registrations, all of them ("SKJ 1234"): one overview serves every register they report to.
    registrations: list[str] = field(default_factory=list)

    @property
    def registration(self) -> str:
        return ", ".join(self.registrations)

    @property
    def organisations(self) -> list[str]:
        return list(dict.fromkeys(group.organisation.name for group in self.groups))

    @property
    def groups(self) -> list[Group]:
        seen = {}
        for line in self.lines:
            seen.setdefault(line.session.group_id, line.session.group)
        return list(seen.values())

    @property
    def years(self) -> list[YearTotal]:
        totals: dict[int, YearTotal] = {}
        for line in self.lines:
            year = timezone.localtime(line.session.starts_at).year
            total = totals.setdefault(year, YearTotal(year))
            total.sessions += 1
            total.net_minutes += line.net_minutes
        return [totals[y] for y in sorted(totals)]

    @property
    def net_minutes(self) -> int:
        return sum(line.net_minutes for line in self.lines)

    @property
    def first_date(self) -> str:
        if self.period.first_day:
            return formats.date_format(self.period.first_day, "d-m-Y")
        return local_date(self.lines[0].session.starts_at) if self.lines else ""

    @property
    def last_date(self) -> str:
        return formats.date_format(self.period.last_day, "d-m-Y")


def accreditation(member: User, period: Period, *, groups: QuerySet[Group] | None = None) -> Accreditation:
    """The held sessions the member attended in the period (of ``groups`` if given), with the member's
    registrations and the facilitators' (for the statement), in seven queries whatever the amount."""
    attendances = Attendance.objects.filter(
        user=member,
        status__in=ATTENDED,
        session__status=Session.Status.HELD,
        session__starts_at__lt=period.end,
    )
    if period.start:
        attendances = attendances.filter(session__starts_at__gte=period.start)
    if groups is not None:
        attendances = attendances.filter(session__group__in=groups)
    attendances = list(
        attendances.select_related("session__group__organisation", "session__method", "session__facilitator")
        .prefetch_related(registrations_prefetch("session__facilitator__registrations"))
        .order_by("session__starts_at")
    )
    session_ids = [a.session_id for a in attendances]
    presented = set(
        Presenter.objects.filter(user=member, session_id__in=session_ids).values_list("session_id", flat=True)
    )
    reflected = reflected_session_ids(member, session_ids)
    lines = [
        AccreditationLine(
            session=a.session,
            status=a.get_status_display(),
            presented=a.session_id in presented,
            reflected=a.session_id in reflected,
        )
        for a in attendances
    ]
    signers = defaultdict(list)
    for membership in (
        Membership.objects.filter(
            group_id__in={a.session.group_id for a in attendances},
            role=Membership.Role.FACILITATOR,
            status=Membership.Status.ACTIVE,
        )
        .select_related("user")
        .prefetch_related(registrations_prefetch("user__registrations"))
        .order_by("user__display_name")
    ):
        signers[membership.group_id].append(signer(membership.user))
    registrations = [r.label for r in registrations_of(member)]
    return Accreditation(
        member=member, period=period, lines=lines, signers=dict(signers), registrations=registrations
    )


def yes_no(value: bool | None) -> str:
    return "" if value is None else (_("ja") if value else _("nee"))


def accreditation_csv(data: Accreditation, out) -> None:
    writer = csv_writer(out)
    writer.writerow([_("Deelnemer"), _("Datum"), _("Begin"), _("Einde"), _("Netto minuten"), _("Netto uren"),
                     _("Groep"), _("Werkvorm"), _("Begeleider"), _("Aanwezigheid"), _("Casus ingebracht"),
                     _("Reflectie geschreven"), _("Tijden geregistreerd"), _("Organisatie"),
                     _("Registratie begeleider"), _("Registratie deelnemer")])  # fmt: skip
    for line in data.lines:
        session = line.session
        start, end, registered = session_times(session)
        writer.writerow(
            [
                data.member.display_name,
                local_date(start),
                local_time(start),
                local_time(end),
                line.net_minutes,
                hours(line.net_minutes),
                session.group.name,
                session.method.name if session.method else "",
                session.facilitator.display_name if session.facilitator else "",
                line.status,
                yes_no(line.presented),
                yes_no(line.reflected),
                yes_no(registered),
                session.group.organisation.name,
                registrations_label(session.facilitator),
                data.registration,
            ]
        )
    writer.writerow([])
    writer.writerow([_("Jaar"), _("Bijeenkomsten"), _("Netto minuten"), _("Netto uren")])
    for total in data.years:
        writer.writerow([total.year, total.sessions, total.net_minutes, hours(total.net_minutes)])
    writer.writerow([_("Totaal"), len(data.lines), data.net_minutes, hours(data.net_minutes)])


# --- attendance per group ----------------------------------------------------------------------------


def group_attendance_csv(group: Group, period: Period, out) -> None:
    """One row per registered attendance of the group's held sessions in the period (two queries)."""
    sessions = Session.objects.filter(group=group, status=Session.Status.HELD, starts_at__lt=period.end)
    if period.start:
        sessions = sessions.filter(starts_at__gte=period.start)
    rows = (
        Attendance.objects.filter(session__in=sessions)
        .select_related("session", "user")
        .order_by("session__starts_at", "user__display_name")
    )
    writer = csv_writer(out)
    writer.writerow([_("Datum"), _("Begin"), _("Einde"), _("Netto minuten"), _("Deelnemer"),
                     _("Aanwezigheid"), _("Aanwezig geteld")])  # fmt: skip
    for row in rows:
        start, end, _registered = session_times(row.session)
        writer.writerow(
            [
                local_date(start),
                local_time(start),
                local_time(end),
                row.session.net_minutes if row.session.net_minutes is not None else "",
                row.user.display_name,
                row.get_status_display(),
                1 if row.status in ATTENDED else 0,
            ]
        )
