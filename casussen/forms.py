import re

from django import forms
from django.utils.translation import gettext_lazy as _

from sessions.models import Method

from .models import SHORT_MAX, TEXT_MAX, TITLE_MAX, Casus

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


class SummaryShareForm(SummaryForm):
    """The summary form for a casus that members wrote for in advance: with the choice to share it."""

    share_with_advance = forms.BooleanField(
        label=_("Deel mijn samenvatting met wie vooraf schreef"),
        required=False,
        help_text=_(
            "Zij krijgen een e-mail dat je samenvatting klaarstaat en lezen hem in Intervisie; "
            "de vragen van anderen krijgen ze niet."
        ),
    )


class AdvanceForm(forms.Form):
    """Questions and advice written before the session by a member who declined it (casussen/advance.py
    decides how many questions and until when)."""

    questions = forms.CharField(
        label=_("Je vragen"),
        max_length=TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Open vragen, één per regel: ze komen in de vragenronde in het vragenlog."),
    )
    advice = forms.CharField(
        label=_("Je ene, eerlijke advies"),
        max_length=SHORT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Het komt in de adviesronde; de inbrenger leest het bij de casus."),
    )


def advance_form(casus: Casus, contribution=None, data=None) -> AdvanceForm:
    """The form for one casus, prefilled with what the member wrote (an ``AdvanceContribution``); its ids
    unique per casus (a session page may show several)."""
    initial = {"questions": contribution.questions, "advice": contribution.advice} if contribution else {}
    return AdvanceForm(data, initial=initial, auto_id=f"id_advance_{casus.pk}_%s")
