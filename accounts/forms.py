from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from .models import ProfessionalRegistration, User


class LoginForm(AuthenticationForm):
    username = forms.EmailField(label=_("E-mailadres"), widget=forms.EmailInput(attrs={"autofocus": True}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Inloggen")))


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["display_name", "preferred_language"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Opslaan")))


class LanguageForm(forms.Form):
    language = forms.ChoiceField(choices=settings.LANGUAGES)
    next = forms.CharField(required=False)


class NewAccountForm(forms.Form):
    """The account part of accepting an invitation: name and a password (twice)."""

    display_name = forms.CharField(label=_("Je naam"), max_length=150)
    password1 = forms.CharField(label=_("Wachtwoord"), widget=forms.PasswordInput, strip=False)
    password2 = forms.CharField(label=_("Wachtwoord (nogmaals)"), widget=forms.PasswordInput, strip=False)

    def __init__(self, *args, email: str, **kwargs):
        self.email = email
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("De wachtwoorden zijn niet gelijk."))
        if p1:
            candidate = User(email=self.email, display_name=cleaned.get("display_name", ""))
            try:
                password_validation.validate_password(p1, candidate)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class RegistrationForm(forms.Form):
    """A register the member reports to and their number there (parses; ``registration_save`` decides)."""

    register = forms.ChoiceField(label=_("Register"), choices=ProfessionalRegistration.Register.choices)
    other_register_name = forms.CharField(
        label=_("Naam van het register"),
        help_text=_("Alleen bij ‘Ander register’."),
        max_length=ProfessionalRegistration.OTHER_NAME_MAX,
        required=False,
    )
    number = forms.CharField(
        label=_("Registratienummer"),
        max_length=ProfessionalRegistration.NUMBER_MAX,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_action = reverse_lazy("accounts:registration_save")
        self.helper.form_id = "registration-form"
        self.helper.add_input(Submit("save_registration", _("Registratie opslaan")))
