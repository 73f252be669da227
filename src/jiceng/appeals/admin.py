from django import forms
from django.contrib import admin

from jiceng.appeals import services
from jiceng.appeals.models import Appeal, Category, HandlingUnit, RoutingRule
from jiceng.core.admin_scope import ScopedReadOnlyAdmin
from jiceng.core.errors import ValidationFailed


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


def _facts(data: dict) -> services.CategoryFacts:
    return services.CategoryFacts(
        name=data.get("name", ""),
        group=data.get("group", ""),
        response_hours=data.get("response_hours"),
        resolution_amount=data.get("resolution_amount"),
        resolution_unit=data.get("resolution_unit", ""),
        reopen_days=data.get("reopen_days"),
        description=data.get("description", ""),
        is_mediation=data.get("is_mediation", False),
        is_active=data.get("is_active", True),
        sort=data.get("sort") or 0,
    )


class CategoryAdminForm(forms.ModelForm):
    """The service's checks (services.check_category), shown on the field they name."""

    class Meta:
        model = Category
        fields = (
            "code",
            "name",
            "group",
            "description",
            "response_hours",
            "resolution_amount",
            "resolution_unit",
            "reopen_days",
            "is_mediation",
            "is_active",
            "sort",
        )

    def clean(self):
        data = super().clean()
        if not self.errors:
            try:
                services.check_category(_facts(data))
            except ValidationFailed as error:
                self.add_error(error.field if error.field in self.fields else None, error.message)
        return data


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    """The taxonomy is configuration: superusers edit names and deadlines here, through
    the category services (the same checks and audit entry as the setup pages). The code
    is the Open311 service_code, so it is set once."""

    form = CategoryAdminForm
    list_display = ("name", "code", "group", "response_hours", "resolution_amount", "is_active")
    list_filter = ("group", "is_mediation", "is_active")

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return False  # cases refer to categories; switch one off instead

    def get_readonly_fields(self, request, obj=None):
        return ("code",) if obj is not None else ()

    def save_model(self, request, obj, form, change):
        facts = _facts(form.cleaned_data)
        if change:
            services.category_update(actor=request.user, category=obj, facts=facts)
        else:
            obj.pk = services.category_create(actor=request.user, code=obj.code, facts=facts).pk
        obj.refresh_from_db()


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
