import re
import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def new_feed_token() -> str:
    return secrets.token_urlsafe(32)


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(_("e-mailadres"), unique=True)
    display_name = models.CharField(_("naam"), max_length=150)
    preferred_language = models.CharField(
        _("voorkeurstaal"), max_length=8, choices=settings.LANGUAGES, default="nl"
    )
    feed_token = models.CharField(max_length=64, unique=True, default=new_feed_token, editable=False)
    is_staff = models.BooleanField(_("toegang tot beheer"), default=False)
    is_active = models.BooleanField(_("actief"), default=True)
    date_joined = models.DateTimeField(_("aangemaakt op"), default=timezone.now)

    objects = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = ["display_name"]

    class Meta:
        verbose_name = _("gebruiker")
        verbose_name_plural = _("gebruikers")
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                name="user_email_ci_unique",
                violation_error_message=_("Er is al een account met dit e-mailadres."),
            )
        ]

    def __str__(self) -> str:
        return self.display_name or self.email

    def get_full_name(self) -> str:
        return self.display_name

    def get_short_name(self) -> str:
        return self.display_name.split(" ")[0] if self.display_name else self.email

    def clean(self):
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()


BIG_NUMBER = r"^[0-9]{11}$"  # the one register whose number has a clear public shape (11 digits)
REGISTER_VALUES = ["skj", "big", "nip", "lvsc", "nvo", "other"]
BIG_NUMBER_SHAPE = _("Een BIG-nummer bestaat uit 11 cijfers.")
OTHER_NAME_NEEDED = _("Vul de naam van het register in.")


class ProfessionalRegistration(models.Model):
    """A professional register the member reports their intervision hours to, with their number there
    (it goes on their accreditation overview and the presence lists). Personal data: the member sees and
    edits their own; the facilitators of their groups see it only in the exports."""

    class Register(models.TextChoices):
        SKJ = "skj", _("SKJ (Kwaliteitsregister Jeugd)")
        BIG = "big", _("BIG-register")
        NIP = "nip", _("NIP (Nederlands Instituut van Psychologen)")
        LVSC = "lvsc", _("LVSC (supervisie en coaching)")
        NVO = "nvo", _("NVO (pedagogen en onderwijskundigen)")
        OTHER = "other", _("Ander register")

    # The short name an export prints before the number ("SKJ 123456"); "ander register" prints its name.
    SHORT = {"skj": "SKJ", "big": "BIG", "nip": "NIP", "lvsc": "LVSC", "nvo": "NVO"}
    NUMBER_MAX = 40
    OTHER_NAME_MAX = 100

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="registrations")
    register = models.CharField(_("register"), max_length=8, choices=Register.choices)
    other_register_name = models.CharField(_("naam van het register"), max_length=OTHER_NAME_MAX, blank=True)
    number = models.CharField(_("registratienummer"), max_length=NUMBER_MAX)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("registratie")
        verbose_name_plural = _("registraties")
        ordering = ["register", "other_register_name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(register__in=REGISTER_VALUES),
                name="registration_register_known",
                violation_error_message=_("Kies een register uit de lijst."),
            ),
            models.CheckConstraint(
                condition=~Q(number=""),
                name="registration_number_given",
                violation_error_message=_("Vul je registratienummer in."),
            ),
            models.CheckConstraint(
                condition=(Q(register="other") & ~Q(other_register_name=""))
                | (~Q(register="other") & Q(other_register_name="")),
                name="registration_other_named",
                violation_error_message=_("Vul de naam van het register alleen bij ‘Ander register’ in."),
            ),
            models.CheckConstraint(
                condition=~Q(register="big") | Q(number__regex=BIG_NUMBER),
                name="registration_big_number_shape",
                violation_error_message=BIG_NUMBER_SHAPE,
            ),
            models.UniqueConstraint(
                fields=["user", "register"],
                condition=~Q(register="other"),
                name="registration_one_per_register",
                violation_error_message=_("Dit register staat al bij je registraties."),
            ),
            models.UniqueConstraint(
                "user",
                Lower("other_register_name"),
                condition=Q(register="other"),
                name="registration_one_per_other_register",
                violation_error_message=_("Dit register staat al bij je registraties."),
            ),
        ]

    def __str__(self) -> str:
        return self.label

    def clean(self) -> None:
        """The checks of the constraints that concern one field, raised at that field (a form shows them
        there; the constraints themselves would only say it above the form)."""
        super().clean()
        if self.register == self.Register.BIG and not re.fullmatch(BIG_NUMBER, self.number):
            raise ValidationError({"number": BIG_NUMBER_SHAPE})
        if self.register == self.Register.OTHER and not self.other_register_name:
            raise ValidationError({"other_register_name": OTHER_NAME_NEEDED})

    @property
    def register_name(self) -> str:
        """The register as an export prints it: "SKJ", or the name of the other register."""
        if self.register == self.Register.OTHER:
            return self.other_register_name
        return self.SHORT.get(self.register, self.register)

    @property
    def label(self) -> str:
        return f"{self.register_name} {self.number}"
