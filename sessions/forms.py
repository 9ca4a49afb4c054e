from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import RSVP, Method, Schedule, Session
from .schedule import RuleError, occurrences, parse_rule, zone


class RSVPForm(forms.Form):
    answer = forms.ChoiceField(label=_("Antwoord"), choices=RSVP.Answer.choices)
    decline_reason = forms.ChoiceField(
        label=_("Reden"), choices=[("", "---------"), *RSVP.Reason.choices], required=False
    )
    decline_note = forms.CharField(label=_("Toelichting"), max_length=255, required=False)

    def clean(self):
        data = super().clean()
        if data.get("answer") == RSVP.Answer.DECLINE and not data.get("decline_reason"):
            self.add_error("decline_reason", _("Kies een reden waarom je niet kunt."))
        if data.get("decline_reason") == RSVP.Reason.OTHER and not (data.get("decline_note") or "").strip():
            self.add_error("decline_note", _("Licht 'anders' kort toe."))
        return data


class ExceptionDatesField(forms.CharField):
    """Dates as YYYY-MM-DD, one per line or separated by commas."""

    widget = forms.Textarea(attrs={"rows": 3})

    def prepare_value(self, value):
        if isinstance(value, list):
            return "\n".join(str(v) for v in value)
        return value

    def to_python(self, value):
        text = super().to_python(value) or ""
        dates = []
        for part in text.replace(",", "\n").split():
            try:
                dates.append(date.fromisoformat(part.strip()).isoformat())
            except ValueError as error:
                raise forms.ValidationError(
                    _("'%(value)s' is geen datum (gebruik JJJJ-MM-DD)."), params={"value": part}
                ) from error
        return sorted(set(dates))


class ScheduleForm(forms.ModelForm):
    exception_dates = ExceptionDatesField(
        label=_("Uitzonderingsdata"),
        required=False,
        help_text=_("Data waarop de groep niet bijeenkomt, als JJJJ-MM-DD, één per regel."),
    )

    class Meta:
        model = Schedule
        fields = [
            "rrule",
            "first_date",
            "start_time",
            "duration_minutes",
            "timezone",
            "exception_dates",
            "horizon_months",
            "default_method",
        ]
        widgets = {
            "first_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "start_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }
        help_texts = {
            "rrule": _(
                "Een RFC 5545-regel. Voorbeelden: elke 4 weken op dinsdag: FREQ=WEEKLY;INTERVAL=4;BYDAY=TU · "
                "eerste donderdag van de maand: FREQ=MONTHLY;BYDAY=1TH · leeg: geen vast rooster."
            ),
            "timezone": _(
                "Bijvoorbeeld Europe/Amsterdam. De begintijd blijft gelijk bij zomer- en wintertijd."
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["default_method"].queryset = Method.objects.filter(is_active=True)

    def clean_timezone(self):
        value = self.cleaned_data["timezone"].strip()
        try:
            zone(value)
        except RuleError as error:
            raise forms.ValidationError(error.args[0]) from error
        return value

    def clean(self):
        data = super().clean()
        rule = (data.get("rrule") or "").strip()
        data["rrule"] = rule.removeprefix("RRULE:")
        if not rule:
            return data
        if not data.get("first_date"):
            self.add_error("first_date", _("Een herhaling heeft een eerste datum nodig."))
        if not data.get("start_time"):
            self.add_error("start_time", _("Een herhaling heeft een begintijd nodig."))
        if self.errors:
            return data
        try:
            parse_rule(rule, dtstart=datetime.combine(data["first_date"], data["start_time"]))
            probe = Schedule(
                **{name: data.get(name) for name in self.Meta.fields if name != "default_method"}
            )
            probe.rrule = data["rrule"]
            now = timezone.now()
            occurrences(probe, since=now, until=now + timedelta(days=31 * data.get("horizon_months", 6)))
        except RuleError as error:
            self.add_error("rrule", error.args[0])
        return data


class SessionForm(forms.ModelForm):
    """Plan a one-off session or change one: a local date, start and end time (Europe/Amsterdam or the
    group's zone)."""

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
        if self.instance.pk and not self.is_bound:
            start = self.instance.starts_at.astimezone(tz)
            end = self.instance.ends_at.astimezone(tz)
            self.initial.update({"day": start.date(), "start_time": start.time(), "end_time": end.time()})
        self.order_fields(["day", "start_time", "end_time"])

    def clean(self):
        data = super().clean()
        day, start, end = data.get("day"), data.get("start_time"), data.get("end_time")
        if day and start and end:
            starts_at = datetime.combine(day, start, tzinfo=self.tz)
            ends_at = datetime.combine(day, end, tzinfo=self.tz)
            if ends_at <= starts_at:
                self.add_error("end_time", _("De eindtijd moet na de begintijd liggen."))
            elif starts_at <= timezone.now():
                self.add_error("day", _("Kies een moment in de toekomst."))
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


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reden van annulering"), max_length=255)
