from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "jiceng.core"
    label = "core"
    verbose_name = _("基础")

    def ready(self) -> None:
        from jiceng.core import audit, audit_evidence, audit_jobs, scope
        from jiceng.core.models import Area, StandardAddress

        audit_jobs.register()
        from jiceng.core import area_pickers

        area_pickers.register_pickers()
        audit.set_checkpoint_writer(lambda: audit_evidence.checkpoint_write(actor=None))

        scope.register(Area, kind=scope.KIND_AREA, area_path="")
        from jiceng.core import area_counts, tree_rollups

        # Areas by level per subtree, moved with an area (tree_rollups.area_moved).
        tree_rollups.register(area_counts.TREE)
        scope.register(StandardAddress, kind=scope.KIND_AREA, area_path="building")
