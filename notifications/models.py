"""The notification outbox, per-group and per-user settings, one-click link uses and attendance alerts."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from groups import health
from groups.models import Group, Invitation
from sessions.models import Session

from . import kinds

# The kinds of e-mail, built from their one declaration each (``kinds.REGISTRY``): ``Kind.INVITE`` is the
# entry whose value is "invite". The sets below are derived from the entries' flags.
Kind = models.TextChoices(  # type: ignore[call-overload]
    "Kind", [(entry.name, (entry.value, entry.label)) for entry in kinds.REGISTRY]
)

# Kinds a user may receive bundled in their daily digest instead of one by one.
DIGESTIBLE_KINDS = kinds.values(lambda entry: entry.digestible)
# Kinds a group can switch off, and kinds a member can (their preferences, the unsubscribe link).
GROUP_KINDS = [Kind(entry.value) for entry in kinds.REGISTRY if entry.group_opt_out]
USER_KINDS = [Kind(entry.value) for entry in kinds.REGISTRY if entry.user_opt_out]


class Status(models.TextChoices):
    PENDING = "pending", _("wacht")
    SENDING = "sending", _("wordt verstuurd")
    SENT = "sent", _("verstuurd")
    FAILED = "failed", _("mislukt")
    CANCELLED = "cancelled", _("geannuleerd")
    HELD = "held", _("wacht op dagoverzicht")
    BUNDLED = "bundled", _("opgenomen in dagoverzicht")
    DOUBT = "doubt", _("onzeker: misschien verstuurd")


class CancelReason(models.TextChoices):
    """Why a row was cancelled (status ``cancelled``); planning and the sweep decide on it, never on
    ``last_error`` (which holds the mail server's or the renderer's error of a failed attempt)."""

    # Ends, and the row comes back when wanted again (``planning.REVIVABLE``):
    SESSION_CANCELLED = "session_cancelled", _("de bijeenkomst is afgelast")
    LEFT = "left", _("de ontvanger heeft de groep verlaten")
    DECLINED = "declined", _("de ontvanger heeft zich afgemeld")
    # Final:
    SUPERSEDED = "superseded", _("vervangen door een nieuwere versie")
    ANSWERED = "answered", _("de ontvanger heeft al geantwoord")
    PRESENTER_RELEASED = "presenter_released", _("de ontvanger brengt geen casus meer in")
    SESSION_HELD = "session_held", _("de bijeenkomst is al geweest")
    # The sweep's checks at send time:
    TENANT_MISMATCH = "tenant_mismatch", _("hoort bij een andere groep dan de bijeenkomst of het signaal")
    RECIPIENT_INACTIVE = "recipient_inactive", _("het account van de ontvanger is niet actief")
    GROUP_OFF = "group_off", _("uitgeschakeld door de groep")
    USER_OFF = "user_off", _("uitgeschakeld door de ontvanger")
    NOT_MEMBER = "not_member", _("de ontvanger is geen lid van de groep")
    TOO_LATE = "too_late", _("te laat om nog te versturen")
    NOT_NEEDED = "not_needed", _("niet meer nodig")
    NO_PASSWORD = "no_password", _("het account heeft geen wachtwoord om te vervangen")
    INVITATION_CLOSED = "invitation_closed", _("de uitnodiging staat niet meer open")


class Doubt(models.TextChoices):
    """Why a message is in doubt: it was handed to the mail server, which may or may not have taken it. Never
    sent again automatically (at most once); the mail server's log, searched for the Message-ID, says."""

    NO_REPLY = "no_reply", _("de mailserver gaf geen antwoord nadat het bericht was verstuurd")
    WORKER_STOPPED = "worker_stopped", _("de verzender stopte terwijl hij dit bericht overdroeg")
    TIME_LIMIT = "time_limit", _("de tijdslimiet van de verzender verliep tijdens het overdragen")


class Outbox(models.Model):
    """One row per e-mail that will ever be sent. The unique constraint on (kind, recipient, subject_key)
    makes a second copy impossible; the sweep moves rows pending → sending → sent (see ``sweep.py``).

    A row goes to an account (``recipient``), or, for a group invitation, to the invited ``address`` (who
    may have no account yet): then ``recipient`` is empty, ``invitation`` set, and (kind, subject_key) is
    unique."""

    kind = models.CharField(_("soort"), max_length=24, choices=Kind.choices)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ontvanger"),
        db_index=False,  # the unique constraint leads with it
    )
    address = models.EmailField(_("adres"), blank=True)
    invitation = models.ForeignKey(
        Invitation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uitnodiging"),
        db_index=False,  # outbox_invitation: only the rows that have one
    )
    # What the message is about: ``subject_key`` identifies it ("session:12", "session:12:invite:3",
    # "alert:7", "digest:2026-03-29"); the nullable foreign keys make it queryable and cascade.
    subject_key = models.CharField(_("onderwerp"), max_length=64)
    group = models.ForeignKey(
        Group, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("groep")
    )
    session = models.ForeignKey(
        Session,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("bijeenkomst"),
        db_index=False,  # outbox_session_kind leads with it
    )
    alert = models.ForeignKey(
        "Alert",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("signaal"),
        db_index=False,  # outbox_alert: only the rows that have one
    )
    digest = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="bundled",
        editable=False,
        db_index=False,  # outbox_digest: only the rows that have one
    )
    # What a message lists that is not a row of its own (a schedule change's sessions), written when it is
    # planned because the change itself is not kept anywhere else.
    details = models.JSONField(_("inhoud"), default=dict, blank=True)
    due_at = models.DateTimeField(_("versturen vanaf"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("pogingen"), default=0)
    claimed_at = models.DateTimeField(_("opgepakt op"), null=True, blank=True)
    claim_token = models.UUIDField(null=True, blank=True, editable=False)
    sent_at = models.DateTimeField(_("verstuurd op"), null=True, blank=True)
    last_error = models.TextField(_("laatste fout"), blank=True)
    cancel_reason = models.CharField(
        _("reden van annuleren"), max_length=20, choices=CancelReason.choices, blank=True
    )
    doubt = models.CharField(_("waarom onzeker"), max_length=16, choices=Doubt.choices, blank=True)
    # For a row in doubt: when its data went to the mail server (or, after a dead worker, the earliest it can
    # have: the previous hand-over of its batch, else the claim).
    handed_over_at = models.DateTimeField(_("overgedragen om"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("bericht")
        verbose_name_plural = _("berichten (outbox)")
        ordering = ["due_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "kind", "subject_key"],
                name="outbox_unique_message",
                violation_error_message=_("Dit bericht staat al klaar voor deze ontvanger."),
            ),
            models.UniqueConstraint(
                fields=["kind", "subject_key"],
                condition=Q(recipient__isnull=True),
                name="outbox_unique_addressed_message",
                violation_error_message=_("Dit bericht staat al klaar."),
            ),
            models.CheckConstraint(
                condition=Q(recipient__isnull=False, address="")
                | (Q(recipient__isnull=True, invitation__isnull=False) & ~Q(address="")),
                name="outbox_account_or_invited_address",
                violation_error_message=_(
                    "Een bericht gaat naar een account, of bij een uitnodiging naar het uitgenodigde adres."
                ),
            ),
            models.CheckConstraint(
                condition=Q(status__in=Status.values),
                name="outbox_status_valid",
                violation_error_message=_("Kies een status uit de lijst."),
            ),
            models.CheckConstraint(
                condition=Q(kind__in=Kind.values),
                name="outbox_kind_valid",
                violation_error_message=_("Kies een soort bericht uit de lijst."),
            ),
            models.CheckConstraint(
                condition=~Q(status="sent") | Q(sent_at__isnull=False),
                name="outbox_sent_has_time",
                violation_error_message=_("Een verstuurd bericht heeft een tijd van verzenden."),
            ),
            models.CheckConstraint(
                condition=~Q(status="sending") | Q(claimed_at__isnull=False, claim_token__isnull=False),
                name="outbox_sending_is_claimed",
                violation_error_message=_("Een bericht dat wordt verstuurd, is opgepakt door een verzender."),
            ),
            models.CheckConstraint(
                condition=Q(status="doubt", doubt__in=Doubt.values) | (~Q(status="doubt") & Q(doubt="")),
                name="outbox_doubt_has_reason",
                violation_error_message=_(
                    "Een onzeker bericht heeft een reden waarom het onzeker is, een ander bericht niet."
                ),
            ),
            # A reason only on a cancelled row (rows cancelled before the field existed may have none).
            models.CheckConstraint(
                condition=Q(cancel_reason="") | Q(status="cancelled", cancel_reason__in=CancelReason.values),
                name="outbox_cancel_reason_valid",
                violation_error_message=_("Alleen een geannuleerd bericht heeft een reden van annuleren."),
            ),
            # With a group on every row about a session or alert, the composite foreign keys of migration
            # 0006 (PostgreSQL) tie the session and the alert to that group.
            models.CheckConstraint(
                condition=Q(group__isnull=False) | Q(session__isnull=True, alert__isnull=True),
                name="outbox_session_alert_have_group",
                violation_error_message=_(
                    "Een bericht over een bijeenkomst of een signaal hoort bij een groep."
                ),
            ),
        ]
        # A row changes status three or four times, and each change adds an entry to every index without a
        # condition: the indexes on status are partial (a sent row is in none of them), foreign keys that
        # lead another index have none of their own, and the mostly empty ones skip NULL.
        indexes = [
            # (due_at, id): a claim's ORDER BY due_at, id LIMIT n reads the index in order (no sort of all due
            # rows for every batch)
            models.Index(
                fields=["due_at", "id"], condition=Q(status="pending"), name="outbox_pending_due_id"
            ),
            models.Index(fields=["claimed_at"], condition=Q(status="sending"), name="outbox_sending_claimed"),
            models.Index(fields=["claimed_at"], condition=Q(status="failed"), name="outbox_failed_claimed"),
            models.Index(fields=["recipient"], condition=Q(status="held"), name="outbox_held_recipient"),
            models.Index(fields=["session", "kind", "status"], name="outbox_session_kind"),
            models.Index(fields=["alert"], condition=Q(alert__isnull=False), name="outbox_alert"),
            models.Index(
                fields=["invitation"], condition=Q(invitation__isnull=False), name="outbox_invitation"
            ),
            models.Index(fields=["digest"], condition=Q(digest__isnull=False), name="outbox_digest"),
        ]

    def __str__(self) -> str:
        to = self.recipient_id or self.address
        return f"{self.get_kind_display()} → {to} ({self.subject_key}, {self.status})"

    @property
    def to_address(self) -> str:
        """The address the message goes to: the account's, or the invited address."""
        return self.recipient.email if self.recipient is not None else self.address

    def clean(self):
        super().clean()
        _same_group(self, "session")
        _same_group(self, "alert")
        _same_group(self, "invitation")


def _same_group(row, field: str) -> None:
    """The row's session (or alert) belongs to the row's group: one group's data never rides on another's."""
    related_id = getattr(row, f"{field}_id")
    if related_id is None:
        return
    related = row._meta.get_field(field).related_model
    if not related.objects.filter(pk=related_id, group_id=row.group_id).exists():
        raise ValidationError({field: _("Dit hoort bij een andere groep.")})


class Handover(models.Model):
    """A message the mail server accepted whose outbox row still says ``sending``: the sweep's journal.

    Each hand-over is committed here (a narrow insert, a fraction of the cost of updating the wide outbox
    row and its indexes) before the next message of the batch goes out; at the end of the batch one
    transaction moves the batch's hand-overs onto their outbox rows (``sent``) and deletes them, and
    ``recover_stale`` does the same for a sender that died. No foreign key on purpose: checking it would lock
    and rewrite the outbox row for every message, which is what the journal avoids. A row lives here for one
    batch at most."""

    outbox_id = models.BigIntegerField(primary_key=True)
    sent_at = models.DateTimeField()

    class Meta:
        verbose_name = _("overgedragen bericht")
        verbose_name_plural = _("overgedragen berichten")

    def __str__(self) -> str:
        return f"{self.outbox_id} @ {self.sent_at:%Y-%m-%d %H:%M:%S}"


class MailOutage(models.Model):
    """The mail server could not be reached (connection refused or timed out, or it refused our greeting or
    sender): one row, id 1. The sweep claims nothing until ``paused_until``, so an outage costs no message an
    attempt; each failed try doubles the pause (``conf.outage_pause``), a connection that works clears it."""

    failures = models.PositiveIntegerField(default=0)
    since = models.DateTimeField(null=True, blank=True)
    paused_until = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("storing van de mailserver")
        verbose_name_plural = _("storingen van de mailserver")
        constraints = [
            models.CheckConstraint(
                condition=Q(pk=1),
                name="mail_outage_single_row",
                violation_error_message=_("Er is maar één storing van de mailserver tegelijk."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.failures} × {self.last_error[:60]}"


class GroupNotificationSettings(models.Model):
    """Which kinds a group sends (offsets live on Group itself)."""

    group = models.OneToOneField(Group, on_delete=models.CASCADE, related_name="notification_settings")
    disabled_kinds = models.JSONField(_("uitgeschakelde berichten"), default=list, blank=True)
    no_casus_days = models.PositiveSmallIntegerField(_("'nog geen casus' (dagen vooraf)"), default=5)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("berichtinstellingen van een groep")
        verbose_name_plural = _("berichtinstellingen van groepen")
        constraints = [
            models.CheckConstraint(
                condition=Q(no_casus_days__gte=1, no_casus_days__lte=60),
                name="group_notif_no_casus_days",
                violation_error_message=_("Kies voor 'nog geen casus' 1 tot en met 60 dagen vooraf."),
            )
        ]

    def __str__(self) -> str:
        return str(self.group)


class CalendarPath(models.TextChoices):
    """How a member's sessions reach their calendar: one way only, so no event is in two calendars."""

    INVITES = "invites", _("uitnodigingen per e-mail in mijn eigen agenda")
    FEED = "feed", _("een abonnement op mijn persoonlijke agenda-link")


class NotificationPreference(models.Model):
    """A user's choices: kinds switched off, one daily digest instead of separate e-mails, and how sessions
    reach their calendar (invites and cancellations carry a calendar part only for ``INVITES``)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    disabled_kinds = models.JSONField(_("uitgeschakelde berichten"), default=list, blank=True)
    digest = models.BooleanField(_("één dagelijks overzicht in plaats van losse e-mails"), default=False)
    calendar_path = models.CharField(
        _("bijeenkomsten in je agenda via"),
        max_length=8,
        choices=CalendarPath.choices,
        default=CalendarPath.INVITES,
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("berichtvoorkeur")
        verbose_name_plural = _("berichtvoorkeuren")
        constraints = [
            models.CheckConstraint(
                condition=Q(calendar_path__in=CalendarPath.values),
                name="notification_pref_calendar_path",
                violation_error_message=_("Kies uit de lijst hoe bijeenkomsten in je agenda komen."),
            )
        ]

    def __str__(self) -> str:
        return str(self.user)


class OneClickUse(models.Model):
    """A one-click link (attend / decline / unsubscribe) that was used; unique, so a link works once."""

    outbox = models.ForeignKey(Outbox, on_delete=models.CASCADE, related_name="link_uses")
    action = models.CharField(max_length=16)
    used_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["outbox", "action"],
                name="oneclick_use_once",
                violation_error_message=_("Deze link is al gebruikt."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.outbox_id}:{self.action}"


class Alert(models.Model):
    """An attendance signal. Opened once when its condition starts, closed when it clears; never deleted,
    so the dashboard can show the history."""

    class Rule(models.TextChoices):
        # Keys and names are the rules module's (groups/health.py), the one definition of each rule.
        TREND = health.TREND, health.NAMES[health.TREND]
        FADING = health.FADING, health.NAMES[health.FADING]
        QUORUM = health.QUORUM, health.NAMES[health.QUORUM]
        BUSY = health.BUSY, health.NAMES[health.BUSY]
        PIPELINE = health.PIPELINE, health.NAMES[health.PIPELINE]

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="attendance_alerts")
    rule = models.CharField(_("regel"), max_length=12, choices=Rule.choices)
    # "" for group-wide rules, "user:<id>" for a fading member, "session:<id>" for quorum risk.
    subject_key = models.CharField(max_length=32, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    session = models.ForeignKey(Session, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    detail = models.JSONField(default=dict, blank=True)
    opened_at = models.DateTimeField(_("begonnen"), default=timezone.now)
    closed_at = models.DateTimeField(_("opgeheven"), null=True, blank=True)

    class Meta:
        verbose_name = _("signaal")
        verbose_name_plural = _("signalen")
        ordering = ["-opened_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["group", "rule", "subject_key"],
                condition=Q(closed_at__isnull=True),
                name="alert_one_open_per_condition",
                violation_error_message=_("Dit signaal staat al open."),
            ),
            models.CheckConstraint(
                condition=Q(closed_at__isnull=True) | Q(closed_at__gte=models.F("opened_at")),
                name="alert_closed_after_opened",
                violation_error_message=_("Een signaal kan niet opgeheven zijn voordat het begon."),
            ),
        ]
        indexes = [models.Index(fields=["group", "opened_at"])]

    def __str__(self) -> str:
        return f"{self.group}: {self.get_rule_display()}"

    def clean(self):
        super().clean()
        _same_group(self, "session")

    @property
    def is_open(self) -> bool:
        return self.closed_at is None
