from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgsConfig(AppConfig):
    name = "jiceng.orgs"
    label = "orgs"
    verbose_name = _("组织体系")

    def ready(self) -> None:
        from jiceng.core import scope
        from jiceng.orgs import models

        scope.register(
            models.PartyOrg, kind=scope.KIND_PARTY_ORG, area_path="area", org_paths=("path",)
        )
        scope.register(
            models.Unit,
            kind=scope.KIND_UNIT,
            area_path="area",
            org_paths=("own_org__path", "covering_org__path"),
        )
        scope.register(models.GridPost, kind=scope.KIND_PEOPLE, area_path="grid")
        scope.register(
            models.BigCommittee, kind=scope.KIND_AREA, area_path="area", org_paths=("org__path",)
        )
        scope.register(models.PartTimeMember, kind=scope.KIND_PEOPLE, area_path="committee__area")

        from jiceng.orgs import pickers

        pickers.register_pickers()

        from jiceng.core import tree_rollups
        from jiceng.orgs import rollup

        tree_rollups.register(
            tree_rollups.Tree(models.CoverageStat, models.CoverageTreeStat, rollup.COUNTERS)
        )

        from jiceng.orgs import charts, indicators

        indicators.register()

        from jiceng.orgs import workbench

        workbench.register()
        charts.register()

        from jiceng.orgs import outcomes

        outcomes.register()

        from jiceng.orgs import jobs, ledgers

        ledgers.register()
        jobs.register()
