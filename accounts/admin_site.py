"""Django admin (``/beheer/``) is for superusers only. Organisation admins do their work in the app (group
settings, invitations, members); being ``is_staff`` or an organisation's admin does not open ``/beheer/``."""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig


class SuperuserAdminSite(admin.AdminSite):
    def has_permission(self, request):
        user = request.user
        return user.is_active and user.is_staff and user.is_superuser


class SuperuserAdminConfig(AdminConfig):
    default_site = "accounts.admin_site.SuperuserAdminSite"


class ReadOnlyAdminMixin:
    """Shown in admin, never changed there: the app's services change these rows (they check the rules,
    notify people and replan the outbox, which a plain admin save would skip)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
