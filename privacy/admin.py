from django.contrib import admin

from .models import PurgeLog


@admin.register(PurgeLog)
class PurgeLogAdmin(admin.ModelAdmin):
    list_display = ("ran_at", "kind", "count")
    list_filter = ("kind",)
    readonly_fields = ("ran_at", "kind", "count", "detail")

    def has_add_permission(self, request):
        return False
