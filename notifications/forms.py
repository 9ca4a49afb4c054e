from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from sessions.models import RSVP

from .models import GROUP_KINDS, USER_KINDS, CalendarPath
from .tokens import Action

USER_KIND_CHOICES = [(k.value, k.label) for k in USER_KINDS]


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


class PreferencesForm(forms.Form):
    enabled = forms.MultipleChoiceField(
        label=_("Deze e-mails wil ik ontvangen"),
        choices=USER_KIND_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    digest = forms.BooleanField(
        label=_("Stuur herinneringen en verzoeken die niet dringend zijn in één dagelijks overzicht"),
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Opslaan")))

    @property
    def disabled_kinds(self) -> list[str]:
        return [value for value, _label in USER_KIND_CHOICES if value not in self.cleaned_data["enabled"]]


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
