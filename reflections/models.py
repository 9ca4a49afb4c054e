"""Reflections after a held session, and the presenter's follow-up some weeks later.

Privacy: a reflection is readable in full by its author only. Everybody else sees aggregates, and only through
``reflections.selectors`` (which enforce the 3-answer rule on whole sessions). ``__str__`` shows ids only.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sessions.models import Session

SCALE_MIN, SCALE_MAX = 1, 5
TAKEAWAY_MAX = 280
EYE_OPENER_MAX = 1000
WHAT_CHANGED_MAX = 2000

# The six scales every attendee answers, in form order: (field name, label).
SCALES = (
    ("usefulness", _("Hoe nuttig was deze bijeenkomst voor mij?")),
    ("depth", _("Hoe diep gingen de vragen? Kwamen we bij de vraag achter de vraag?")),
    ("candor", _("Zeiden mensen wat ze echt dachten?")),
    ("safety", _("Voelde het veilig?")),
    ("stayed_intervision", _("Bleven we bij intervisie (geen werkoverleg)?")),
    ("time_well_used", _("Werd de tijd goed gebruikt?")),
)
SCALE_FIELDS = tuple(name for name, _label in SCALES)
SCALE_OUT_OF_RANGE = _("Kies bij elke vraag een cijfer van 1 tot en met 5.")


def _scale(verbose_name, *, null=False):
    return models.PositiveSmallIntegerField(
        verbose_name,
        null=null,
        blank=null,
        validators=[MinValueValidator(SCALE_MIN), MaxValueValidator(SCALE_MAX)],
    )


def _in_range(field: str) -> Q:
    return Q(**{f"{field}__gte": SCALE_MIN, f"{field}__lte": SCALE_MAX})


class Reflection(models.Model):
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="reflections")
    # SET_NULL: a deleted account leaves its scores as anonymous numbers, so published aggregates never
    # change afterwards (a change could be subtracted to isolate one answer).
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="reflections"
    )
    usefulness = _scale(_("nut voor mij"))
    depth = _scale(_("diepgang van de vragen"))
    candor = _scale(_("openheid"))
    safety = _scale(_("veiligheid"))
    stayed_intervision = _scale(_("bleef intervisie"))
    time_well_used = _scale(_("tijd goed gebruikt"))
    takeaway = models.CharField(_("wat neem ik mee"), max_length=TAKEAWAY_MAX, blank=True)
    share_takeaway = models.BooleanField(_("deel met de groep"), default=False)
    # Presenter only.
    as_presenter = models.BooleanField(default=False, editable=False)
    advice_fit = _scale(_("hoe goed paste het advies bij mijn vraag"), null=True)
    # Picked from the session's question log (not copied: the casus retention purge deletes the log, and
    # the pick goes with it), or typed.
    eye_opener_question = models.ForeignKey(
        "casussen.Question",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("vraag uit het vragenlog"),
    )
    eye_opener = models.CharField(_("welke vraag opende mijn ogen"), max_length=EYE_OPENER_MAX, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("reflectie")
        verbose_name_plural = _("reflecties")
        ordering = ["session", "created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "author"],
                name="reflection_one_per_author",
                violation_error_message=_(
                    "Deze persoon heeft al een reflectie op deze bijeenkomst geschreven."
                ),
            ),
            *(
                models.CheckConstraint(
                    condition=_in_range(name),
                    name=f"reflection_{name}_range",
                    violation_error_message=SCALE_OUT_OF_RANGE,
                )
                for name in SCALE_FIELDS
            ),
            models.CheckConstraint(
                condition=(Q(as_presenter=True) & _in_range("advice_fit"))
                | Q(
                    as_presenter=False,
                    advice_fit__isnull=True,
                    eye_opener="",
                    eye_opener_question__isnull=True,
                ),
                name="reflection_presenter_fields",
                violation_error_message=_(
                    "Alleen de inbrenger zegt hoe goed het advies paste (altijd, met een cijfer "
                    "van 1 tot en met 5) en welke vraag de ogen opende."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"Reflection #{self.pk}"

    @property
    def eye_opener_text(self) -> str:
        return self.eye_opener_question.text if self.eye_opener_question_id else self.eye_opener

    def scale_rows(self) -> list[tuple[str, int]]:
        return [(label, getattr(self, name)) for name, label in SCALES]


class ReflectionClosure(models.Model):
    """Written when every attendee has answered: the session's set of answers is final from then on (no
    late additions that could be subtracted from the published aggregate). Without it a session closes
    14 days after it ended."""

    session = models.OneToOneField(
        Session, on_delete=models.CASCADE, primary_key=True, related_name="reflection_closure"
    )
    closed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("afgesloten reflectieronde")
        verbose_name_plural = _("afgesloten reflectierondes")

    def __str__(self) -> str:
        return f"ReflectionClosure #{self.pk}"


class FollowUp(models.Model):
    """What came of the advice, asked of the presenter ``Group.followup_weeks`` after the session."""

    class Outcome(models.TextChoices):
        APPLIED = "applied", _("toegepast")
        PARTLY = "partly", _("deels toegepast")
        NOT_YET = "not_yet", _("nog niet")
        NOT = "not", _("niet")

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="followups")
    presenter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="followups"
    )
    outcome = models.CharField(_("wat kwam ervan?"), max_length=8, choices=Outcome.choices)
    what_changed = models.TextField(_("wat is er veranderd?"), max_length=WHAT_CHANGED_MAX, blank=True)
    answered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        ordering = ["session", "answered_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "presenter"],
                name="followup_one_per_presenter",
                violation_error_message=_(
                    "Deze inbrenger heeft de follow-up van deze bijeenkomst al ingevuld."
                ),
            ),
            models.CheckConstraint(
                condition=Q(outcome__in=["applied", "partly", "not_yet", "not"]),
                name="followup_outcome_valid",
                violation_error_message=_("Kies uit de lijst wat er van het advies kwam."),
            ),
        ]

    def __str__(self) -> str:
        return f"FollowUp #{self.pk}"

    @property
    def counts_as_yield(self) -> bool:
        return self.outcome in (self.Outcome.APPLIED, self.Outcome.PARTLY)
