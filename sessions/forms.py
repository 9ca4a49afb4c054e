from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import calendar, wallclock
from .attendance import attendance_times_check
from .models import RSVP, Attendance, Method, Session
from .services import MAX_PRESENTERS, MIN_PRESENTERS, SessionError


def show_service_error(
    form: forms.Form, error: ValidationError, fields: dict[str, str] | None = None
) -> None:
    """Show what a service refused (a ValidationError, domain errors included) on the form: its messages at
    the fields it names (through ``fields``, service name → form field, where they differ), the rest above
    the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for name, errors in error.error_dict.items():
        field = (fields or {}).get(name, name)
        form.add_error(field if field in form.fields else None, [m for e in errors for m in e.messages])


class RSVPForm(forms.Form):
    """Parses an answer; what a decline needs is ``services.rsvp_set``'s rule."""

    answer = forms.ChoiceField(label=_("Antwoord"), choices=RSVP.Answer.choices)
    decline_reason = forms.ChoiceField(
        label=_("Reden"), choices=[("", "---------"), *RSVP.Reason.choices], required=False
    )
    decline_note = forms.CharField(label=_("Toelichting"), max_length=255, required=False)


# The service names the stored instants; the form shows them at the fields the person typed them in.
SERVICE_FIELDS = {"starts_at": "start_time", "ends_at": "end_time"}


def fold_field(local: datetime, tz: ZoneInfo) -> forms.ChoiceField:
    """ "Welke 02:30?": the two readings of a local time that happens twice, as radio buttons."""
    return forms.ChoiceField(
        label=_("Welke %(time)s?") % {"time": local.strftime("%H:%M")},
        choices=wallclock.fold_choices(local, tz),
        widget=forms.RadioSelect,
        required=False,  # a missing choice gets the message that explains it (wall_clock_instant)
    )


class WallClockDateTimeField(forms.DateTimeField):
    """A date and time as typed, naive: the form reads it on its own zone's wall clock (``WallClockMixin``)
    instead of Django's current zone, which refuses the DST nights with a message that does not help."""

    def to_python(self, value):
        if isinstance(value, datetime) and timezone.is_aware(value):
            return value
        with timezone.override(UTC):  # parse only: the wall-clock reading comes later
            result = super().to_python(value)
        return result.replace(tzinfo=None) if result is not None else None


class WallClockMixin:
    """For a form whose times are typed on the wall clock of ``self.tz``. ``fold_fields`` maps each such
    field to the name of its choice field; ``add_fold_fields`` adds that choice right after the field only
    when the typed (or initial) value happens twice that day. ``wall_clock_instant`` reads a value with
    ``wallclock.to_utc``: a time the clock skips is refused at its field, a doubled one without a choice
    at the choice field."""

    tz: ZoneInfo
    fold_fields: dict[str, str] = {}

    def typed_local(self, name: str) -> datetime | None:
        """The naive local date and time of field ``name`` as typed (bound) or initial, or None."""
        raise NotImplementedError

    def add_fold_fields(self) -> None:
        order = []
        for name in list(self.fields):
            order.append(name)
            fold_name = self.fold_fields.get(name)
            local = self.typed_local(name) if fold_name else None
            if fold_name and local is not None and wallclock.is_ambiguous(local, self.tz):
                self.fields[fold_name] = fold_field(local, self.tz)
                order.append(fold_name)
        self.order_fields(order)

    def shown_fold_fields(self) -> list:
        """The choice fields this form shows now (for templates that place fields one by one)."""
        return [self[name] for name in self.fold_fields.values() if name in self.fields]

    def wall_clock_instant(self, name: str, local: datetime) -> datetime | None:
        """The UTC instant of ``local`` typed in field ``name``, or None after adding the error."""
        fold_name = self.fold_fields[name]
        try:
            return wallclock.to_utc(local, self.tz, self.cleaned_data.get(fold_name) or None)
        except wallclock.AmbiguousTime as error:
            self.add_error(fold_name if fold_name in self.fields else name, error.message)
        except wallclock.WallClockError as error:
            self.add_error(name, error.message)
        return None


class SessionForm(WallClockMixin, forms.ModelForm):
    """Plan a one-off session or change one: a local date, start and end time in the group's zone
    (``calendar.group_zone``). The times are read by ``wallclock.to_utc``: a time the clock skips that
    day is refused with a message naming the gap; a time that happens twice (the night the clock goes
    back) gets a choice field ("de eerste keer / de tweede keer"), shown only then. The times are kept as
    typed: nothing is moved silently."""

    fold_fields = {"start_time": "start_fold", "end_time": "end_fold"}

    day = forms.DateField(label=_("Datum"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    start_time = forms.TimeField(
        label=_("Begintijd"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    end_time = forms.TimeField(
        label=_("Eindtijd"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )

    class Meta:
        model = Session
        fields = ["location", "online_link", "method", "presenter_slots", "quorum_override"]

    def __init__(self, *args, tz: ZoneInfo, **kwargs):
        super().__init__(*args, **kwargs)
        self.tz = tz
        self.fields["method"].queryset = Method.objects.filter(is_active=True)
        self.fields["presenter_slots"].widget.attrs.update(min=MIN_PRESENTERS, max=MAX_PRESENTERS)
        if self.instance.pk and not self.is_bound:
            start = self.instance.starts_at.astimezone(tz)
            end = self.instance.ends_at.astimezone(tz)
            self.initial.update({"day": start.date(), "start_time": start.time(), "end_time": end.time()})
            self.initial.update(
                {
                    "start_fold": wallclock.fold_of(self.instance.starts_at, tz),
                    "end_fold": wallclock.fold_of(self.instance.ends_at, tz),
                }
            )
        self.order_fields(["day", "start_time", "end_time"])
        self.add_fold_fields()

    def typed_local(self, name: str) -> datetime | None:
        if not self.is_bound:
            day, clock = self.initial.get("day"), self.initial.get(name)
            return datetime.combine(day, clock) if day and clock else None
        try:
            day = self.fields["day"].clean(self["day"].data)
            clock = self.fields[name].clean(self[name].data)
        except forms.ValidationError:
            return None
        return datetime.combine(day, clock)

    def clean_presenter_slots(self):
        slots = self.cleaned_data["presenter_slots"]
        if not MIN_PRESENTERS <= slots <= MAX_PRESENTERS:
            raise forms.ValidationError(
                _("Kies %(low)s tot en met %(high)s inbrengers."),
                params={"low": MIN_PRESENTERS, "high": MAX_PRESENTERS},
            )
        return slots

    def clean_day(self):
        day = self.cleaned_data["day"]
        try:
            wallclock.check_day(day)
        except wallclock.WallClockError as error:
            raise forms.ValidationError(error.message) from error
        return day

    def clean(self):
        data = super().clean()
        if not all(data.get(name) for name in ("day", "start_time", "end_time")):
            return data
        starts_at = self.wall_clock_instant("start_time", datetime.combine(data["day"], data["start_time"]))
        ends_at = self.wall_clock_instant("end_time", datetime.combine(data["day"], data["end_time"]))
        if starts_at is None or ends_at is None:
            return data
        # Whether the times fit (the end after the start, a start in the future) is the service's rule.
        data["starts_at"], data["ends_at"] = starts_at, ends_at
        return data

    def _post_clean(self):
        # The model is validated by the service (with the combined start and end), not here.
        pass

    def changes(self) -> dict:
        data = self.cleaned_data
        return {
            "starts_at": data["starts_at"],
            "ends_at": data["ends_at"],
            **{name: data[name] for name in self.Meta.fields},
        }

    def add_service_error(self, error: ValidationError | SessionError) -> None:
        """Show what the service refused at the field it concerns (its ``starts_at``/``ends_at`` are this
        form's start and end time); anything else above the form."""
        show_service_error(self, error, SERVICE_FIELDS)


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reden van annulering"), max_length=255)


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class AttendanceForm(WallClockMixin, forms.Form):
    """One status per person (pre-filled from RSVPs), the actual times and the break. The times are read
    on the group's wall clock like every typed time (``WallClockMixin``): a time the clock
    skips is refused, a time that happens twice gets a choice."""

    fold_fields = {"started_at": "started_fold", "ended_at": "ended_fold"}

    started_at = WallClockDateTimeField(label=_("Werkelijk begin"), widget=DateTimeLocalInput())
    ended_at = WallClockDateTimeField(label=_("Werkelijk einde"), widget=DateTimeLocalInput())
    break_minutes = forms.IntegerField(label=_("Pauze (minuten)"), min_value=0, max_value=240, initial=0)

    def __init__(self, *args, people, initial_statuses, session, **kwargs):
        self.tz = calendar.group_zone(session.group)
        kwargs.setdefault("initial", {})
        for name, instant in (
            ("started_at", session.actual_started_at or session.starts_at),
            ("ended_at", session.actual_ended_at or session.ends_at),
        ):
            kwargs["initial"].setdefault(name, instant.astimezone(self.tz).replace(tzinfo=None))
            kwargs["initial"].setdefault(self.fold_fields[name], wallclock.fold_of(instant, self.tz))
        kwargs["initial"].setdefault("break_minutes", session.break_minutes)
        super().__init__(*args, **kwargs)
        self.people = people
        for person in people:
            self.fields[f"status_{person.pk}"] = forms.ChoiceField(
                label=person.display_name,
                choices=Attendance.Status.choices,
                initial=initial_statuses.get(person.pk),
                widget=forms.RadioSelect,
            )
        self.add_fold_fields()

    def typed_local(self, name: str):
        if not self.is_bound:
            return self.initial.get(name)
        try:
            return self.fields[name].clean(self[name].data)
        except forms.ValidationError:
            return None

    def clean(self):
        data = super().clean()
        for name in self.fold_fields:
            if data.get(name) is not None:
                instant = self.wall_clock_instant(name, data[name])
                if instant is None:
                    data.pop(name, None)  # the error is at the field (or its choice)
                else:
                    data[name] = instant
        start, end, minutes = data.get("started_at"), data.get("ended_at"), data.get("break_minutes")
        if start and end:
            # The service's rules (it checks them again): asked here so they show with the other errors.
            try:
                attendance_times_check(
                    started_at=start, ended_at=end, break_minutes=minutes if minutes is not None else 0
                )
            except ValidationError as error:
                show_service_error(self, error)
        return data

    def status_fields(self):
        return [self[f"status_{person.pk}"] for person in self.people]

    def statuses(self) -> dict[int, str]:
        return {person.pk: self.cleaned_data[f"status_{person.pk}"] for person in self.people}
