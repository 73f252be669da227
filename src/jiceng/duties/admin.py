from django.contrib import admin

from jiceng.core.admin_scope import ScopedReadOnlyAdmin
from jiceng.duties.models import Duty, FieldOfficeAssessment, OutsideListReport, PowerRequest


@admin.register(Duty)
class DutyAdmin(ScopedReadOnlyAdmin):
    list_display = ("title", "department", "state", "staff_count", "funds_yuan", "decided_at")
    list_filter = ("state", "target_level")
    search_fields = ("title",)
    list_select_related = ("department",)


@admin.register(PowerRequest)
class PowerRequestAdmin(ScopedReadOnlyAdmin):
    list_display = ("subject", "kind", "street", "department", "due_on", "state")
    list_filter = ("kind", "state")
    list_select_related = ("street", "department")


@admin.register(FieldOfficeAssessment)
class FieldOfficeAssessmentAdmin(ScopedReadOnlyAdmin):
    list_display = ("year", "office_name", "head_name", "street", "grade")
    list_filter = ("year", "grade")
    list_select_related = ("street",)


@admin.register(OutsideListReport)
class OutsideListReportAdmin(ScopedReadOnlyAdmin):
    list_display = ("reported_on", "street", "department", "task_reference")
    list_select_related = ("street", "department")
