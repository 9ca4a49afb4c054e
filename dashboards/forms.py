from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from dateutil.relativedelta import relativedelta
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Period:
    """A half-open range [start, end) of aware datetimes; ``start`` None means "from the beginning"."""

    start: datetime | None
    end: datetime
    first_day: date | None
    last_day: date

    def contains(self, moment: datetime) -> bool:
        return (self.start is None or moment >= self.start) and moment < self.end


def _local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def period_for(first_day: date | None, last_day: date) -> Period:
    return Period(
        start=_local_midnight(first_day) if first_day else None,
        end=_local_midnight(last_day + timedelta(days=1)),
        first_day=first_day,
        last_day=last_day,
    )


def _date_widget():
    return forms.DateInput(attrs={"type": "date", "class": "form-control form-control-sm"}, format="%Y-%m-%d")


class PeriodForm(forms.Form):
    """The period filter (GET). Without input: the last 12 months up to today."""

    CHOICES = [
        ("3", _("laatste 3 maanden")),
        ("6", _("laatste 6 maanden")),
        ("12", _("laatste 12 maanden")),
        ("24", _("laatste 2 jaar")),
        ("all", _("alles")),
        ("custom", _("eigen periode")),
    ]
    period = forms.ChoiceField(
        label=_("Periode"),
        choices=CHOICES,
        required=False,
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    start = forms.DateField(label=_("van"), required=False, widget=_date_widget())
    end = forms.DateField(
        label=_("tot en met"),
        required=False,
        widget=_date_widget(),
    )

    default = "12"

    def __init__(self, data=None, *args, **kwargs):
        if data is not None and not any(data.get(k) for k in ("period", "start", "end")):
            data = None  # no filter given: show the default, unbound
        super().__init__(data, *args, **kwargs)
        self.fields["period"].initial = self.default

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if (start or end) and not cleaned.get("period"):
            cleaned["period"] = "custom"
        if cleaned.get("period") == "custom":
            if not start:
                self.add_error("start", _("Kies een begindatum."))
            if start and end and end < start:
                self.add_error("end", _("De einddatum ligt voor de begindatum."))
        for name in ("start", "end"):
            day = cleaned.get(name)
            if day and not (2000 <= day.year <= 2100):
                self.add_error(name, _("Kies een datum tussen 2000 en 2100."))
        return cleaned

    def get_period(self) -> Period:
        """The chosen period (call after is_valid(); an unbound form gives the default)."""
        today = timezone.localdate()
        choice = self.cleaned_data.get("period") if self.is_bound else self.default
        choice = choice or self.default
        if choice == "custom":
            return period_for(self.cleaned_data["start"], self.cleaned_data.get("end") or today)
        if choice == "all":
            return period_for(None, today)
        return period_for(today - relativedelta(months=int(choice)) + timedelta(days=1), today)


class AccreditationPeriodForm(PeriodForm):
    """Accreditation usually spans years: the default is everything up to today."""

    default = "all"
