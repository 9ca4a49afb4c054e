"""Privacy records: who opened which casus, what was purged or erased (without naming the person erased),
and the attendance numbers that outlive a deleted account."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class CasusAccess(models.Model):
    """One opening of a casus page (logged after a 200 response). Who may read a casus's openings:
    ``privacy/permissions.py``. A deleted account's openings stay, without the name."""

    casus = models.ForeignKey("casussen.Casus", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    view = models.CharField(max_length=64)
    opened_at = models.DateTimeField(_("geopend op"), default=timezone.now)

    class Meta:
        verbose_name = _("inzage casus")
        verbose_name_plural = _("inzage casussen")
        ordering = ["-opened_at", "-pk"]
        indexes = [models.Index(fields=["casus", "-opened_at"], name="privacy_access_casus_idx")]

    def __str__(self) -> str:
        return f"{self.casus_id} @ {self.opened_at:%Y-%m-%d %H:%M}"


class PurgeLog(models.Model):
    """A purge or erasure that ran: what kind, when, and how many records it touched (never whose)."""

    class Kind(models.TextChoices):
        RETENTION = "retention", _("bewaartermijn casussen")
        ACCOUNT = "account", _("account verwijderd")

    kind = models.CharField(_("soort"), max_length=16, choices=Kind.choices)
    ran_at = models.DateTimeField(_("uitgevoerd op"), default=timezone.now)
    count = models.PositiveIntegerField(_("aantal"))
    detail = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("wislog")
        verbose_name_plural = _("wislogs")
        ordering = ["-ran_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.kind} {self.ran_at:%Y-%m-%d %H:%M}: {self.count}"


class AnonymousAttendance(models.Model):
    """Attendance of deleted accounts, as numbers per session and status: the attendance rows go with the
    account (their foreign key cascades), the counts stay."""

    session = models.ForeignKey("meetings.Session", on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=16)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("anonieme aanwezigheid")
        verbose_name_plural = _("anonieme aanwezigheid")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "status"],
                name="privacy_anon_attendance_unique",
                violation_error_message=_(
                    "Voor deze bijeenkomst is het aantal met deze aanwezigheid al vastgelegd."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.session_id} {self.status}: {self.count}"
