from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower, Trim
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

DEFAULT_AGREEMENTS = _(
    "Vertrouwelijkheid: wat in de groep besproken wordt, blijft in de groep. Ik noem geen namen van "
    "cliënten of collega's en deel geen casusinformatie buiten de groep.\n"
    "Aanwezigheid: ik ben er bij elke bijeenkomst, en meld me tijdig af als het echt niet anders kan."
)


# Line breaks, tabs and other invisible control characters (C0, DEL, C1, line/paragraph separators):
# a group's name goes into e-mail subjects, where a line break is refused.
CONTROL_CHARACTERS = "\x00-\x1f\x7f-\x9f\u2028\u2029"
# The database check cannot hold NUL (PostgreSQL text never contains it), so its class starts at U+0001.
_DB_CONTROL_CHARACTERS = "[" + CONTROL_CHARACTERS.replace("\x00", "\x01", 1) + "]"


def validate_no_control_characters(value: str) -> None:
    if any(char < " " or "\x7f" <= char <= "\x9f" or char in "\u2028\u2029" for char in value):
        raise ValidationError(
            _("Gebruik geen regeleinden, tabs of andere onzichtbare tekens in de naam."),
            code="control_characters",
        )


QUORUM_ABOVE_SIZE = _("Het quorum kan niet groter zijn dan het maximaal aantal deelnemers.")


class Organisation(models.Model):
    name = models.CharField(_("naam"), max_length=200)
    slug = models.SlugField(_("korte naam"), unique=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("organisatie")
        verbose_name_plural = _("organisaties")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class OrganisationAdmin(models.Model):
    """A beheerder: configures all groups of one organisation."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="admin_links")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="admin_links")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("beheerder")
        verbose_name_plural = _("beheerders")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "user"],
                name="organisation_admin_unique",
                violation_error_message=_("Deze persoon is al beheerder van deze organisatie."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organisation}"


class Group(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="groups")
    name = models.CharField(_("naam"), max_length=200, validators=[validate_no_control_characters])
    description = models.TextField(_("omschrijving"), blank=True)
    default_location = models.CharField(_("vaste locatie"), max_length=255, blank=True)
    default_online_link = models.URLField(_("vaste online link"), blank=True)
    size_limit = models.PositiveSmallIntegerField(
        _("maximaal aantal deelnemers"), default=8, validators=[MinValueValidator(2), MaxValueValidator(20)]
    )
    quorum = models.PositiveSmallIntegerField(_("quorum"), default=3, validators=[MinValueValidator(1)])
    agreements = models.TextField(_("groepsafspraken"), default=DEFAULT_AGREEMENTS)
    is_active = models.BooleanField(_("actief"), default=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    # Reminder settings (used by the notifications outbox).
    reminder_first_days = models.PositiveSmallIntegerField(_("eerste herinnering (dagen vooraf)"), default=7)
    reminder_second_days = models.PositiveSmallIntegerField(_("tweede herinnering (dagen vooraf)"), default=1)
    rsvp_nudge_days = models.PositiveSmallIntegerField(_("aanmeldherinnering (dagen vooraf)"), default=5)
    casus_prep_days = models.PositiveSmallIntegerField(_("casusvoorbereiding (dagen vooraf)"), default=3)
    reflection_request_hours = models.PositiveSmallIntegerField(
        _("reflectieverzoek (uren na afloop)"), default=2
    )
    followup_weeks = models.PositiveSmallIntegerField(_("follow-up (weken na afloop)"), default=4)
    show_casus_title_in_email = models.BooleanField(_("casustitel in e-mails tonen"), default=False)
    casus_retention_months = models.PositiveSmallIntegerField(
        _("bewaartermijn casussen (maanden)"), default=12
    )

    # Attendance-alert thresholds.
    alert_trend_relative = models.PositiveSmallIntegerField(
        _("trendalarm: % van eigen basisniveau"), default=75, validators=[MaxValueValidator(100)]
    )
    alert_trend_absolute = models.PositiveSmallIntegerField(
        _("trendalarm: absolute ondergrens (%)"), default=60, validators=[MaxValueValidator(100)]
    )
    alert_fading_in_a_row = models.PositiveSmallIntegerField(_("afhaker: gemist op rij"), default=2)
    alert_fading_of_last_five = models.PositiveSmallIntegerField(
        _("afhaker: gemist van laatste 5"), default=3
    )
    alert_quorum_days = models.PositiveSmallIntegerField(_("quorumwaarschuwing (dagen vooraf)"), default=3)

    class Meta:
        verbose_name = _("intervisiegroep")
        verbose_name_plural = _("intervisiegroepen")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                "organisation",
                Lower("name"),
                name="group_name_unique_per_org",
                violation_error_message=_("Deze organisatie heeft al een groep met deze naam."),
            ),
            models.CheckConstraint(
                condition=~Q(name__regex=_DB_CONTROL_CHARACTERS),
                name="group_name_no_control_characters",
                violation_error_message=_(
                    "Gebruik geen regeleinden, tabs of andere onzichtbare tekens in de naam."
                ),
            ),
            models.CheckConstraint(
                condition=Q(name=Trim("name")) & ~Q(name=""),
                name="group_name_trimmed",
                violation_error_message=_("Vul een naam in, zonder spaties aan het begin of eind."),
            ),
            models.CheckConstraint(
                condition=Q(size_limit__gte=2, size_limit__lte=20),
                name="group_size_limit_range",
                violation_error_message=_("Een groep heeft een maximum van 2 tot en met 20 deelnemers."),
            ),
            models.CheckConstraint(
                condition=Q(quorum__gte=1),
                name="group_quorum_positive",
                violation_error_message=_("Het quorum is minstens 1."),
            ),
            models.CheckConstraint(
                condition=Q(quorum__lte=models.F("size_limit")),
                name="group_quorum_lte_size",
                violation_error_message=QUORUM_ABOVE_SIZE,
            ),
            models.CheckConstraint(
                condition=Q(alert_trend_relative__lte=100, alert_trend_absolute__lte=100),
                name="group_alert_percentages",
                violation_error_message=_("De percentages van het trendalarm zijn hoogstens 100."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        if (
            self.name
            and self.organisation_id
            and Group.objects.filter(organisation_id=self.organisation_id, name__iexact=self.name)
            .exclude(pk=self.pk)
            .exists()
        ):
            raise ValidationError(
                {"name": _("Deze organisatie heeft al een groep met deze naam.")}, code="name_taken"
            )
        if self.quorum and self.size_limit and self.quorum > self.size_limit:
            raise ValidationError(
                {"quorum": QUORUM_ABOVE_SIZE},
                code="quorum_above_size_limit",
            )


class Membership(models.Model):
    class Role(models.TextChoices):
        MEMBER = "member", _("deelnemer")
        FACILITATOR = "facilitator", _("intervisiebegeleider")

    class Status(models.TextChoices):
        ACTIVE = "active", _("actief")
        LEFT = "left", _("vertrokken")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("rol"), max_length=16, choices=Role.choices, default=Role.MEMBER)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.ACTIVE)
    joined_at = models.DateTimeField(_("lid sinds"), default=timezone.now)
    left_at = models.DateTimeField(_("vertrokken op"), null=True, blank=True)
    agreements_accepted_at = models.DateTimeField(_("afspraken geaccepteerd op"), null=True, blank=True)

    class Meta:
        verbose_name = _("lidmaatschap")
        verbose_name_plural = _("lidmaatschappen")
        ordering = ["group", "user__display_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "group"],
                name="membership_unique_user_group",
                violation_error_message=_("Deze persoon is al lid van deze groep."),
            ),
            models.CheckConstraint(
                condition=Q(role__in=["member", "facilitator"]),
                name="membership_role_valid",
                violation_error_message=_("Kies als rol deelnemer of intervisiebegeleider."),
            ),
            models.CheckConstraint(
                condition=(
                    Q(status="active", left_at__isnull=True) | Q(status="left", left_at__isnull=False)
                ),
                name="membership_left_at_matches_status",
                violation_error_message=_(
                    "Een vertrokken lid heeft een datum van vertrek, een actief lid niet."
                ),
            ),
        ]
        indexes = [models.Index(fields=["group", "status"])]

    def __str__(self) -> str:
        return f"{self.user} – {self.group} ({self.get_role_display()})"

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE


class Invitation(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("open")
        ACCEPTED = "accepted", _("geaccepteerd")
        REVOKED = "revoked", _("ingetrokken")
        EXPIRED = "expired", _("verlopen")

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("e-mailadres"))
    role = models.CharField(
        _("rol"), max_length=16, choices=Membership.Role.choices, default=Membership.Role.MEMBER
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    # When its e-mail was last sent: at creation, then at each resend (``services.invitation_resend``).
    sent_at = models.DateTimeField(_("verstuurd op"), default=timezone.now)
    expires_at = models.DateTimeField(_("verloopt op"))
    accepted_at = models.DateTimeField(_("geaccepteerd op"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(_("ingetrokken op"), null=True, blank=True)

    class Meta:
        verbose_name = _("uitnodiging")
        verbose_name_plural = _("uitnodigingen")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(accepted_at__isnull=True) | Q(accepted_by__isnull=False),
                name="invitation_accepted_has_user",
                violation_error_message=_(
                    "Een geaccepteerde uitnodiging hoort bij het account dat haar accepteerde."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} → {self.group}"

    @property
    def is_open(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > timezone.now()

    @property
    def status(self) -> str:
        if self.revoked_at is not None:
            return self.Status.REVOKED
        if self.accepted_at is not None:
            return self.Status.ACCEPTED
        return self.Status.OPEN if self.expires_at > timezone.now() else self.Status.EXPIRED

    def get_status_display(self) -> str:
        return self.Status(self.status).label
