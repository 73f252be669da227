from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AppealsConfig(AppConfig):
    name = "jiceng.appeals"
    label = "appeals"
    verbose_name = _("接诉即办")

    def ready(self) -> None:
        from jiceng.appeals import models, own_work
        from jiceng.core import scope

        # A case is seen in the territory where it happened; by a department's staff
        # only where their units' own work is (appeals.own_work). A case waiting to be
        # placed sits at its district; the street it was found nearest to sees it too
        # (once placed, its street is above its area, so that lookup adds nothing).
        kind = scope.KIND_APPEAL
        scope.register(
            models.Appeal,
            kind=kind,
            area_path=("area", "street"),
            worked_by=own_work.appeals_worked_by,
            max_depths={"street": 2},  # the street is always the path's third area
        )
        scope.register(
            models.HandlingUnit, kind=kind, area_path="area", worked_by=own_work.units_worked_by
        )
        scope.register(
            models.RoutingRule, kind=kind, area_path="area", worked_by=own_work.rules_worked_by
        )

        from jiceng.appeals import area_moves, open_rollup
        from jiceng.core import services as core_services
        from jiceng.core import tree_rollups

        # A community moved to another street takes its cases' street along.
        core_services.on_area_moved(area_moves.area_moved)

        tree_rollups.register(
            tree_rollups.Tree(
                models.AppealOpenStat, models.AppealOpenTreeStat, open_rollup.COUNTERS
            )
        )

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

        from jiceng.appeals import pickers

        pickers.register_pickers()
