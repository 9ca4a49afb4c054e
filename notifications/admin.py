from django.contrib import admin, messages
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _

from accounts.admin_site import ReadOnlyAdminMixin

from . import planning, sweep
from .emails import message_id
from .models import Alert, GroupNotificationSettings, MailOutage, Outbox, Status


@admin.register(Outbox)
class OutboxAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only apart from the retry actions (sweep.outbox_retry). Failures show here: filter on status
    "mislukt" (the error is in the list); a cancelled row says why (filter on "reden van annuleren").
    Messages in doubt (status "onzeker", filter on "waarom onzeker") show when they were handed over and
    their Message-ID, to look up in the mail server's log; an outage of the mail server is said at the top
    of the list."""

    list_display = [
        "id",
        "kind",
        "recipient",
        "address",
        "group",
        "session",
        "due_at",
        "status",
        "attempts",
        "sent_at",
        "cancel_reason",
        "last_error",
        "doubt",
        "handed_over_at",
        "message_id",
    ]
    list_filter = ["status", "cancel_reason", "doubt", "kind", "due_at"]
    search_fields = ["recipient__email", "address", "group__name", "subject_key"]
    list_select_related = ["recipient", "group", "session", "session__group"]
    date_hierarchy = "due_at"
    actions = ["retry_now", "resend_interrupted"]

    @admin.display(description=_("Message-ID"))
    def message_id(self, row):
        return message_id(row.pk) if row.status in (Status.DOUBT, Status.SENT) else ""

    def changelist_view(self, request, extra_context=None):
        outage = MailOutage.objects.filter(pk=1, failures__gt=0).first()
        if outage is not None:
            self.message_user(request, _outage_text(outage), messages.WARNING)
        return super().changelist_view(request, extra_context)

    @admin.action(description=_("Opnieuw versturen (mislukte en geannuleerde berichten)"))
    def retry_now(self, request, queryset):
        """Only rows that are still the current truth come back: an older version of an invite, a row a
        newer plan replaced or one about a session that changed since is refused (planning.retry_refused)."""
        ids = list(queryset.values_list("pk", flat=True))
        refused = planning.retry_refused(ids)
        count = sweep.outbox_retry(ids=[pk for pk in ids if pk not in refused])
        self.message_user(
            request, _("%(count)d berichten staan weer klaar.") % {"count": count}, messages.SUCCESS
        )
        if refused:
            self.message_user(
                request,
                _(
                    "%(count)d berichten zijn niet opnieuw klaargezet: ze zijn vervangen door een nieuwere "
                    "versie of kloppen niet meer met de bijeenkomst (bijvoorbeeld een uitnodiging voor een "
                    "tijd die inmiddels is gewijzigd). Berichtnummers: %(ids)s."
                )
                % {"count": len(refused), "ids": ", ".join(str(pk) for pk in sorted(refused))},
                messages.WARNING,
            )

    @admin.action(description=_("Onderbroken berichten toch versturen (ze kunnen al zijn aangekomen)"))
    def resend_interrupted(self, request, queryset):
        count = sweep.outbox_retry(ids=list(queryset.values_list("pk", flat=True)), interrupted=True)
        self.message_user(
            request, _("%(count)d berichten staan weer klaar.") % {"count": count}, messages.SUCCESS
        )


def _moment(value) -> str:
    return date_format(localtime(value), "DATETIME_FORMAT") if value else "?"


def _outage_text(outage: MailOutage) -> str:
    """The outage in words, at the top of the outbox list."""
    return _(
        "De mailserver is onbereikbaar sinds %(since)s (%(failures)d mislukte verbindingen op rij). Er "
        "wordt niets verstuurd tot %(until)s; de berichten wachten zonder pogingen te verliezen. Laatste "
        "fout: %(error)s"
    ) % {
        "since": _moment(outage.since),
        "failures": outage.failures,
        "until": _moment(outage.paused_until),
        "error": outage.last_error[:200],
    }


@admin.register(Alert)
class AlertAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Opened and closed by the alert scan (notifications.alerts) only."""

    list_display = ["group", "rule", "user", "session", "opened_at", "closed_at"]
    list_filter = ["rule", ("closed_at", admin.EmptyFieldListFilter), "opened_at"]
    search_fields = ["group__name"]
    list_select_related = ["group", "user", "session", "session__group"]


@admin.register(GroupNotificationSettings)
class GroupNotificationSettingsAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Changed in the app through notifications.services.group_settings_set."""

    list_display = ["group", "disabled_kinds", "no_casus_days", "updated_at"]
    search_fields = ["group__name"]
    list_select_related = ["group"]
