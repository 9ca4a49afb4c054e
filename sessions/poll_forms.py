"""The date poll's forms: they parse; what a poll needs (2 to 5 options, in the future, no doubles) is
``polls.poll_open``'s rule. A typed date and time is read on the group's wall clock (``WallClockMixin``)."""

from datetime import datetime, time
from zoneinfo import ZoneInfo

from django import forms
from django.utils.translation import gettext_lazy as _

from . import wallclock
from .forms import WallClockMixin
from .models import DatePollAnswer, DatePollOption
from .polls import MAX_OPTIONS

ROWS = range(1, MAX_OPTIONS + 1)


def _time_field(label) -> forms.TimeField:
    return forms.TimeField(
        label=label, required=False, widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )


class MomentsForm(WallClockMixin, forms.Form):
    """Up to five dates with a start time (the session keeps its length)."""

    fold_fields = {f"time_{i}": f"fold_{i}" for i in ROWS}

    def __init__(self, *args, tz: ZoneInfo, initial_time: time | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.tz = tz
        for i in ROWS:
            self.fields[f"day_{i}"] = forms.DateField(
                label=_("Datum %(n)s") % {"n": i},
                required=False,
                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            )
            self.fields[f"time_{i}"] = _time_field(_("Begintijd %(n)s") % {"n": i})
            if initial_time is not None:
                self.initial.setdefault(f"time_{i}", initial_time)
        self.add_fold_fields()

    def typed_local(self, name: str) -> datetime | None:
        i = name.rsplit("_", 1)[1]
        if not self.is_bound:
            return None
        try:
            day = self.fields[f"day_{i}"].clean(self[f"day_{i}"].data)
            clock = self.fields[name].clean(self[name].data)
        except forms.ValidationError:
            return None
        return datetime.combine(day, clock) if day and clock else None

    def rows(self) -> list[tuple]:
        """([day, time], fold or None) bound fields per row, for the template."""
        return [
            ([self[f"day_{i}"], self[f"time_{i}"]], self[f"fold_{i}"] if f"fold_{i}" in self.fields else None)
            for i in ROWS
        ]

    def clean(self):
        data = super().clean()
        moments = []
        for i in ROWS:
            day, clock = data.get(f"day_{i}"), data.get(f"time_{i}")
            if day is None:  # an empty row (its time is prefilled with the session's)
                continue
            if clock is None:
                self.add_error(f"time_{i}", _("Vul een datum én een tijd in."))
                continue
            try:
                wallclock.check_day(day)
            except wallclock.WallClockError as error:
                self.add_error(f"day_{i}", error.message)
                continue
            instant = self.wall_clock_instant(f"time_{i}", datetime.combine(day, clock))
            if instant is not None:
                moments.append(instant)
        data["moments"] = moments
        return data


class WeekdaysForm(forms.Form):
    """Up to five weekdays with a start time: a group picking its fixed day."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for i in ROWS:
            self.fields[f"weekday_{i}"] = forms.TypedChoiceField(
                label=_("Dag %(n)s") % {"n": i},
                choices=[("", "---------"), *DatePollOption.Weekday.choices],
                coerce=int,
                empty_value=None,
                required=False,
            )
            self.fields[f"time_{i}"] = _time_field(_("Begintijd %(n)s") % {"n": i})

    def rows(self) -> list[tuple]:
        return [([self[f"weekday_{i}"], self[f"time_{i}"]], None) for i in ROWS]

    def clean(self):
        data = super().clean()
        weekdays = []
        for i in ROWS:
            weekday, clock = data.get(f"weekday_{i}"), data.get(f"time_{i}")
            if weekday is None and clock is None:
                continue
            if weekday is None or clock is None:
                name = f"weekday_{i}" if weekday is None else f"time_{i}"
                self.add_error(name, _("Vul een dag én een tijd in."))
                continue
            weekdays.append((weekday, clock))
        data["weekdays"] = weekdays
        return data


class AnswerForm(forms.Form):
    answer = forms.ChoiceField(label=_("Antwoord"), choices=DatePollAnswer.Answer.choices)


class ConfirmForm(forms.Form):
    option = forms.IntegerField(label=_("Datum"), widget=forms.HiddenInput)
