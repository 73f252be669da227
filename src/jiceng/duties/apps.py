from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DutiesConfig(AppConfig):
    name = "jiceng.duties"
    label = "duties"
    verbose_name = _("职责准入")

    def ready(self) -> None:
        from jiceng.core import scope
        from jiceng.duties import models, own_work

        kind = scope.KIND_DUTY
        # An application is the district's to review; a department's staff see only
        # their own department's (core.roles: own work only).
        scope.register(
            models.Duty, kind=kind, area_path="district", worked_by=own_work.duties_worked_by
        )
        # What concerns a street is seen by the street and above it.
        scope.register(
            models.DutyTarget,
            kind=kind,
            area_path="street",
            worked_by=own_work.targets_worked_by,
        )
        for model in (
            models.OutsideListReport,
            models.FieldOfficeAssessment,
            models.PowerRequest,
        ):
            scope.register(
                model, kind=kind, area_path="street", worked_by=own_work.department_worked_by
            )

        from jiceng.duties import given_grades, indicators, ledgers, linkage_admission, workbench

        # The street's grades of field-office heads, for the responsibility system.
        given_grades.register()

        # The check a department's dispatch passes before it goes down (linkage).
        linkage_admission.register()
        indicators.register()
        workbench.register()
        ledgers.register()
