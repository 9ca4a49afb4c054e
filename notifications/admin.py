from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from groups.admin import OrganisationScopedAdmin

from .models import Alert, GroupNotificationSettings, Outbox, Status


@admin.register(Outbox)
class OutboxAdmin(OrganisationScopedAdmin):
    """Failures show here: filter on status "mislukt" (the error is in the list)."""

    organisation_path = "group__organisation"
    list_display = [
        "id",
        "kind",
        "recipient",
        "group",
        "session",
        "due_at",
        "status",
        "attempts",
        "sent_at",
        "last_error",
    ]
    list_filter = ["status", "kind", "due_at"]
    search_fields = ["recipient__email", "group__name", "subject_key"]
    list_select_related = ["recipient", "group", "session", "session__group"]
    raw_id_fields = ["recipient", "group", "session", "alert"]
    readonly_fields = ["claimed_at", "sent_at", "attempts", "last_error", "created_at"]
    date_hierarchy = "due_at"
    actions = ["retry_now"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Opnieuw versturen (mislukte en geannuleerde berichten)"))
    def retry_now(self, request, queryset):
        count = queryset.filter(status__in=[Status.FAILED, Status.CANCELLED]).update(
            status=Status.PENDING, due_at=timezone.now(), attempts=0, claim_token=None, claimed_at=None
        )
        self.message_user(
            request, _("%(count)d berichten staan weer klaar.") % {"count": count}, messages.SUCCESS
        )


@admin.register(Alert)
class AlertAdmin(OrganisationScopedAdmin):
    organisation_path = "group__organisation"
    list_display = ["group", "rule", "user", "session", "opened_at", "closed_at"]
    list_filter = ["rule", ("closed_at", admin.EmptyFieldListFilter), "opened_at"]
    search_fields = ["group__name"]
    list_select_related = ["group", "user", "session", "session__group"]
    raw_id_fields = ["group", "user", "session"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(GroupNotificationSettings)
class GroupNotificationSettingsAdmin(OrganisationScopedAdmin):
    organisation_path = "group__organisation"
    list_display = ["group", "disabled_kinds", "no_casus_days", "updated_at"]
    search_fields = ["group__name"]
