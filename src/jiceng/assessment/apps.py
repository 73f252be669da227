from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentConfig(AppConfig):
    name = "jiceng.assessment"
    label = "assessment"
    verbose_name = _("述职评议考核")

    def ready(self) -> None:
        from jiceng.assessment import models
        from jiceng.core import scope

        kind = scope.KIND_ASSESSMENT
        # A scheme is the district's; everything else sits where the assessed org does
        # (块) and up its affiliation line (条).
        scope.register(models.Scheme, kind=kind, area_path="district")
        for model in (models.Assessment, models.Problem, models.Rectification):
            scope.register(model, kind=kind, area_path="org__area", org_paths=("org__path",))
        scope.register(models.SchemeItem, kind=kind, area_path="scheme__district")
        for model in (models.TaskItem,):
            scope.register(
                model,
                kind=kind,
                area_path="assessment__org__area",
                org_paths=("assessment__org__path",),
            )
        scope.register(
            models.Report,
            kind=kind,
            area_path="assessment__org__area",
            org_paths=("assessment__org__path",),
        )
        scope.register(
            models.Reviewer,
            kind=kind,
            area_path="report__assessment__org__area",
            org_paths=("report__assessment__org__path",),
            # A representative reviewing as a party member sees the rows naming them.
            owner_path="account",
        )
        scope.register(
            models.Evidence,
            kind=kind,
            area_path="rectification__org__area",
            org_paths=("rectification__org__path",),
        )

        from jiceng.assessment import indicators, outcomes, rankings, workbench

        outcomes.register()
        rankings.register()
        indicators.register()
        workbench.register()
