from django.contrib import admin

from jiceng.appeals.models import Appeal, Category, HandlingUnit, RoutingRule
from jiceng.core.admin_scope import ScopedReadOnlyAdmin


@admin.register(Appeal)
class AppealAdmin(ScopedReadOnlyAdmin):
    list_display = ("tracking_code", "category", "area", "state", "unit", "received_at")
    list_filter = ("state", "channel")
    search_fields = ("tracking_code",)
    list_select_related = ("category", "area", "unit")
    exclude = ("contact_phone_encrypted",)


@admin.register(HandlingUnit)
class HandlingUnitAdmin(ScopedReadOnlyAdmin):
    list_display = ("name", "kind", "area", "is_active")
    list_filter = ("kind",)
    list_select_related = ("area",)


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    """The taxonomy is configuration: superusers edit names and deadlines here."""

    list_display = ("name", "code", "group", "response_hours", "resolution_amount", "is_active")
    list_filter = ("group", "is_mediation", "is_active")

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return False  # cases refer to categories; switch one off instead

    def save_model(self, request, obj, form, change):
        from jiceng.core.audit import audit_record
        from jiceng.core.models import AuditEntry

        super().save_model(request, obj, form, change)
        audit_record(
            actor=request.user,
            action=AuditEntry.Action.UPDATE if change else AuditEntry.Action.CREATE,
            target=obj,
            changes={name: form.cleaned_data.get(name) for name in form.changed_data},
        )


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    list_display = ("category", "area", "unit")
    list_select_related = ("category", "area", "unit")

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
