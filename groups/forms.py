import re

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout, Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.forms import NewAccountForm

from .models import Group, Membership
from .services import GROUP_SETTINGS_FIELDS

ADDRESS_SEPARATORS = re.compile(r"[\s,;]+")


def split_addresses(text: str) -> list[str]:
    """The addresses in a typed list: one per line, or separated by commas, semicolons or spaces (angle
    brackets around an address, as mail programs copy it, are dropped)."""
    return [part.strip("<>") for part in ADDRESS_SEPARATORS.split(text) if part.strip("<>")]


class InvitationForm(forms.Form):
    """Parses a list of addresses and one role; ``services.invitations_create`` judges each address."""

    emails = forms.CharField(
        label=_("E-mailadressen"),
        help_text=_("Eén adres per regel, of gescheiden door komma's, puntkomma's of spaties."),
        widget=forms.Textarea(attrs={"rows": 5, "autocomplete": "off", "spellcheck": "false"}),
        max_length=5000,
    )
    role = forms.ChoiceField(label=_("Rol"), choices=Membership.Role.choices, initial=Membership.Role.MEMBER)

    def __init__(self, *args, group, may_invite_facilitators: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.group = group
        if not may_invite_facilitators:
            self.fields["role"].choices = [(Membership.Role.MEMBER, Membership.Role.MEMBER.label)]
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Uitnodigingen versturen")))

    def clean_emails(self) -> list[str]:
        addresses = split_addresses(self.cleaned_data["emails"])
        if not addresses:
            raise forms.ValidationError(_("Vul minstens één e-mailadres in."), code="required")
        return addresses


class HandoverForm(forms.Form):
    """Who gives the facilitator role up (only oneself, for a facilitator who is not an admin) and who
    takes it; ``services.facilitator_handover`` decides."""

    facilitator = forms.ModelChoiceField(label=_("Wie draagt de begeleiding over?"), queryset=None)
    successor = forms.ModelChoiceField(label=_("Aan wie?"), queryset=None, widget=forms.RadioSelect)

    def __init__(self, *args, facilitators, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["facilitator"].queryset = facilitators
        self.fields["facilitator"].empty_label = None
        self.fields["facilitator"].label_from_instance = lambda m: m.user.display_name
        self.fields["successor"].queryset = members
        self.fields["successor"].label_from_instance = lambda m: m.user.display_name
        options = list(facilitators[:2])
        self.has_facilitators = bool(options)
        if len(options) == 1:
            self.fields["facilitator"].initial = options[0].pk
            self.fields["facilitator"].widget = forms.HiddenInput()
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Begeleiding overdragen")))


class AgreementsForm(forms.Form):
    accept = forms.BooleanField(
        label=_("Ik ga akkoord met de afspraken van de groep (vertrouwelijkheid en aanwezigheid)."),
        error_messages={"required": _("Je kunt pas meedoen als je akkoord gaat met de afspraken.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Lid worden")))


class NewAccountAgreementsForm(NewAccountForm, AgreementsForm):
    """Accepting an invitation without an account: name, password and the agreements at once."""


LABELS = {
    "organisation": _("Organisatie"),
    "name": _("Naam van de groep"),
    "description": _("Omschrijving"),
    "agreements": _("Groepsafspraken"),
    "is_active": _("De groep is actief"),
    "default_location": _("Vaste locatie"),
    "default_online_link": _("Vaste online link"),
    "size_limit": _("Maximaal aantal deelnemers"),
    "quorum": _("Minimaal aantal aanwezigen (quorum)"),
    "reminder_first_days": _("Eerste herinnering: hoeveel dagen vooraf"),
    "reminder_second_days": _("Tweede herinnering: hoeveel dagen vooraf"),
    "rsvp_nudge_days": _("Vraag om aan- of af te melden: hoeveel dagen vooraf"),
    "casus_prep_days": _("Herinnering voor de inbrenger: hoeveel dagen vooraf"),
    "reflection_request_hours": _("Vraag om een reflectie: hoeveel uur na afloop"),
    "followup_weeks": _("Vraag wat de casus heeft opgeleverd: hoeveel weken na afloop"),
    "show_casus_title_in_email": _("Titel van de casus in e-mails noemen"),
    "alert_trend_relative": _("Signaal bij dalende opkomst: onder hoeveel procent van het gewone niveau"),
    "alert_trend_absolute": _("Signaal bij lage opkomst: onder hoeveel procent"),
    "alert_fading_in_a_row": _("Signaal bij afhaken: hoeveel keer achter elkaar gemist"),
    "alert_fading_of_last_five": _("Signaal bij afhaken: hoeveel van de laatste 5 keer gemist"),
    "alert_quorum_days": _("Waarschuwing bij te weinig aanmeldingen: hoeveel dagen vooraf"),
    "casus_retention_months": _("Casussen bewaren: hoeveel maanden"),
}

HELP_TEXTS = {
    "name": _("Zo heet de groep in de app, in e-mails en in agenda's. Eén regel."),
    "description": _(
        "Voor wie de groep is en waar het over gaat. De deelnemers zien dit op de groepspagina."
    ),
    "agreements": _(
        "Nieuwe deelnemers lezen deze afspraken en gaan ermee akkoord voordat ze lid worden. Wie al lid "
        "is, heeft de afspraken van dat moment geaccepteerd."
    ),
    "is_active": _(
        "Zet dit uit als de groep stopt. Er worden dan geen nieuwe bijeenkomsten gepland en er komen geen "
        "signalen meer. Wat er al is, blijft bewaard."
    ),
    "default_location": _(
        "Het adres of de ruimte waar de groep meestal samenkomt, bijvoorbeeld 'Kamer 2.14'."
    ),
    "default_online_link": _(
        "De link naar de videovergadering (Teams, Zoom, …) als de groep online samenkomt. Begint met "
        "https://."
    ),
    "size_limit": _("Tussen 2 en 20. Een intervisiegroep werkt meestal het best met 4 tot 8 mensen."),
    "quorum": _(
        "Zoveel mensen moeten er minstens zijn om de bijeenkomst door te laten gaan. Zijn er te weinig "
        "aanmeldingen, dan krijgt de begeleider een waarschuwing."
    ),
    "reminder_first_days": _("Alle deelnemers krijgen dan een e-mail dat de bijeenkomst eraan komt."),
    "reminder_second_days": _("Een tweede e-mail kort voor de bijeenkomst."),
    "rsvp_nudge_days": _("Wie nog niet heeft laten weten of hij of zij komt, krijgt dan een e-mail."),
    "casus_prep_days": _("Wie een casus inbrengt, krijgt dan een e-mail om die voor te bereiden."),
    "reflection_request_hours": _("De aanwezigen krijgen dan een e-mail met de vraag kort terug te blikken."),
    "followup_weeks": _("De inbrenger krijgt dan de vraag wat de adviezen in de praktijk hebben opgeleverd."),
    "show_casus_title_in_email": _(
        "Uit: e-mails noemen alleen dat er een casus is. Aan: ook de titel. Laat dit uit als titels iets "
        "over cliënten of collega's kunnen verraden."
    ),
    "alert_trend_relative": _(
        "De begeleider krijgt een signaal als de opkomst van de laatste 3 bijeenkomsten onder dit percentage "
        "zakt van de opkomst in de eerste 6 bijeenkomsten. Bijvoorbeeld 75: was de opkomst eerst 80%, dan "
        "komt er een signaal onder 60%."
    ),
    "alert_trend_absolute": _(
        "Ook een signaal als de opkomst van de laatste 3 bijeenkomsten onder dit percentage van de "
        "deelnemers komt. Een getal van 0 tot 100."
    ),
    "alert_fading_in_a_row": _(
        "De begeleider krijgt een signaal als iemand de laatste bijeenkomsten zo vaak achter elkaar niet "
        "was (ook als die zich had afgemeld)."
    ),
    "alert_fading_of_last_five": _("Of als iemand zo vaak van de laatste vijf bijeenkomsten ontbrak."),
    "alert_quorum_days": _(
        "Zoveel dagen voor de bijeenkomst kijkt de app of er genoeg aanmeldingen zijn voor het quorum."
    ),
    "casus_retention_months": _(
        "Daarna wordt de inhoud van besproken casussen gewist. Wie er was en hoe lang blijft bewaard, voor "
        "de accreditatie."
    ),
}

SETTINGS_FIELDSETS = (
    (_("Algemeen"), ("name", "description", "agreements", "is_active")),
    (_("Bijeenkomsten"), ("default_location", "default_online_link", "size_limit", "quorum")),
    (
        _("Herinneringen per e-mail"),
        (
            "reminder_first_days",
            "reminder_second_days",
            "rsvp_nudge_days",
            "casus_prep_days",
            "reflection_request_hours",
            "followup_weeks",
        ),
    ),
    (
        _("Signalen voor de begeleider"),
        (
            "alert_trend_relative",
            "alert_trend_absolute",
            "alert_fading_in_a_row",
            "alert_fading_of_last_five",
            "alert_quorum_days",
        ),
    ),
    (_("Privacy"), ("show_casus_title_in_email", "casus_retention_months")),
)


class GroupCreateForm(forms.ModelForm):
    """Parses a new group; ``services.group_create`` makes it. The organisation is only asked when the
    user administers more than one."""

    class Meta:
        model = Group
        fields = [
            "organisation",
            "name",
            "description",
            "default_location",
            "default_online_link",
            "size_limit",
            "quorum",
        ]
        labels = LABELS
        help_texts = HELP_TEXTS
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["organisation"]
        field.queryset = organisations
        field.empty_label = None
        options = list(organisations[:2])
        if len(options) == 1:
            field.initial = options[0].pk
            field.widget = forms.HiddenInput()
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Groep aanmaken")))


class GroupSettingsForm(forms.ModelForm):
    """Parses the settings page; ``services.group_update`` saves. ``read_only`` shows the values without
    letting them be changed (for facilitators)."""

    class Meta:
        model = Group
        fields = list(GROUP_SETTINGS_FIELDS)
        labels = LABELS
        help_texts = HELP_TEXTS
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "agreements": forms.Textarea(attrs={"rows": 6}),
        }

    def __init__(self, *args, read_only: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.disabled = read_only
        self.helper = FormHelper()
        self.helper.layout = Layout(
            *(
                Fieldset(legend, *fields, css_class="mb-4 pt-3 border-top")
                for legend, fields in SETTINGS_FIELDSETS
            )
        )
        if not read_only:
            self.helper.add_input(Submit("submit", _("Instellingen opslaan")))


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Rol"), choices=Membership.Role.choices, widget=forms.RadioSelect)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Rol opslaan")))
