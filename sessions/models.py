from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from groups.models import Group


class Method(models.Model):
    """A werkvorm: an ordered list of phases (shipped as data, editable by admins)."""

    slug = models.SlugField(unique=True)
    name_nl = models.CharField(_("naam (nl)"), max_length=120)
    name_en = models.CharField(_("naam (en)"), max_length=120)
    description_nl = models.TextField(_("omschrijving (nl)"), blank=True)
    description_en = models.TextField(_("omschrijving (en)"), blank=True)
    min_members = models.PositiveSmallIntegerField(_("minimaal aantal deelnemers"), default=3)
    max_presenters = models.PositiveSmallIntegerField(_("maximaal aantal inbrengers"), default=1)
    position = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(_("actief"), default=True)

    class Meta:
        verbose_name = _("werkvorm")
        verbose_name_plural = _("werkvormen")
        ordering = ["position", "name_nl"]
        constraints = [
            models.CheckConstraint(
                condition=Q(max_presenters__gte=1),
                name="method_max_presenters_pos",
                violation_error_message=_("Een werkvorm heeft minstens 1 inbrenger."),
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_en if (get_language() or "nl").startswith("en") else self.name_nl

    @property
    def total_minutes(self) -> int:
        return sum(phase.minutes for phase in self.phases.all())


class MethodPhase(models.Model):
    class Speaker(models.TextChoices):
        PRESENTER = "presenter", _("inbrenger")
        GROUP = "group", _("groep")
        FACILITATOR = "facilitator", _("begeleider")
        ALL = "all", _("iedereen")

    class Kind(models.TextChoices):
        INTRO = "intro", _("inleiding")
        QUESTIONS = "questions", _("vragen")
        ANALYSIS = "analysis", _("analyse")
        ADVICE = "advice", _("advies")
        EVALUATION = "evaluation", _("evaluatie")
        OTHER = "other", _("overig")

    method = models.ForeignKey(Method, on_delete=models.CASCADE, related_name="phases")
    position = models.PositiveSmallIntegerField()
    name_nl = models.CharField(_("naam (nl)"), max_length=120)
    name_en = models.CharField(_("naam (en)"), max_length=120)
    minutes = models.PositiveSmallIntegerField(_("minuten"))
    speaker = models.CharField(_("wie spreekt"), max_length=16, choices=Speaker.choices)
    kind = models.CharField(_("soort fase"), max_length=16, choices=Kind.choices, default=Kind.OTHER)
    rule_nl = models.TextField(_("regel (nl)"), blank=True)
    rule_en = models.TextField(_("regel (en)"), blank=True)
    show_prompts = models.BooleanField(_("doorvraagsuggesties tonen"), default=False)

    class Meta:
        verbose_name = _("fase")
        verbose_name_plural = _("fases")
        ordering = ["method", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["method", "position"],
                name="method_phase_position_unique",
                violation_error_message=_("Deze werkvorm heeft al een fase op deze plaats."),
            ),
            models.CheckConstraint(
                condition=Q(minutes__gte=1, minutes__lte=240),
                name="method_phase_minutes",
                violation_error_message=_("Een fase duurt 1 tot en met 240 minuten."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.method}: {self.position}. {self.name}"

    @property
    def name(self) -> str:
        return self.name_en if (get_language() or "nl").startswith("en") else self.name_nl

    @property
    def rule(self) -> str:
        return self.rule_en if (get_language() or "nl").startswith("en") else self.rule_nl


class DoorvraagPrompt(models.Model):
    """A prompt that pushes past the first answer; shown in question phases."""

    text_nl = models.CharField(max_length=255)
    text_en = models.CharField(max_length=255)
    position = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("doorvraagsuggestie")
        verbose_name_plural = _("doorvraagsuggesties")
        ordering = ["position"]

    def __str__(self) -> str:
        return self.text

    @property
    def text(self) -> str:
        return self.text_en if (get_language() or "nl").startswith("en") else self.text_nl


class Schedule(models.Model):
    """A group's recurrence (RFC 5545 RRULE) in local wall-clock time."""

    group = models.OneToOneField(Group, on_delete=models.CASCADE, related_name="schedule")
    rrule = models.CharField(_("herhaling (RRULE)"), max_length=500, blank=True)
    first_date = models.DateField(_("eerste datum"), null=True, blank=True)
    start_time = models.TimeField(_("begintijd"), null=True, blank=True)
    duration_minutes = models.PositiveSmallIntegerField(_("duur (minuten)"), default=150)
    timezone = models.CharField(_("tijdzone"), max_length=64, default="Europe/Amsterdam")
    exception_dates = models.JSONField(_("uitzonderingsdata"), default=list, blank=True)
    horizon_months = models.PositiveSmallIntegerField(_("vooruit plannen (maanden)"), default=6)
    default_method = models.ForeignKey(
        Method, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("werkvorm")
    )
    # The format of the sessions the schedule creates: live, or written (casussen/written.py).
    default_format = models.CharField(
        _("vorm"),
        max_length=8,
        choices=[("live", _("live")), ("written", _("schriftelijk"))],
        default="live",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("rooster")
        verbose_name_plural = _("roosters")
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=15, duration_minutes__lte=600),
                name="schedule_duration_range",
                violation_error_message=_("Een bijeenkomst duurt 15 tot en met 600 minuten."),
            ),
            models.CheckConstraint(
                condition=Q(horizon_months__gte=1, horizon_months__lte=24),
                name="schedule_horizon_range",
                violation_error_message=_("Je kunt 1 tot en met 24 maanden vooruit plannen."),
            ),
            models.CheckConstraint(
                condition=Q(default_format__in=["live", "written"]),
                name="schedule_default_format_valid",
                violation_error_message=_("Kies live of schriftelijk."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.group}: {self.rrule}"


class Session(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("gepland")
        HELD = "held", _("gehouden")
        CANCELLED = "cancelled", _("geannuleerd")

    class Format(models.TextChoices):
        LIVE = "live", _("live")
        WRITTEN = "written", _("schriftelijk")

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="sessions")
    starts_at = models.DateTimeField(_("begin"))
    ends_at = models.DateTimeField(_("einde"))
    location = models.CharField(_("locatie"), max_length=255, blank=True)
    online_link = models.URLField(_("online link"), blank=True)
    method = models.ForeignKey(
        Method,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sessions",
        verbose_name=_("werkvorm"),
    )
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="facilitated_sessions",
        verbose_name=_("begeleider"),
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PLANNED)
    cancellation_reason = models.CharField(_("reden van annulering"), max_length=255, blank=True)
    # Cancelled by the schedule generator because a rule change left it out (not by a person): restored
    # when the rule is changed back.
    cancelled_by_schedule = models.BooleanField(default=False, editable=False)
    presenter_slots = models.PositiveSmallIntegerField(_("aantal inbrengers"), default=1)
    quorum_override = models.PositiveSmallIntegerField(_("quorum (afwijkend)"), null=True, blank=True)
    # The start the recurrence rule gave this occurrence (UTC); null for one-off sessions.
    recurrence_id = models.DateTimeField(null=True, blank=True, editable=False)
    # iCalendar SEQUENCE: goes up on every change members are told about.
    sequence = models.PositiveIntegerField(default=0, editable=False)
    # Registered when the session is held (accreditation reads these).
    actual_started_at = models.DateTimeField(_("werkelijk begin"), null=True, blank=True)
    actual_ended_at = models.DateTimeField(_("werkelijk einde"), null=True, blank=True)
    break_minutes = models.PositiveSmallIntegerField(_("pauze (minuten)"), default=0)
    # Live (together, with the live guide) or in writing (each phase of the werkvorm with a deadline,
    # ``PhaseDeadline``; casussen/written.py).
    format = models.CharField(_("vorm"), max_length=8, choices=Format.choices, default=Format.LIVE)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("bijeenkomst")
        verbose_name_plural = _("bijeenkomsten")
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="session_ends_after_start",
                violation_error_message=_("De eindtijd moet na de begintijd liggen."),
            ),
            models.CheckConstraint(
                condition=Q(presenter_slots__gte=1, presenter_slots__lte=6),
                name="session_presenter_slots_range",
                violation_error_message=_("Een bijeenkomst heeft 1 tot en met 6 inbrengers."),
            ),
            models.CheckConstraint(
                condition=Q(status="cancelled") | Q(cancellation_reason=""),
                name="session_reason_only_if_cancelled",
                violation_error_message=_(
                    "Alleen een geannuleerde bijeenkomst heeft een reden van annulering."
                ),
            ),
            models.CheckConstraint(
                condition=Q(actual_started_at__isnull=True)
                | Q(actual_ended_at__isnull=True)
                | Q(actual_ended_at__gt=F("actual_started_at")),
                name="session_actual_end_after_start",
                violation_error_message=_("Het werkelijke einde moet na het werkelijke begin liggen."),
            ),
            models.UniqueConstraint(
                fields=["group", "recurrence_id"],
                condition=Q(recurrence_id__isnull=False),
                name="session_unique_occurrence",
                violation_error_message=_("Deze bijeenkomst van het rooster bestaat al."),
            ),
            models.CheckConstraint(
                condition=Q(format__in=["live", "written"]),
                name="session_format_valid",
                violation_error_message=_("Kies live of schriftelijk."),
            ),
        ]
        indexes = [models.Index(fields=["group", "starts_at"]), models.Index(fields=["status", "starts_at"])]

    def __str__(self) -> str:
        local = timezone.localtime(self.starts_at)
        return f"{self.group} – {local:%Y-%m-%d %H:%M}"

    @property
    def quorum(self) -> int:
        return self.quorum_override if self.quorum_override is not None else self.group.quorum

    @property
    def ical_uid(self) -> str:
        return session_uid(self.pk)

    @property
    def net_minutes(self) -> int | None:
        if not (self.actual_started_at and self.actual_ended_at):
            return None
        minutes = int((self.actual_ended_at - self.actual_started_at).total_seconds() // 60)
        return max(minutes - self.break_minutes, 0)


class PhaseDeadline(models.Model):
    """In a written session (``Session.Format.WRITTEN``): when one phase of its werkvorm closes. The phase
    that is open is the first whose deadline has not passed (``casussen/written.py``)."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="phase_deadlines")
    phase = models.ForeignKey(MethodPhase, on_delete=models.CASCADE, related_name="+")
    due_at = models.DateTimeField(_("uiterlijk"))

    class Meta:
        verbose_name = _("termijn")
        verbose_name_plural = _("termijnen")
        ordering = ["session", "phase__position"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "phase"],
                name="phase_deadline_unique",
                violation_error_message=_("Deze fase heeft al een termijn."),
            ),
        ]

    def __str__(self) -> str:
        return f"PhaseDeadline #{self.pk}"


class RSVP(models.Model):
    class Answer(models.TextChoices):
        ATTEND = "attend", _("ik kom")
        DECLINE = "decline", _("ik kan niet")
        MAYBE = "maybe", _("misschien")

    class Reason(models.TextChoices):
        BUSY = "busy", _("te druk")
        SICK = "sick", _("ziek")
        HOLIDAY = "holiday", _("vakantie")
        OTHER = "other", _("anders")

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="rsvps")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="rsvps")
    answer = models.CharField(_("antwoord"), max_length=8, choices=Answer.choices)
    decline_reason = models.CharField(_("reden"), max_length=8, choices=Reason.choices, blank=True)
    decline_note = models.CharField(_("toelichting"), max_length=255, blank=True)
    answered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("aanmelding")
        verbose_name_plural = _("aanmeldingen")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "user"],
                name="rsvp_unique_session_user",
                violation_error_message=_(
                    "Deze persoon heeft al geantwoord of die naar deze bijeenkomst komt."
                ),
            ),
            models.CheckConstraint(
                condition=(Q(answer="decline") & ~Q(decline_reason=""))
                | (~Q(answer="decline") & Q(decline_reason="")),
                name="rsvp_reason_iff_decline",
                violation_error_message=_(
                    "Geef een reden als je niet kunt komen; bij een ander antwoord hoort geen reden."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.session}: {self.answer}"


class Presenter(models.Model):
    """A claimed presenter slot ("ik breng een casus in"). The unique constraints make a race for the last
    slot end with exactly one winner."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="presenters")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="presenter_slots"
    )
    slot = models.PositiveSmallIntegerField()
    claimed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("inbrenger")
        verbose_name_plural = _("inbrengers")
        ordering = ["session", "slot"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "slot"],
                name="presenter_unique_slot",
                violation_error_message=_("Deze plek voor een inbrenger is al bezet."),
            ),
            models.UniqueConstraint(
                fields=["session", "user"],
                name="presenter_unique_user",
                violation_error_message=_("Deze persoon brengt al een casus in bij deze bijeenkomst."),
            ),
            models.CheckConstraint(
                condition=Q(slot__gte=1, slot__lte=6),
                name="presenter_slot_range",
                violation_error_message=_("Een bijeenkomst heeft inbrengersplekken 1 tot en met 6."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.session} (#{self.slot})"


class Attendance(models.Model):
    class Status(models.TextChoices):
        PRESENT = "present", _("aanwezig")
        LATE = "late", _("te laat")
        EXCUSED = "excused", _("afwezig (afgemeld)")
        ABSENT = "absent", _("afwezig (niet afgemeld)")

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="attendances")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="attendances")
    status = models.CharField(_("aanwezigheid"), max_length=8, choices=Status.choices)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    registered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("aanwezigheid")
        verbose_name_plural = _("aanwezigheid")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "user"],
                name="attendance_unique_session_user",
                violation_error_message=_(
                    "De aanwezigheid van deze persoon bij deze bijeenkomst is al geregistreerd."
                ),
            )
        ]
        indexes = [models.Index(fields=["user", "status"])]

    def __str__(self) -> str:
        return f"{self.user} – {self.session}: {self.status}"

    @property
    def was_there(self) -> bool:
        return self.status in (self.Status.PRESENT, self.Status.LATE)


class Installation(models.Model):
    """This installation's random identity: one row, made by migration ``0003_installation``. Its ``key``
    goes into every calendar UID and e-mail Message-ID, so they never repeat after a database rebuild or in
    another installation on the same domain (database ids do). Sessions with an id below
    ``legacy_uid_below`` (those that existed when the row was made) keep the UID their invites went out
    with: changing it would leave a second copy in every calendar."""

    key = models.CharField(max_length=32, editable=False)
    legacy_uid_below = models.BigIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("installatie")
        verbose_name_plural = _("installatie")
        constraints = [
            models.CheckConstraint(
                condition=Q(pk=1),
                name="installation_single_row",
                violation_error_message=_("Er is maar één installatie."),
            )
        ]

    def __str__(self) -> str:
        return self.key


def new_installation_key() -> str:
    import secrets

    return secrets.token_hex(8)


_installation: tuple[str, int] | None = None


def installation() -> tuple[str, int]:
    """(key, legacy_uid_below) of this installation, read once per process. The row is made by migration;
    a database emptied since (a flushed test database) gets a fresh one, without legacy sessions."""
    global _installation
    if _installation is None:
        row, _created = Installation.objects.get_or_create(pk=1, defaults={"key": new_installation_key()})
        _installation = (row.key, row.legacy_uid_below)
    return _installation


def session_uid(session_id: int) -> str:
    """The UID of a session's calendar event: the same in every invite, cancellation and feed. Sessions
    older than the installation key keep their old form ``session-<id>@intervisie``."""
    key, legacy_below = installation()
    if session_id < legacy_below:
        return f"session-{session_id}@intervisie"
    return f"session-{session_id}.{key}@intervisie"


class DatePoll(models.Model):
    """A "datumprikker": the facilitator proposes a few dates (for a session at risk, ``session`` set) or a
    few weekdays and times (a new group picking its fixed day, ``session`` empty); members answer per
    option. Confirming one closes the poll with that ``chosen`` option (``sessions/polls.py``)."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="date_polls")
    session = models.ForeignKey(
        Session, on_delete=models.CASCADE, null=True, blank=True, related_name="date_polls"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    closed_at = models.DateTimeField(null=True, blank=True)
    chosen = models.ForeignKey(
        "DatePollOption", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("datumprikker")
        verbose_name_plural = _("datumprikkers")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["session"],
                condition=Q(closed_at__isnull=True, session__isnull=False),
                name="date_poll_one_open_per_session",
                violation_error_message=_("Voor deze bijeenkomst loopt al een datumprikker."),
            ),
            models.CheckConstraint(
                condition=Q(chosen__isnull=True) | Q(closed_at__isnull=False),
                name="date_poll_chosen_only_closed",
                violation_error_message=_("Een datum kiezen kan alleen als de datumprikker sluit."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.group}: {self.session or '-'}"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    @property
    def for_weekday(self) -> bool:
        return self.session_id is None


class DatePollOption(models.Model):
    """One proposal: a moment (``starts_at``, UTC) for a session, or a weekday and local time for a
    group's fixed day."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("maandag")
        TUESDAY = 1, _("dinsdag")
        WEDNESDAY = 2, _("woensdag")
        THURSDAY = 3, _("donderdag")
        FRIDAY = 4, _("vrijdag")
        SATURDAY = 5, _("zaterdag")
        SUNDAY = 6, _("zondag")

    poll = models.ForeignKey(DatePoll, on_delete=models.CASCADE, related_name="options")
    position = models.PositiveSmallIntegerField()
    starts_at = models.DateTimeField(_("datum en tijd"), null=True, blank=True)
    weekday = models.PositiveSmallIntegerField(_("dag"), choices=Weekday.choices, null=True, blank=True)
    start_time = models.TimeField(_("begintijd"), null=True, blank=True)

    class Meta:
        verbose_name = _("voorstel")
        verbose_name_plural = _("voorstellen")
        ordering = ["poll", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["poll", "position"],
                name="date_poll_option_position_unique",
                violation_error_message=_("Dit voorstel staat er al."),
            ),
            models.CheckConstraint(
                condition=(Q(starts_at__isnull=False) & Q(weekday__isnull=True) & Q(start_time__isnull=True))
                | (Q(starts_at__isnull=True) & Q(weekday__isnull=False) & Q(start_time__isnull=False)),
                name="date_poll_option_moment_or_weekday",
                violation_error_message=_("Kies een datum en tijd, of een dag van de week en een tijd."),
            ),
            models.CheckConstraint(
                condition=Q(weekday__isnull=True) | Q(weekday__gte=0, weekday__lte=6),
                name="date_poll_option_weekday_range",
                violation_error_message=_("Kies een dag van de week."),
            ),
        ]

    def __str__(self) -> str:
        if self.starts_at is not None:
            return f"{timezone.localtime(self.starts_at):%Y-%m-%d %H:%M}"
        return f"{self.get_weekday_display()} {self.start_time:%H:%M}"


class DatePollAnswer(models.Model):
    class Answer(models.TextChoices):
        YES = "yes", _("ja")
        IF_NEED_BE = "ifneed", _("als het moet")
        NO = "no", _("nee")

    option = models.ForeignKey(DatePollOption, on_delete=models.CASCADE, related_name="answers")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    answer = models.CharField(_("antwoord"), max_length=8, choices=Answer.choices)
    answered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("antwoord op een voorstel")
        verbose_name_plural = _("antwoorden op voorstellen")
        constraints = [
            models.UniqueConstraint(
                fields=["option", "user"],
                name="date_poll_answer_unique",
                violation_error_message=_("Je hebt op dit voorstel al geantwoord."),
            ),
            models.CheckConstraint(
                condition=Q(answer__in=["yes", "ifneed", "no"]),
                name="date_poll_answer_valid",
                violation_error_message=_("Kies ja, als het moet of nee."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.option}: {self.answer}"


# The roles of a session, in their own module.
from .role_models import MethodRole, SessionRole  # noqa: E402, F401
