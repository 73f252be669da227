from django.contrib import admin

from jiceng.accounts.models import RoleAssignment, User
from jiceng.core.scope import scope_for


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    """Accounts are read here; they are created and granted roles through the services
    (`jiceng` commands, the demo), which check the granter's territory and audit."""

    list_display = ("username", "full_name", "is_active", "last_login")
    search_fields = ("username", "full_name")
    exclude = ("password",)

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin):
    list_display = ("user", "role", "area", "org", "granted_at", "revoked_at")
    list_filter = ("role",)
    list_select_related = ("user", "area", "org")

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        # Staff see assignments anchored in their territory.
        from django.db.models import Q

        condition = Q(pk__in=[])
        for root in scope_for(request.user).area_roots():
            condition |= Q(area__path__startswith=root)
        return queryset.filter(condition)

    def has_module_permission(self, request):
        return request.user.is_staff

    def has_view_permission(self, request, obj=None):
        return request.user.is_staff

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
