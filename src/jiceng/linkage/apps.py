from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LinkageConfig(AppConfig):
    name = "jiceng.linkage"
    label = "linkage"
    verbose_name = _("调度通报")

    def ready(self) -> None:
        from jiceng.core import scope
        from jiceng.linkage import models, own_work

        kind = scope.KIND_LINKAGE
        # A dispatch is seen where its sender sits (and above: a district sees what its
        # streets and its departments sent); recipients never see the dispatch row
        # itself, only their own. A department's staff (core.roles: own work only) see
        # only what their department sent (own_work).
        scope.register(
            models.Dispatch,
            kind=kind,
            area_path="sender_area",
            worked_by=own_work.dispatches_sent_by,
        )
        for model in (models.DispatchAttachment, models.ReportField, models.Bulletin):
            scope.register(
                model,
                kind=kind,
                area_path="dispatch__sender_area",
                worked_by=own_work.sent_by("dispatch__"),
            )
        # A recipient's row, receipt and report are seen where the recipient sits (and
        # above), and by the sender's level.
        scope.register(
            models.Recipient,
            kind=kind,
            area_path=("area", "org__area", "dispatch__sender_area"),
            org_paths=("org__path",),
            worked_by=own_work.sent_by("dispatch__"),
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
                worked_by=own_work.sent_by("recipient__dispatch__"),
            )

        from jiceng.core.notifications import register_writer
        from jiceng.linkage.services.notifications import notify

        register_writer(notify)

        from jiceng.linkage import indicators, ledgers, workbench

        indicators.register()
        workbench.register()
        ledgers.register()
