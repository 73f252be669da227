from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "jiceng.supervision"
    label = "supervision"
    verbose_name = _("动态管理与督促检查")

    def ready(self) -> None:
        from jiceng.core import scope
        from jiceng.supervision import models

        kind = scope.KIND_SUPERVISION
        # Everything here is about an org and sits where the org sits (块); a unit org's
        # secretary does not see it along the affiliation line (条): the territory's
        # staff supervise.
        for model in (
            models.WeakOrgCase,
            models.StarRating,
            models.Inspection,
            models.Talk,
        ):
            scope.register(model, kind=kind, area_path="org__area")
        scope.register(models.WeakOrgEvent, kind=kind, area_path="case__org__area")

        from jiceng.orgs.sections import FileSection, register_section
        from jiceng.supervision import indicators, selectors, workbench

        register_section(
            FileSection(
                key="supervision",
                template="supervision/partials/org_file.html",
                context=lambda viewer, org: (
                    None
                    if (found := selectors.org_file(viewer=viewer, org=org)) is None or found.empty
                    else {"file": found}
                ),
                order=50,
            )
        )
        indicators.register()
        from jiceng.supervision import org_measures

        org_measures.register()
        workbench.register()
