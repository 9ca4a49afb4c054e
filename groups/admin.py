from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from accounts.admin_site import ConstraintMessageFormSet, ReadOnlyAdminMixin

from . import services
from .models import Group, Invitation, Membership, Organisation, OrganisationAdmin

# Who may enter /beheer/ at all: accounts.admin_site (superusers only).


class OrganisationAdminInline(admin.TabularInline):
    """Who administers the organisation in the app (superusers set this here)."""

    model = OrganisationAdmin
    extra = 0
    formset = ConstraintMessageFormSet
    autocomplete_fields = ["user"]


@admin.register(Organisation)
class OrganisationModelAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "created_at"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [OrganisationAdminInline]


class MembershipInline(ReadOnlyAdminMixin, admin.TabularInline):
    """Memberships come only from an accepted invitation (groups.services.invitation_accept) and end through
    membership_deactivate; both notify and replan, so admin only shows them."""

    model = Membership
    extra = 0
    fields = ["user", "role", "status", "joined_at", "left_at", "agreements_accepted_at"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user")


@admin.register(Group)
class GroupModelAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: an organisation's beheerders create and configure its groups in the app
    (groups.services.group_create / group_update, which tells the outbox to replan)."""

    list_display = ["name", "organisation", "size_limit", "quorum", "is_active", "created_at"]
    list_filter = ["organisation", "is_active"]
    list_select_related = ["organisation"]
    search_fields = ["name", "description", "organisation__name"]
    inlines = [MembershipInline]
    fieldsets = [
        (None, {"fields": ["organisation", "name", "description", "is_active", "agreements"]}),
        (_("Bijeenkomsten"), {"fields": ["default_location", "default_online_link", "size_limit", "quorum"]}),
        (
            _("Herinneringen"),
            {
                "fields": [
                    "reminder_first_days",
                    "reminder_second_days",
                    "rsvp_nudge_days",
                    "casus_prep_days",
                    "reflection_request_hours",
                    "followup_weeks",
                    "show_casus_title_in_email",
                ]
            },
        ),
        (
            _("Signalen"),
            {
                "fields": [
                    "alert_trend_relative",
                    "alert_trend_absolute",
                    "alert_fading_in_a_row",
                    "alert_fading_of_last_five",
                    "alert_quorum_days",
                ]
            },
        ),
        (_("Privacy"), {"fields": ["casus_retention_months"]}),
    ]


@admin.register(Membership)
class MembershipModelAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: see MembershipInline."""

    list_display = ["user", "group", "role", "status", "joined_at", "agreements_accepted_at"]
    list_filter = ["role", "status", "group__organisation"]
    search_fields = ["user__email", "user__display_name", "group__name"]
    list_select_related = ["user", "group"]


@admin.register(Invitation)
class InvitationModelAdmin(admin.ModelAdmin):
    """Added through groups.services.invitation_create (which revokes an open one for the same address and
    sends the mail); never changed or deleted here: accepting and revoking are the app's services."""

    list_display = ["email", "group", "role", "created_at", "expires_at", "accepted_at", "revoked_at"]
    list_filter = ["role", "group__organisation"]
    search_fields = ["email", "group__name"]
    list_select_related = ["group"]
    fields = [
        "group",
        "email",
        "role",
        "expires_at",
        "revoked_at",
        "invited_by",
        "accepted_at",
        "accepted_by",
    ]
    add_fields = ["group", "email", "role"]

    def get_fields(self, request, obj=None):
        return self.add_fields if obj is None else self.fields

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        invitation = services.invitation_create(
            group=obj.group, email=obj.email, role=obj.role, invited_by=request.user, replace_open=True
        )
        obj.pk = invitation.pk
        obj.refresh_from_db()
