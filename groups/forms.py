from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.forms import NewAccountForm

from .models import Membership


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("E-mailadres"))
    role = forms.ChoiceField(label=_("Rol"), choices=Membership.Role.choices, initial=Membership.Role.MEMBER)

    def __init__(self, *args, group, may_invite_facilitators: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.group = group
        if not may_invite_facilitators:
            self.fields["role"].choices = [(Membership.Role.MEMBER, Membership.Role.MEMBER.label)]
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Uitnodiging versturen")))

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if self.group.memberships.filter(user__email__iexact=email, status=Membership.Status.ACTIVE).exists():
            raise forms.ValidationError(_("Deze persoon is al lid van de groep."))
        return email

    def clean(self):
        cleaned = super().clean()
        active = self.group.memberships.filter(status=Membership.Status.ACTIVE).count()
        if active >= self.group.size_limit:
            raise forms.ValidationError(
                _("De groep is vol (maximaal %(limit)s deelnemers).") % {"limit": self.group.size_limit}
            )
        return cleaned


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
