from django.contrib import admin

from accounts.admin_site import ReadOnlyAdminMixin

from .models import PurgeLog


@admin.register(PurgeLog)
class PurgeLogAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The purge job's own record: only read."""

    list_display = ("ran_at", "kind", "count")
    list_filter = ("kind",)
