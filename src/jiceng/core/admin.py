from django.contrib import admin

from jiceng.core.admin_scope import ScopedReadOnlyAdmin
from jiceng.core.models import Area, AuditEntry


@admin.register(Area)
class AreaAdmin(ScopedReadOnlyAdmin):
    list_display = ("name", "code", "level", "parent")
    list_filter = ("level",)
    search_fields = ("name", "code")
    list_select_related = ("parent",)


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """The audit log, for superusers only: it names everyone's actions."""

    list_display = ("id", "at", "actor_label", "action", "target_type", "target_label")
    list_filter = ("action", "target_type")
    search_fields = ("actor_label", "target_label", "target_id")
    date_hierarchy = "at"
    list_select_related = ("actor",)

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
