"""Casussen and the live session guide.

Confidentiality: casus text (title, situatie, kernvraag, …), the question log, advice and parked items never
leave the group's pages: not in emails, notifications, page titles, URLs or log lines. ``__str__`` therefore
shows only ids, never text.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from groups.models import Group
from sessions.models import Method, Session

TITLE_MAX = 120
TEXT_MAX = 4000
SHORT_MAX = 1000


class Casus(models.Model):
    class Wish(models.TextChoices):
        ADVICE = "advice", _("advies")
        QUESTIONS = "questions", _("vragen die me verder helpen")
        MIRROR = "mirror", _("een spiegel")
        EXPERIENCES = "experiences", _("ervaringen van anderen")

    class Status(models.TextChoices):
        DRAFT = "draft", _("concept")
        SUBMITTED = "submitted", _("ingediend")
        BOOKED = "booked", _("ingepland")
        DISCUSSED = "discussed", _("besproken")
        PURGED = "purged", _("gewist (bewaartermijn)")

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="casussen")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="casussen")
    title = models.CharField(_("titel"), max_length=TITLE_MAX, blank=True)
    situatie = models.TextField(_("situatie"), blank=True)
    kernvraag = models.TextField(_("kernvraag"), blank=True)
    tried = models.TextField(_("wat heb ik al geprobeerd"), blank=True)
    wish = models.CharField(
        _("wat wil ik van de groep"), max_length=16, choices=Wish.choices, default=Wish.ADVICE
    )
    background = models.TextField(_("achtergrond"), blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    session = models.ForeignKey(
        Session, on_delete=models.SET_NULL, null=True, blank=True, related_name="casussen"
    )
    outcome = models.TextField(_("uitkomst"), blank=True)
    # The presenter's summary, after the session.
    takeaways = models.TextField(_("wat neem ik mee"), blank=True)
    action_1 = models.CharField(_("voorgenomen actie"), max_length=500, blank=True)
    action_2 = models.CharField(_("tweede voorgenomen actie"), max_length=500, blank=True)

    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    booked_at = models.DateTimeField(null=True, blank=True)
    discussed_at = models.DateTimeField(null=True, blank=True)
    purged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("casus")
        verbose_name_plural = _("casussen")
        ordering = ["created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["draft", "submitted", "booked", "discussed", "purged"]),
                name="casus_status_valid",
                violation_error_message=_("Kies een status uit de lijst."),
            ),
            models.CheckConstraint(
                condition=Q(wish__in=["advice", "questions", "mirror", "experiences"]),
                name="casus_wish_valid",
                violation_error_message=_("Kies uit de lijst wat je van de groep wilt."),
            ),
            # Submitted (and later) casussen have a kernvraag; only drafts and purged ones may lack it.
            models.CheckConstraint(
                condition=Q(status__in=["draft", "purged"]) | ~Q(kernvraag=""),
                name="casus_kernvraag_when_submitted",
                violation_error_message=_("Een ingediende casus heeft een kernvraag."),
            ),
            # A booked or discussed casus belongs to a session; a draft or queued one does not.
            models.CheckConstraint(
                condition=(Q(status__in=["booked", "discussed"]) & Q(session__isnull=False))
                | (Q(status__in=["draft", "submitted"]) & Q(session__isnull=True))
                | Q(status="purged"),
                name="casus_session_matches_status",
                violation_error_message=_(
                    "Een ingeplande of besproken casus hoort bij een bijeenkomst; een concept of een "
                    "ingediende casus nog niet."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(status="purged")
                | (
                    Q(title="", situatie="", kernvraag="", tried="", background="", outcome="")
                    & Q(takeaways="", action_1="", action_2="", purged_at__isnull=False)
                ),
                name="casus_purged_is_empty",
                violation_error_message=_(
                    "Een gewiste casus heeft geen tekst meer en een datum waarop hij gewist is."
                ),
            ),
        ]
        indexes = [models.Index(fields=["group", "status"])]

    def __str__(self) -> str:
        return f"Casus #{self.pk}"

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def in_queue(self) -> bool:
        return self.status == self.Status.SUBMITTED

    @property
    def is_editable(self) -> bool:
        """Its text can still change: a draft or a queued casus."""
        return self.status in (self.Status.DRAFT, self.Status.SUBMITTED)


class CasusVote(models.Model):
    """A member's vote for discussing a queued casus at a session (when there are more casussen than
    slots). The facilitator decides; the votes inform."""

    casus = models.ForeignKey(Casus, on_delete=models.CASCADE, related_name="votes")
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="casus_votes")
    voter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["casus", "session", "voter"],
                name="casus_vote_unique",
                violation_error_message=_(
                    "Deze persoon heeft voor deze bijeenkomst al op deze casus gestemd."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"Vote #{self.pk}"


class LiveRun(models.Model):
    """The live guide of one casus in a session: the current phase and its clock, kept by the server.

    ``version`` goes up on every change members must see (phase, extension, question log, advice), so the
    poll endpoint answers "unchanged" from one small row."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="live_runs")
    casus = models.ForeignKey(Casus, on_delete=models.SET_NULL, null=True, blank=True, related_name="runs")
    presenter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    method = models.ForeignKey(Method, on_delete=models.PROTECT, related_name="+")
    phase_position = models.PositiveSmallIntegerField(default=1)
    phase_started_at = models.DateTimeField(default=timezone.now)
    extra_minutes = models.PositiveSmallIntegerField(default=0)
    version = models.PositiveIntegerField(default=1)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["session"],
                condition=Q(finished_at__isnull=True),
                name="liverun_one_active_per_session",
                violation_error_message=_("Bij deze bijeenkomst loopt al een bespreking."),
            ),
            models.UniqueConstraint(
                fields=["session", "casus"],
                condition=Q(casus__isnull=False),
                name="liverun_once_per_casus",
                violation_error_message=_("Deze casus is bij deze bijeenkomst al besproken."),
            ),
            models.CheckConstraint(
                condition=Q(extra_minutes__lte=240),
                name="liverun_extra_minutes_range",
                violation_error_message=_("Een fase kan hoogstens 240 minuten verlengd worden."),
            ),
        ]
        indexes = [models.Index(fields=["session", "finished_at"])]

    def __str__(self) -> str:
        return f"LiveRun #{self.pk}"

    @property
    def is_active(self) -> bool:
        return self.finished_at is None


class Question(models.Model):
    """The shared question log of a live run; the presenter marks the questions that opened their eyes."""

    run = models.ForeignKey(LiveRun, on_delete=models.CASCADE, related_name="questions")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    text = models.CharField(_("vraag"), max_length=SHORT_MAX)
    opened_eyes = models.BooleanField(_("opende mijn ogen"), default=False)
    # Written before the session by a member who could not come (casussen/advance.py).
    written_in_advance = models.BooleanField(_("vooraf geschreven"), default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(text=""),
                name="question_text_not_empty",
                violation_error_message=_("Een vraag kan niet leeg zijn."),
            )
        ]

    def __str__(self) -> str:
        return f"Question #{self.pk}"


class Advice(models.Model):
    """One concrete advice per member per live run (the advice round), shown to the presenter afterwards."""

    run = models.ForeignKey(LiveRun, on_delete=models.CASCADE, related_name="advices")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    text = models.TextField(_("advies"), max_length=SHORT_MAX)
    # Written before the session by a member who could not come (casussen/advance.py).
    written_in_advance = models.BooleanField(_("vooraf geschreven"), default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["run", "author"],
                name="advice_one_per_member",
                violation_error_message=_("Deze persoon heeft bij deze bespreking al een advies gegeven."),
            ),
            models.CheckConstraint(
                condition=~Q(text=""),
                name="advice_text_not_empty",
                violation_error_message=_("Een advies kan niet leeg zijn."),
            ),
        ]

    def __str__(self) -> str:
        return f"Advice #{self.pk}"


class AdvanceContribution(models.Model):
    """What a member who declined a session writes before it for a casus booked on it: their questions (one
    per line) and one candid advice, until the end of the day before the session (``advance.deadline``).
    When the live guide reaches the question phase (the advice phase) they go into the run's question log
    (its advice) as ``Question``/``Advice`` rows marked ``written_in_advance``; the ``*_delivered_at``
    stamps say they went. ``summary_shared_at``: the presenter shared their summary with this member."""

    casus = models.ForeignKey(Casus, on_delete=models.CASCADE, related_name="advance_contributions")
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    questions = models.TextField(_("je vragen"), max_length=TEXT_MAX, blank=True)
    advice = models.TextField(_("je advies"), max_length=SHORT_MAX, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)
    questions_delivered_at = models.DateTimeField(null=True, blank=True)
    advice_delivered_at = models.DateTimeField(null=True, blank=True)
    summary_shared_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["casus", "author"],
                name="advance_one_per_member",
                violation_error_message=_("Je hebt voor deze casus al iets vooraf geschreven."),
            ),
            models.CheckConstraint(
                condition=~Q(questions="", advice=""),
                name="advance_not_empty",
                violation_error_message=_("Schrijf een vraag of een advies."),
            ),
        ]

    def __str__(self) -> str:
        return f"AdvanceContribution #{self.pk}"


class ParkedItem(models.Model):
    """Parkeerplaats: a work-meeting topic that is not intervision; it leaves the session and is counted."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="parked_items")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    text = models.CharField(_("onderwerp"), max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    purged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(purged_at__isnull=False) | ~Q(text=""),
                name="parked_item_text_unless_purged",
                violation_error_message=_("Een onderwerp op de parkeerplaats kan niet leeg zijn."),
            )
        ]

    def __str__(self) -> str:
        return f"ParkedItem #{self.pk}"
