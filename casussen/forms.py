import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from sessions import attendance, wallclock
from sessions.calendar import group_zone
from sessions.forms import WallClockDateTimeField, WallClockMixin
from sessions.models import Attendance, Method

from .models import SHORT_MAX, TEXT_MAX, TITLE_MAX, Casus


def show_service_error(form: forms.Form, error: Exception) -> None:
    """Show what a service refused on the form: a ValidationError's messages at the fields it names (above
    the form for the rest), a domain error's translated ``message`` above the form."""
    if not isinstance(error, ValidationError):
        form.add_error(None, error.message)
    elif not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
    else:
        for name, errors in error.error_dict.items():
            messages = [message for item in errors for message in item.messages]
            form.add_error(name if name in form.fields else None, messages)


OWN_PART = re.compile(r"\b(ik|mij|me|mijn|mezelf|i|me|my|myself)\b", re.IGNORECASE)


def kernvraag_warning(text: str) -> str:
    """A soft hint (never an error) when the kernvraag is not a question about the author's own part."""
    text = (text or "").strip()
    if not text:
        return ""
    if not text.endswith("?") or not OWN_PART.search(text):
        return str(
            _(
                "Tip: maak van je kernvraag een vraag over je eigen aandeel, bijvoorbeeld: "
                "“Hoe kan ik …?” of “Wat maakt dat ik …?”"
            )
        )
    return ""


class CasusForm(forms.ModelForm):
    """The intake. Text limits are generous but finite; the kernvraag is required to submit, not to save a
    draft (``services.casus_submit`` says so, at the field)."""

    title = forms.CharField(
        label=_("Titel"),
        max_length=TITLE_MAX,
        required=False,
        help_text=_("Kort en zonder namen; de titel is alleen zichtbaar binnen de groep."),
    )
    situatie = forms.CharField(
        label=_("Situatie"),
        max_length=TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Wat is er gebeurd? Beschrijf het zonder namen van cliënten of collega's."),
    )
    kernvraag = forms.CharField(
        label=_("Kernvraag"),
        max_length=SHORT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Een vraag over je eigen aandeel: “Hoe kan ik …?”"),
    )
    tried = forms.CharField(
        label=_("Wat heb ik al geprobeerd?"),
        max_length=TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    background = forms.CharField(
        label=_("Achtergrond"),
        max_length=TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    class Meta:
        model = Casus
        fields = ["title", "situatie", "kernvraag", "tried", "wish", "background"]
        labels = {"wish": _("Wat wil ik van de groep?")}
        widgets = {"wish": forms.RadioSelect}

    def clean_kernvraag(self):
        # Whether a kernvraag is needed (to submit, or for a queued casus) is the services' rule.
        return self.cleaned_data.get("kernvraag", "").strip()

    @property
    def warning(self) -> str:
        data = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        return kernvraag_warning(data.get("kernvraag") or self.data.get("kernvraag", ""))


class BookForm(forms.Form):
    session = forms.ModelChoiceField(queryset=None, label=_("Bijeenkomst"), empty_label=None)

    def __init__(self, *args, sessions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["session"].queryset = sessions


class VoteForm(BookForm):
    pass


class MethodForm(forms.Form):
    method = forms.ModelChoiceField(
        queryset=Method.objects.filter(is_active=True), label=_("Werkvorm"), required=False
    )


class TextForm(forms.Form):
    text = forms.CharField(max_length=SHORT_MAX, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, label=None, max_length: int = SHORT_MAX, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["text"] = forms.CharField(
            label=label or _("Tekst"), max_length=max_length, widget=forms.Textarea(attrs={"rows": 2})
        )


class StartForm(forms.Form):
    casus = forms.ModelChoiceField(queryset=None, label=_("Casus"), empty_label=None)

    def __init__(self, *args, casussen, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["casus"].queryset = casussen
        self.fields["casus"].label_from_instance = lambda casus: str(casus.author)


class StepForm(forms.Form):
    action = forms.ChoiceField(choices=[(a, a) for a in ("next", "back", "extend", "finish")])


class SummaryForm(forms.Form):
    outcome = forms.CharField(
        label=_("Uitkomst"), max_length=SHORT_MAX, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    takeaways = forms.CharField(
        label=_("Wat neem ik mee?"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 4})
    )
    action_1 = forms.CharField(label=_("Voorgenomen actie"), max_length=500)
    action_2 = forms.CharField(
        label=_("Tweede voorgenomen actie (optioneel)"), max_length=500, required=False
    )


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class AttendanceForm(WallClockMixin, forms.Form):
    """One status per person (pre-filled from RSVPs), the actual times and the break. The times are read
    on the group's wall clock like every typed time (``sessions.forms.WallClockMixin``): a time the clock
    skips is refused, a time that happens twice gets a choice."""

    fold_fields = {"started_at": "started_fold", "ended_at": "ended_fold"}

    started_at = WallClockDateTimeField(label=_("Werkelijk begin"), widget=DateTimeLocalInput())
    ended_at = WallClockDateTimeField(label=_("Werkelijk einde"), widget=DateTimeLocalInput())
    break_minutes = forms.IntegerField(label=_("Pauze (minuten)"), min_value=0, max_value=240, initial=0)

    def __init__(self, *args, people, initial_statuses, session, **kwargs):
        self.tz = group_zone(session.group)
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
                attendance.attendance_times_check(
                    started_at=start, ended_at=end, break_minutes=minutes if minutes is not None else 0
                )
            except ValidationError as error:
                show_service_error(self, error)
        return data

    def status_fields(self):
        return [self[f"status_{person.pk}"] for person in self.people]

    def statuses(self) -> dict[int, str]:
        return {person.pk: self.cleaned_data[f"status_{person.pk}"] for person in self.people}
