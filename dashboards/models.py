from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from groups.models import Group
from sessions.models import Session


class SessionStats(models.Model):
    """Figures of one session, precomputed when its attendance, RSVPs or presenters change, so that a
    dashboard reads one row per session instead of aggregating years of attendance on every view.

    ``group`` and ``starts_at`` are copies of the session's, kept for the dashboards' range scans.
    """

    session = models.OneToOneField(Session, on_delete=models.CASCADE, primary_key=True, related_name="stats")
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="+")
    starts_at = models.DateTimeField()
    status = models.CharField(max_length=16, choices=Session.Status.choices)
    members_expected = models.PositiveSmallIntegerField(default=0)
    present = models.PositiveSmallIntegerField(default=0)
    late = models.PositiveSmallIntegerField(default=0)
    excused = models.PositiveSmallIntegerField(default=0)
    absent = models.PositiveSmallIntegerField(default=0)
    # (present + late) / members_expected, 0..1; null when nobody was expected or not held.
    attendance_rate = models.FloatField(null=True, blank=True)
    rsvp_attend = models.PositiveSmallIntegerField(default=0)
    rsvp_maybe = models.PositiveSmallIntegerField(default=0)
    declines_busy = models.PositiveSmallIntegerField(default=0)
    declines_sick = models.PositiveSmallIntegerField(default=0)
    declines_holiday = models.PositiveSmallIntegerField(default=0)
    declines_other = models.PositiveSmallIntegerField(default=0)
    presenters = models.PositiveSmallIntegerField(default=0)
    net_minutes = models.PositiveIntegerField(null=True, blank=True)
    # Reflection aggregates as the reflections app allows them to be shown (≥ 3 answers), else null.
    reflections = models.JSONField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("bijeenkomstcijfers")
        verbose_name_plural = _("bijeenkomstcijfers")
        constraints = [
            models.CheckConstraint(
                condition=Q(attendance_rate__isnull=True) | Q(attendance_rate__gte=0, attendance_rate__lte=1),
                name="session_stats_rate_range",
                violation_error_message=_("De opkomst ligt tussen 0 en 1 (een deel van het geheel)."),
            ),
        ]
        indexes = [models.Index(fields=["group", "status", "starts_at"])]

    def __str__(self) -> str:
        return f"{self.session_id}: {self.attendance_rate}"

    @property
    def attended(self) -> int:
        return self.present + self.late

    @property
    def declines(self) -> int:
        return self.declines_busy + self.declines_sick + self.declines_holiday + self.declines_other
