from django.contrib import admin

from accounts.admin_site import ConstraintMessageFormSet, ReadOnlyAdminMixin

from .models import RSVP, Attendance, DoorvraagPrompt, Method, MethodPhase, Presenter, Schedule, Session
from .role_models import MethodRole

# Methods and prompts are the product's shared catalogue (no tenant data): superusers edit them here.


class MethodPhaseInline(admin.TabularInline):
    model = MethodPhase
    extra = 0
    formset = ConstraintMessageFormSet


class MethodRoleInline(admin.TabularInline):
    """The roles a werkvorm names (none: voorzitter, tijdbewaker, notulist; sessions/roles.py)."""

    model = MethodRole
    extra = 0
    formset = ConstraintMessageFormSet


@admin.register(Method)
class MethodAdmin(admin.ModelAdmin):
    list_display = ["name_nl", "name_en", "min_members", "max_presenters", "is_active", "position"]
    list_filter = ["is_active"]
    search_fields = ["name_nl", "name_en", "slug"]
    inlines = [MethodPhaseInline, MethodRoleInline]


@admin.register(DoorvraagPrompt)
class DoorvraagPromptAdmin(admin.ModelAdmin):
    list_display = ["text_nl", "text_en", "position", "is_active"]
    list_editable = ["position", "is_active"]


# A group's schedule, sessions, RSVPs, attendance and presenters are read-only here: the app changes them
# through sessions.services (session_create/update/cancel, rsvp_set, presenter_claim/release) and the
# planning views, which bump the calendar SEQUENCE, replan the outbox and tell the members.


@admin.register(Schedule)
class ScheduleAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["group", "rrule", "start_time", "duration_minutes", "timezone", "horizon_months"]
    search_fields = ["group__name"]
    list_select_related = ["group"]


class RSVPInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = RSVP
    extra = 0


class AttendanceInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Attendance
    extra = 0


@admin.register(Session)
class SessionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["group", "starts_at", "status", "method", "facilitator"]
    list_filter = ["status", "group__organisation", "group"]
    search_fields = ["group__name"]
    date_hierarchy = "starts_at"
    list_select_related = ["group", "method", "facilitator"]
    inlines = [RSVPInline, AttendanceInline]


@admin.register(Presenter)
class PresenterAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["session", "user", "slot", "claimed_at"]
    list_select_related = ["session__group", "user"]
