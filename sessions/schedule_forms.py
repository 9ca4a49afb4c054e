"""The schedule form: a series picked in words ("elke 4 weken op dinsdag", "de eerste donderdag van de
maand"), turned into an RFC 5545 rule with ``icalendar``'s ``vRecur``. It parses what was picked; whether the
schedule may be saved is ``sessions.schedule.schedule_check``'s rule."""

from datetime import date, datetime, time
from functools import cache
from typing import cast
from zoneinfo import available_timezones

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.utils.formats import date_format
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from icalendar import vRecur

from . import wallclock
from .models import Method, Schedule

WEEKLY, MONTHLY, NONE = "weekly", "monthly", "none"
CUSTOM = "custom"  # keep a stored rule the picker cannot show, as it is
WEEKDAYS = [
    ("MO", _("maandag")),
    ("TU", _("dinsdag")),
    ("WE", _("woensdag")),
    ("TH", _("donderdag")),
    ("FR", _("vrijdag")),
    ("SA", _("zaterdag")),
    ("SU", _("zondag")),
]
POSITIONS = [(1, _("eerste")), (2, _("tweede")), (3, _("derde")), (4, _("vierde")), (-1, _("laatste"))]


def interval_choices() -> list[tuple[int, str]]:
    """ "week", "2 weken" … "8 weken", in the language of the request."""
    return [(1, gettext("week"))] + [
        (n, ngettext("%(n)s week", "%(n)s weken", n) % {"n": n}) for n in range(2, 9)
    ]


@cache
def zone_choices() -> list[tuple[str, str]]:
    """The IANA zones a group can plan in ("Europe/Amsterdam", "America/New_York", ...): the zone
    database's region/city names, without its aliases for offsets and legacy names (``Etc/GMT+5``,
    ``US/Eastern``, ``posixrules``)."""
    legacy = ("Etc/", "SystemV/", "US/", "Canada/", "Mexico/", "Brazil/", "Chile/")
    names = {
        name
        for name in available_timezones()
        if "/" in name and not name.startswith(legacy) and not name.startswith(("posix", "right"))
    }
    names.add(settings.TIME_ZONE)
    return [(name, name.replace("_", " ")) for name in sorted(names)]


# The service's field names for what this form shows elsewhere.
SERVICE_FIELDS = {"rrule": "pattern", "timezone": "timezone"}
SCHEDULE_FIELDS = (
    "first_date",
    "start_time",
    "duration_minutes",
    "horizon_months",
    "default_method",
    "default_format",
)
SERIES_FIELDS = (
    "pattern",
    "interval",
    "weekly_day",
    "position",
    "monthly_day",
    "first_date",
    "start_time",
    "duration_minutes",
    "until",
    "count",
    "exception_dates",
    "horizon_months",
    "default_method",
    "default_format",
    "timezone",
)


class DateListWidget(forms.Widget):
    """Several ``<input type=date>`` of one name (rendered by the page: a list with add and remove)."""

    def value_from_datadict(self, data, files, name):
        return data.getlist(name) if hasattr(data, "getlist") else data.get(name, [])

    def value_omitted_from_data(self, data, files, name):
        return False


class DateListField(forms.Field):
    """Dates as YYYY-MM-DD (what a date input posts), empty ones ignored; sorted, each once."""

    widget = DateListWidget

    def to_python(self, value):
        values = value if isinstance(value, list | tuple) else [value] if value else []
        days = set()
        for text in values:
            text = str(text or "").strip()
            if not text:
                continue
            try:
                days.add(date.fromisoformat(text))
            except ValueError as error:
                raise ValidationError(
                    _("'%(value)s' is geen datum."), code="invalid", params={"value": text}
                ) from error
        return sorted(days)


PATTERNS = [
    (WEEKLY, _("Elke paar weken op een vaste dag")),
    (MONTHLY, _("Een vaste dag van de maand")),
    (NONE, _("Geen vast rooster")),
]


def _number_choice(label, choices):
    return forms.TypedChoiceField(label=label, choices=choices, coerce=int, required=False)


class ScheduleForm(forms.Form):
    pattern = forms.ChoiceField(
        label=_("Hoe vaak"),
        choices=PATTERNS,
        widget=forms.RadioSelect,
        error_messages={"required": _("Kies hoe vaak de groep bijeenkomt.")},
    )
    interval = _number_choice(_("Elke"), [(n, str(n)) for n in range(1, 9)])
    weekly_day = forms.ChoiceField(label=_("op"), choices=WEEKDAYS, required=False)
    position = _number_choice(_("De"), POSITIONS)
    monthly_day = forms.ChoiceField(label=_("dag van de maand"), choices=WEEKDAYS, required=False)
    first_date = forms.DateField(
        label=_("Eerste bijeenkomst (vanaf)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Het rooster geldt vanaf deze datum; bijeenkomsten ervoor blijven zoals ze zijn."),
    )
    start_time = forms.TimeField(
        label=_("Begintijd"), required=False, widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    duration_minutes = forms.IntegerField(label=_("Duur (minuten)"), min_value=15, max_value=600, initial=150)
    until = forms.DateField(
        label=_("Laatste datum"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Leeg: zonder einde."),
    )
    count = forms.IntegerField(
        label=_("Of: aantal bijeenkomsten"), required=False, min_value=1, max_value=500
    )
    exception_dates = DateListField(label=_("Overslaan op"), required=False)
    horizon_months = forms.IntegerField(
        label=_("Vooruit plannen (maanden)"), min_value=1, max_value=24, initial=6
    )
    default_method = forms.ModelChoiceField(
        label=_("Werkvorm"), queryset=Method.objects.none(), required=False, empty_label=_("Nog niet gekozen")
    )
    default_format = forms.ChoiceField(
        label=_("Vorm van de bijeenkomsten"),
        choices=[
            ("live", _("Live, samen in de bijeenkomst")),
            ("written", _("Schriftelijk, met een termijn per fase")),
        ],
        required=False,
        initial="live",
    )
    timezone = forms.ChoiceField(
        label=_("Tijdzone"),
        choices=(),
        required=False,
        help_text=_(
            "Voor een groep buiten Nederland: de begintijd en de data gelden in deze tijdzone, ook in de "
            "agenda-uitnodigingen."
        ),
        error_messages={"invalid_choice": _("Kies een tijdzone uit de lijst.")},
    )

    def __init__(self, *args, instance: Schedule, **kwargs):
        self.instance = instance
        kwargs.setdefault("initial", initial_for(instance))
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["default_method"]).queryset = Method.objects.filter(
            is_active=True
        )
        cast(forms.ChoiceField, self.fields["interval"]).choices = interval_choices()
        zones = zone_choices()
        stored = self.instance.timezone
        if stored and stored not in dict(zones) and stored in available_timezones():
            zones = [(stored, stored.replace("_", " ")), *zones]  # an older name, still valid: kept
        cast(forms.ChoiceField, self.fields["timezone"]).choices = zones
        if self.unknown_rule:  # the stored rule stays as it is unless another pattern is picked
            pattern = cast(forms.ChoiceField, self.fields["pattern"])
            pattern.choices = [
                (CUSTOM, _("Zoals nu: een eigen regel (%(rule)s)") % {"rule": self.unknown_rule}),
                *PATTERNS,
            ]
        for name, field in self.fields.items():
            if name not in ("pattern", "exception_dates"):
                css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
                field.widget.attrs.setdefault("class", css)

    @property
    def unknown_rule(self) -> str:
        """The stored rule when the picker cannot show it (set before this form existed, or in the admin):
        offered as the pattern "zoals nu", picked from the start, and kept unless another one is picked."""
        rule = self.instance.rrule if self.instance.pk else ""
        return rule if rule and _picker_values(rule) is None else ""

    @property
    def zone_open(self) -> bool:
        """The zone option shows open: a zone other than the default is chosen, or it has an error."""
        chosen = self["timezone"].value() or settings.TIME_ZONE
        return chosen != settings.TIME_ZONE or bool(self["timezone"].errors)

    @property
    def exception_values(self) -> list[str]:
        """What the list of exception dates shows: as posted, else as stored; one empty input to add."""
        if self.is_bound:
            values = [v for v in self._posted().getlist("exception_dates") if v.strip()]
        else:
            values = [str(v) for v in self.instance.exception_dates or []]
        return [*values, ""]

    def clean_first_date(self):
        day = self.cleaned_data["first_date"]
        if day is not None:
            try:
                wallclock.check_day(day)
            except wallclock.WallClockError as error:
                raise ValidationError(error.message) from error
        return day

    def clean(self):
        data = super().clean()
        pattern = data.get("pattern")
        needed = {WEEKLY: ("interval", "weekly_day"), MONTHLY: ("position", "monthly_day")}.get(pattern, ())
        for name in needed:
            if data.get(name) in (None, ""):
                self.add_error(name, _("Maak de zin af: kies een waarde."))
        if data.get("until") and data.get("count"):
            self.add_error("count", _("Kies een laatste datum of een aantal, niet allebei."))
        if data.get("until") and data.get("first_date") and data["until"] < data["first_date"]:
            self.add_error("until", _("De laatste datum ligt voor de eerste bijeenkomst."))
        return data

    def clean_default_format(self) -> str:
        """Left out (a page from before the field): what the schedule has."""
        return self.cleaned_data["default_format"] or self.instance.default_format or "live"

    def clean_timezone(self) -> str:
        return self.cleaned_data["timezone"] or self.instance.timezone or settings.TIME_ZONE

    def rule(self) -> str:
        """The RFC 5545 rule for what was picked (empty: no fixed schedule); "zoals nu" is the stored rule,
        unchanged (never one that was posted)."""
        data = self.cleaned_data
        if data["pattern"] == CUSTOM:
            return self.unknown_rule
        if data["pattern"] == WEEKLY:
            parts = {"FREQ": "WEEKLY", "INTERVAL": data["interval"], "BYDAY": data["weekly_day"]}
        elif data["pattern"] == MONTHLY:
            parts = {"FREQ": "MONTHLY", "BYDAY": f"{data['position']}{data['monthly_day']}"}
        else:
            return ""
        if data.get("until"):
            parts["UNTIL"] = datetime.combine(data["until"], time(23, 59, 59))  # local wall clock
        if data.get("count"):
            parts["COUNT"] = data["count"]
        return vRecur(parts).to_ical().decode()

    def schedule(self) -> Schedule:
        """The schedule as picked, not saved (the instance with the new values)."""
        schedule = self.instance
        data = self.cleaned_data
        schedule.rrule = self.rule()
        for name in (*SCHEDULE_FIELDS, "timezone"):
            setattr(schedule, name, data[name])
        schedule.exception_dates = [day.isoformat() for day in data["exception_dates"]]
        return schedule

    def summary(self) -> str:
        """The picked schedule in one sentence ("Elke 4 weken op dinsdag om 14:00, vanaf 5 januari 2027")."""
        data = self.cleaned_data
        days, positions = dict(WEEKDAYS), dict(POSITIONS)
        if data["pattern"] == WEEKLY:
            n = data["interval"]
            every = ngettext("Elke week op %(day)s", "Elke %(n)s weken op %(day)s", n) % {
                "n": n,
                "day": days[data["weekly_day"]],
            }
        elif data["pattern"] == MONTHLY:
            every = gettext("De %(position)s %(day)s van de maand") % {
                "position": positions[data["position"]],
                "day": days[data["monthly_day"]],
            }
        elif data["pattern"] == CUSTOM:
            every = gettext("Een eigen regel (%(rule)s)") % {"rule": self.unknown_rule}
        else:
            return gettext("Geen vast rooster")
        sentence = gettext("%(every)s om %(time)s, vanaf %(first)s") % {
            "every": every,
            "time": data["start_time"].strftime("%H:%M"),
            "first": date_format(data["first_date"], "j F Y"),
        }
        if data["timezone"] != settings.TIME_ZONE:
            sentence = gettext("%(sentence)s (tijdzone %(zone)s)") % {
                "sentence": sentence,
                "zone": data["timezone"].replace("_", " "),
            }
        return sentence

    def add_service_error(self, error: ValidationError) -> None:
        if not hasattr(error, "error_dict"):
            self.add_error(None, error.messages)
            return
        for name, errors in error.error_dict.items():
            field = SERVICE_FIELDS.get(name, name)
            self.add_error(field if field in self.fields else None, [m for e in errors for m in e.messages])

    def hidden_data(self) -> list[tuple[str, str]]:
        """The posted values to carry to the confirmation (which validates them again)."""
        posted = self._posted()
        return [(name, value) for name in SERIES_FIELDS for value in posted.getlist(name)]

    def _posted(self) -> QueryDict:
        return cast(QueryDict, self.data)


def initial_for(schedule: Schedule) -> dict:
    """The picker's values for a stored schedule; no ``pattern`` when its rule is not one it can show."""
    initial = {
        "first_date": schedule.first_date,
        "start_time": schedule.start_time,
        "duration_minutes": schedule.duration_minutes,
        "horizon_months": schedule.horizon_months,
        "default_method": schedule.default_method_id,
        "default_format": schedule.default_format,
        "timezone": schedule.timezone or settings.TIME_ZONE,
        "interval": 4,
        "weekly_day": "TU",
        "position": 1,
        "monthly_day": "TH",
    }
    if not schedule.pk:
        return initial
    if not schedule.rrule:
        return {**initial, "pattern": NONE}
    picked = _picker_values(schedule.rrule)
    return {**initial, **picked} if picked else {**initial, "pattern": CUSTOM}


def _picker_values(rule: str) -> dict | None:
    try:
        parts = vRecur.from_ical(rule.removeprefix("RRULE:"))
    except ValueError:
        return None
    freq, days = parts.get("FREQ", [""])[0], parts.get("BYDAY", [])
    known = {"FREQ", "INTERVAL", "BYDAY", "UNTIL", "COUNT"}
    if set(parts) - known or len(days) != 1:
        return None
    values: dict = {}
    if until := parts.get("UNTIL"):
        values["until"] = until[0].date() if isinstance(until[0], datetime) else until[0]
    if count := parts.get("COUNT"):
        values["count"] = count[0]
    day = days[0]
    interval = parts.get("INTERVAL", [1])[0]
    if freq == "WEEKLY" and day in dict(WEEKDAYS) and 1 <= interval <= 8:
        return {**values, "pattern": WEEKLY, "interval": interval, "weekly_day": day}
    position, weekday = day[:-2], day[-2:]
    if (
        freq == "MONTHLY"
        and interval == 1
        and weekday in dict(WEEKDAYS)
        and position in ("1", "2", "3", "4", "-1")
    ):
        return {**values, "pattern": MONTHLY, "position": int(position), "monthly_day": weekday}
    return None
