"""Django admin (``/beheer/``) is for superusers only. Organisation admins do their work in the app (group
settings, invitations, members); being ``is_staff`` or an organisation's admin does not open ``/beheer/``."""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.db.models import UniqueConstraint
from django.forms.models import BaseInlineFormSet


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


class ConstraintMessageFormSet(BaseInlineFormSet):
    """An inline whose rows repeat the fields of a unique constraint is refused with that constraint's own
    ``violation_error_message``: Django's default names the fields ("Corrigeer de dubbele gegevens voor
    position")."""

    def get_unique_error_message(self, unique_check):
        for constraint in self.model._meta.constraints:
            if isinstance(constraint, UniqueConstraint) and set(constraint.fields) == set(unique_check):
                return constraint.get_violation_error_message()
        return super().get_unique_error_message(unique_check)
