"""Rotating roles per session (voorzitter, tijdbewaker, notulist, or what the werkvorm names): the models.
Imported by ``sessions.models``; the rules are in ``sessions/roles.py``."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .models import Method, Session


def _localised(nl: str, en: str) -> str:
    return en if (get_language() or "nl").startswith("en") else nl


class MethodRole(models.Model):
    """A role a werkvorm names (Balint: a process leader). A werkvorm without roles uses
    ``roles.DEFAULT_ROLES`` (voorzitter, tijdbewaker, notulist)."""

    method = models.ForeignKey(Method, on_delete=models.CASCADE, related_name="roles")
    position = models.PositiveSmallIntegerField()
    key = models.SlugField(_("code"), max_length=32)
    name_nl = models.CharField(_("naam (nl)"), max_length=60)
    name_en = models.CharField(_("naam (en)"), max_length=60)
    description_nl = models.CharField(_("omschrijving (nl)"), max_length=255, blank=True)
    description_en = models.CharField(_("omschrijving (en)"), max_length=255, blank=True)
    # Proposed to someone other than the presenter when the group allows it (the voorzitter).
    avoid_presenter = models.BooleanField(_("niet voor de inbrenger"), default=False)

    class Meta:
        verbose_name = _("rol in de werkvorm")
        verbose_name_plural = _("rollen in de werkvorm")
        ordering = ["method", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["method", "key"],
                name="method_role_unique_key",
                violation_error_message=_("Deze werkvorm heeft deze rol al."),
            ),
            models.UniqueConstraint(
                fields=["method", "position"],
                name="method_role_unique_position",
                violation_error_message=_("Deze werkvorm heeft al een rol op deze plaats."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.method}: {self.name}"

    @property
    def name(self) -> str:
        return _localised(self.name_nl, self.name_en)

    @property
    def description(self) -> str:
        return _localised(self.description_nl, self.description_en)


class SessionRole(models.Model):
    """Who holds one role at one session: a person's choice (``chosen_by``: handed over, taken, assigned)
    or, once the session is held, the proposal that stood (``chosen_by`` empty). A role without a row is
    proposed afresh each time it is read (``roles.session_roles``). The role's name is copied from the
    werkvorm, so a later change of werkvorm leaves the history readable."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="roles")
    key = models.SlugField(_("code"), max_length=32)
    position = models.PositiveSmallIntegerField(default=0)
    name_nl = models.CharField(_("naam (nl)"), max_length=60)
    name_en = models.CharField(_("naam (en)"), max_length=60)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="session_roles")
    chosen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    chosen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("rol")
        verbose_name_plural = _("rollen")
        ordering = ["session", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "key"],
                name="session_role_unique_role",
                violation_error_message=_("Deze rol heeft bij deze bijeenkomst al iemand."),
            ),
            models.UniqueConstraint(
                fields=["session", "user"],
                name="session_role_unique_user",
                violation_error_message=_("Deze deelnemer heeft bij deze bijeenkomst al een rol."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.session}: {self.key} – {self.user}"

    @property
    def name(self) -> str:
        return _localised(self.name_nl, self.name_en)
