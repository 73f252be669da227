from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LinkageConfig(AppConfig):
    name = "jiceng.linkage"
    label = "linkage"
    verbose_name = _("调度通报")

    def ready(self) -> None:
        from jiceng.core import scope
        from jiceng.linkage import models

        kind = scope.KIND_LINKAGE
        # A dispatch is seen where its sender sits (and above: a district sees what its
        # streets sent); recipients never see the dispatch row itself, only their own.
        for model in (models.Dispatch,):
            scope.register(model, kind=kind, area_path="sender_area")
        for model in (models.DispatchAttachment, models.ReportField, models.Bulletin):
            scope.register(model, kind=kind, area_path="dispatch__sender_area")
        # A recipient's row, receipt and report are seen where the recipient sits (and
        # above), and by the sender's level.
        scope.register(
            models.Recipient,
            kind=kind,
            area_path=("area", "org__area", "dispatch__sender_area"),
            org_paths=("org__path",),
        )
        for model in (models.Receipt, models.Report):
            scope.register(
                model,
                kind=kind,
                area_path=(
                    "recipient__area",
                    "recipient__org__area",
                    "recipient__dispatch__sender_area",
                ),
                org_paths=("recipient__org__path",),
            )

        from jiceng.core.notifications import register_writer
        from jiceng.linkage.services.notifications import notify

        register_writer(notify)

        from jiceng.linkage import indicators, workbench

        indicators.register()
        workbench.register()
