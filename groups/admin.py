from django.conf import settings
from django.contrib import admin
from django.contrib.admin import RelatedOnlyFieldListFilter
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User

from . import services
from .models import Group, Invitation, Membership, Organisation, OrganisationAdmin
from .permissions import administered_organisation_ids


def _org_ids(request) -> list[int]:
    """The organisations this request's user administers (cached on the request)."""
    if not hasattr(request, "_administered_organisation_ids"):
        request._administered_organisation_ids = administered_organisation_ids(request.user)
    return request._administered_organisation_ids


def _is_org_admin(request) -> bool:
    user = request.user
    return user.is_active and user.is_staff and bool(_org_ids(request))


def _may_manage(request) -> bool:
    return request.user.is_active and (request.user.is_superuser or _is_org_admin(request))


def _scoped_foreignkey(db_field, request, kwargs) -> dict:
    """Limits the choices of foreign keys to the beheerder's organisations (superusers choose freely).
    Users offered are the people already linked to those organisations: new people join by invitation."""
    if request.user.is_superuser:
        return kwargs
    org_ids = _org_ids(request)
    if db_field.related_model is Organisation:
        kwargs["queryset"] = Organisation.objects.filter(pk__in=org_ids)
    elif db_field.related_model is Group:
        kwargs["queryset"] = Group.objects.filter(organisation__in=org_ids)
    elif db_field.related_model is User:
        kwargs["queryset"] = User.objects.filter(
            Q(memberships__group__organisation__in=org_ids) | Q(admin_links__organisation__in=org_ids)
        ).distinct()
    return kwargs


class OrganisationScopedAdmin(admin.ModelAdmin):
    """Superusers see everything; an organisation's beheerder (is_staff) sees only their organisations."""

    organisation_path = "organisation"

    def has_module_permission(self, request):
        return _may_manage(request)

    def has_view_permission(self, request, obj=None):
        return _may_manage(request)

    has_change_permission = has_view_permission
    has_add_permission = has_view_permission
    has_delete_permission = has_view_permission

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(**{f"{self.organisation_path}__in": _org_ids(request)})

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        kwargs = _scoped_foreignkey(db_field, request, kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class OrganisationAdminInline(admin.TabularInline):
    """Beheerders see who else administers their organisation; only superusers change that."""

    model = OrganisationAdmin
    extra = 0

    def has_view_permission(self, request, obj=None):
        return _may_manage(request)

    def has_add_permission(self, request, obj=None):
        return request.user.is_superuser

    has_change_permission = has_add_permission
    has_delete_permission = has_add_permission


@admin.register(Organisation)
class OrganisationModelAdmin(OrganisationScopedAdmin):
    organisation_path = "pk"
    list_display = ["name", "slug", "created_at"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [OrganisationAdminInline]

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    fields = ["user", "role", "status", "joined_at", "left_at", "agreements_accepted_at"]

    def has_view_permission(self, request, obj=None):
        return _may_manage(request)

    has_change_permission = has_view_permission
    has_add_permission = has_view_permission
    has_delete_permission = has_view_permission

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        kwargs = _scoped_foreignkey(db_field, request, kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Group)
class GroupModelAdmin(OrganisationScopedAdmin):
    list_display = ["name", "organisation", "size_limit", "quorum", "is_active", "created_at"]
    list_filter = [("organisation", RelatedOnlyFieldListFilter), "is_active"]
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
class MembershipModelAdmin(OrganisationScopedAdmin):
    organisation_path = "group__organisation"
    list_display = ["user", "group", "role", "status", "joined_at", "agreements_accepted_at"]
    list_filter = [
        "role",
        "status",
        ("group__organisation", RelatedOnlyFieldListFilter),
        ("group", RelatedOnlyFieldListFilter),
    ]
    search_fields = ["user__email", "user__display_name", "group__name"]
    autocomplete_fields = ["group"]
    list_select_related = ["user", "group"]


@admin.register(Invitation)
class InvitationModelAdmin(OrganisationScopedAdmin):
    organisation_path = "group__organisation"
    list_display = ["email", "group", "role", "created_at", "expires_at", "accepted_at", "revoked_at"]
    list_filter = [
        "role",
        ("group__organisation", RelatedOnlyFieldListFilter),
        ("group", RelatedOnlyFieldListFilter),
    ]
    search_fields = ["email", "group__name"]
    list_select_related = ["group"]
    readonly_fields = ["accepted_at", "accepted_by", "invited_by", "created_at"]
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

    def get_changeform_initial_data(self, request):
        return {"expires_at": timezone.now() + settings.INVITATION_MAX_AGE}

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        invitation = services.invitation_create(
            group=obj.group, email=obj.email, role=obj.role, invited_by=request.user
        )
        obj.pk = invitation.pk
        obj.refresh_from_db()
