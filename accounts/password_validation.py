"""Django's password validators with the project's own words: Dutch first, addressing the user as "je"
(Django's Dutch catalogue says "Uw" and lacks some of its newer messages, which then showed in English)."""

from django.contrib.auth import password_validation as django_validation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


class MinimumLengthValidator(django_validation.MinimumLengthValidator):
    def get_error_message(self) -> str:
        return ngettext(
            "Dit wachtwoord is te kort: gebruik minstens %(min_length)d teken.",
            "Dit wachtwoord is te kort: gebruik minstens %(min_length)d tekens.",
            self.min_length,
        ) % {"min_length": self.min_length}

    def get_help_text(self) -> str:
        return ngettext(
            "Je wachtwoord heeft minstens %(min_length)d teken.",
            "Je wachtwoord heeft minstens %(min_length)d tekens.",
            self.min_length,
        ) % {"min_length": self.min_length}


class UserAttributeSimilarityValidator(django_validation.UserAttributeSimilarityValidator):
    def get_error_message(self) -> str:
        return _("Dit wachtwoord lijkt te veel op je %(verbose_name)s.")

    def get_help_text(self) -> str:
        return _("Je wachtwoord lijkt niet op je naam of e-mailadres.")


class CommonPasswordValidator(django_validation.CommonPasswordValidator):
    def get_error_message(self) -> str:
        return _("Dit wachtwoord wordt te vaak gebruikt; kies een ander.")

    def get_help_text(self) -> str:
        return _("Je wachtwoord is geen veelgebruikt wachtwoord.")


class NumericPasswordValidator(django_validation.NumericPasswordValidator):
    def get_error_message(self) -> str:
        return _("Dit wachtwoord bestaat alleen uit cijfers; gebruik ook letters.")

    def get_help_text(self) -> str:
        return _("Je wachtwoord bestaat niet alleen uit cijfers.")
