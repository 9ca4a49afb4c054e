"""Forms of intervision in writing: the session's format, a phase's deadline, a contribution. They parse;
the rules are the services' (``casussen/written.py``, ``sessions/written.py``)."""

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sessions import wallclock
from sessions.models import Session

from .models import SHORT_MAX

LOCAL_FORMAT = "%Y-%m-%dT%H:%M"


class FormatForm(forms.Form):
    format = forms.ChoiceField(
        label=_("Hoe bespreekt de groep de casus?"),
        choices=[
            (Session.Format.LIVE, _("Live, samen in de bijeenkomst")),
            (Session.Format.WRITTEN, _("Schriftelijk, met een termijn per fase")),
        ],
        widget=forms.RadioSelect,
    )


class DeadlineForm(forms.Form):
    """A phase's new deadline, typed on the group's wall clock."""

    due_at = forms.DateTimeField(
        label=_("Nieuwe termijn"),
        input_formats=[LOCAL_FORMAT],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL_FORMAT),
    )

    def __init__(self, *args: Any, tz: ZoneInfo, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.tz = tz

    def clean_due_at(self) -> datetime:
        value = self.cleaned_data["due_at"]
        try:
            return wallclock.to_utc(
                timezone.make_naive(value) if timezone.is_aware(value) else value, self.tz
            )
        except wallclock.WallClockError as error:
            raise forms.ValidationError(error.message) from error


class ContributionForm(forms.Form):
    text = forms.CharField(
        label=_("Jouw bijdrage"), max_length=SHORT_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )
