from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AppealsConfig(AppConfig):
    name = "jiceng.appeals"
    label = "appeals"
    verbose_name = _("接诉即办")

    def ready(self) -> None:
        from jiceng.appeals import models
        from jiceng.core import scope

        # A case is seen in the territory where it happened.
        # A case waiting to be placed sits at its district; the street it was found
        # nearest to sees it too. Once placed, its street is above its area, so the
        # second lookup adds nothing.
        scope.register(models.Appeal, kind=scope.KIND_APPEAL, area_path=("area", "street"))
        scope.register(models.HandlingUnit, kind=scope.KIND_APPEAL, area_path="area")
        scope.register(models.RoutingRule, kind=scope.KIND_APPEAL, area_path="area")

        from jiceng.appeals import charts, indicators

        indicators.register()

        from jiceng.appeals import open311
        from jiceng.core.unavailable import register_unavailable_renderer

        register_unavailable_renderer("/open311/", open311.unavailable)

        from jiceng.appeals import workbench

        workbench.register()
        charts.register()

        from jiceng.appeals import outcomes

        outcomes.register()

        from jiceng.appeals import ledgers

        ledgers.register()
