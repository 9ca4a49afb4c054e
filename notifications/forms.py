from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from sessions.models import RSVP

from . import kinds
from .models import GROUP_KINDS, USER_KINDS, CalendarPath
from .tokens import Action


class OneClickForm(forms.Form):
    """The confirm step of a one-click link; a decline asks for its reason (it feeds the dashboard)."""

    decline_reason = forms.ChoiceField(label=_("Reden"), choices=RSVP.Reason.choices, required=False)
    decline_note = forms.CharField(label=_("Toelichting (optioneel)"), max_length=255, required=False)

    def __init__(self, *args, action: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.action = action
        if action != Action.DECLINE:
            del self.fields["decline_reason"]
            del self.fields["decline_note"]
        else:
            self.fields["decline_reason"].required = True
            self.fields["decline_reason"].widget = forms.RadioSelect(choices=RSVP.Reason.choices)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Bevestigen")))


# The preferences page's sections: whom the kinds in each are for (``kinds.EmailKind.audience``).
SECTION_LABELS = {
    kinds.FOR_SESSIONS: _("Over de bijeenkomsten"),
    kinds.FOR_PRESENTERS: _("Als je een casus inbrengt"),
    kinds.FOR_REFLECTION: _("Na afloop"),
    kinds.FOR_FACILITATORS: _("Als intervisiebegeleider"),
    kinds.FOR_ADMINS: _("Als beheerder"),
}
USER_KIND_VALUES = {k.value for k in USER_KINDS}


class PreferencesForm(forms.Form):
    """One group of checkboxes per audience the person belongs to (a member sees no facilitator's or
    admin's kinds). ``disabled_kinds`` keeps what was stored for the kinds this person is not shown."""

    digest = forms.BooleanField(
        label=_("Stuur herinneringen en verzoeken die niet dringend zijn in één dagelijks overzicht"),
        required=False,
    )

    def __init__(self, *args, audiences: frozenset[str], stored_disabled: frozenset[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.stored_disabled = stored_disabled
        self.shown: set[str] = set()
        fields = {}
        for audience in kinds.AUDIENCES:
            if audience not in audiences:
                continue
            choices = [
                (entry.value, entry.label)
                for entry in kinds.REGISTRY
                if entry.audience == audience and entry.value in USER_KIND_VALUES
            ]
            if not choices:
                continue
            self.shown.update(value for value, _label in choices)
            fields[f"enabled_{audience}"] = forms.MultipleChoiceField(
                label=SECTION_LABELS[audience],
                choices=choices,
                widget=forms.CheckboxSelectMultiple,
                required=False,
                initial=[value for value, _label in choices if value not in stored_disabled],
            )
        self.fields = {**fields, "digest": self.fields["digest"]}
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Opslaan")))

    @property
    def disabled_kinds(self) -> list[str]:
        enabled = {value for name, values in self.cleaned_data.items() if name.startswith("enabled_")
                   for value in values}  # fmt: skip
        hidden = {value for value in self.stored_disabled if value not in self.shown}
        return sorted(hidden | (self.shown - enabled))


class GroupSettingsForm(forms.Form):
    enabled = forms.MultipleChoiceField(
        label=_("Deze e-mails verstuurt de groep"),
        choices=[(k.value, k.label) for k in GROUP_KINDS],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    no_casus_days = forms.IntegerField(label=_("'Nog geen casus' (dagen vooraf)"), min_value=1, max_value=60)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Opslaan")))

    @property
    def disabled_kinds(self) -> list[str]:
        return [k.value for k in GROUP_KINDS if k.value not in self.cleaned_data["enabled"]]


class CalendarPathForm(forms.Form):
    """One way for the sessions to reach the member's calendar (both ways put each session there twice)."""

    calendar_path = forms.ChoiceField(
        label=_("Zo wil ik de bijeenkomsten in mijn agenda"),
        choices=CalendarPath.choices,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        # The <form> tag is the template's: crispy copies a helper's form action onto the radio group too.
        self.helper.form_tag = False
        self.helper.add_input(Submit("submit", _("Keuze opslaan")))
