from crispy_forms.bootstrap import InlineRadios
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Field, Layout, Submit
from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from .models import EYE_OPENER_MAX, SCALE_MAX, SCALE_MIN, SCALES, TAKEAWAY_MAX, WHAT_CHANGED_MAX, FollowUp
from .selectors import MIN_ANSWERS

SCALE_CHOICES = [(value, str(value)) for value in range(SCALE_MIN, SCALE_MAX + 1)]
SCALE_ERRORS = {
    "required": _("Kies een score van 1 tot 5."),
    "invalid_choice": _("Kies een score van 1 tot 5."),
}


def scale_field(label, *, required=True) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=SCALE_CHOICES,
        coerce=int,
        required=required,
        empty_value=None,
        widget=forms.RadioSelect,
        error_messages=SCALE_ERRORS,
    )


class ReflectionForm(forms.Form):
    """Six scales and one line; the presenter gets two more. Radio buttons: quick on a phone."""

    takeaway = forms.CharField(
        label=_("Wat neem ik mee? (één regel)"), max_length=TAKEAWAY_MAX, required=False
    )
    share_takeaway = forms.BooleanField(
        label=_("Deel met de groep"),
        required=False,
        help_text=format_lazy(
            _(
                "Alleen dan ziet de groep deze regel, zonder je naam, en pas als de reflectieronde "
                "gesloten is met minstens {n} reflecties."
            ),
            n=MIN_ANSWERS,
        ),
    )

    def __init__(self, *args, is_presenter: bool = False, questions=(), **kwargs):
        super().__init__(*args, **kwargs)
        scales = {name: scale_field(label) for name, label in SCALES}
        self.fields = {**scales, **self.fields}
        self.is_presenter = is_presenter
        names = list(scales)
        self.questions = {question.pk: question for question in questions}
        presenter_fields = ()
        if is_presenter:
            self.fields["advice_fit"] = scale_field(_("Hoe goed paste het advies bij mijn vraag?"))
            if self.questions:
                self.fields["eye_opener_question"] = forms.TypedChoiceField(
                    label=_("Welke vraag uit het vragenlog opende mijn ogen?"),
                    choices=[(pk, question.text) for pk, question in self.questions.items()],
                    coerce=int,
                    empty_value=None,
                    required=False,
                    widget=forms.RadioSelect,
                )
                presenter_fields = ("eye_opener_question",)
            self.fields["eye_opener"] = forms.CharField(
                label=_("Welke vraag opende mijn ogen?") if not self.questions else _("… of typ de vraag"),
                max_length=EYE_OPENER_MAX,
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
        self.helper = FormHelper()
        self.helper.layout = Layout(
            *(InlineRadios(name) for name in names),
            Field("takeaway"),
            Field("share_takeaway"),
            *((InlineRadios("advice_fit"), *presenter_fields, Field("eye_opener")) if is_presenter else ()),
            Submit("submit", _("Reflectie opslaan")),
        )

    def clean(self):
        data = super().clean()
        if data.get("eye_opener_question") and data.get("eye_opener", "").strip():
            self.add_error("eye_opener", _("Kies een vraag uit het log óf typ er een, niet allebei."))
        return data

    def picked_question(self):
        return self.questions.get(self.cleaned_data.get("eye_opener_question"))

    def scores(self) -> dict[str, int]:
        return {name: self.cleaned_data[name] for name, _label in SCALES}


class FollowUpForm(forms.ModelForm):
    class Meta:
        model = FollowUp
        fields = ["outcome", "what_changed"]
        widgets = {
            "outcome": forms.RadioSelect,
            "what_changed": forms.Textarea(attrs={"rows": 4, "maxlength": WHAT_CHANGED_MAX}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["outcome"].choices = FollowUp.Outcome.choices
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Opslaan")))


class PeriodForm(forms.Form):
    """Period filter for the group page. It selects whole sessions by date; what it shows is still only the
    sum of published session aggregates (see ``reflections.selectors``)."""

    van = forms.DateField(label=_("Van"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    tot = forms.DateField(
        label=_("Tot en met"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.add_input(Submit("filter", _("Toon"), css_class="btn-secondary"))

    def clean(self):
        data = super().clean()
        if data.get("van") and data.get("tot") and data["van"] > data["tot"]:
            raise forms.ValidationError(_("De begindatum ligt na de einddatum."))
        return data
