"""The Django admin as a scoped, read-only window on the registries.

Every list and object goes through core.scope like any page. Nothing is written here:
changes go through the services (pages, API, commands), which check access in the
territory and leave audit entries; an admin form would bypass both.
"""

from django.contrib import admin

from jiceng.core.scope import registration, scope_for


class ScopedReadOnlyAdmin(admin.ModelAdmin):
    list_per_page = 50

    def get_queryset(self, request):
        return scope_for(request.user).filter(super().get_queryset(request))

    def has_view_permission(self, request, obj=None):
        scope = scope_for(request.user)
        if not request.user.is_staff or scope.is_empty:
            return False
        if not scope.can_see_kind(registration(self.model).kind):
            return False
        return obj is None or scope.contains(obj)

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
