from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrglifeConfig(AppConfig):
    name = "jiceng.orglife"
    label = "orglife"
    verbose_name = _("组织生活")

    def ready(self) -> None:
        from jiceng.core import scope
        from jiceng.orglife import models

        kind = scope.KIND_ORGLIFE
        # A meeting belongs where its org sits (块) and up its affiliation line (条).
        scope.register(models.Meeting, kind=kind, area_path="org__area", org_paths=("org__path",))
        scope.register(
            models.ComplianceYear, kind=kind, area_path="org__area", org_paths=("org__path",)
        )
        for model in (
            models.Attendance,
            models.MeetingEvent,
            models.MeetingTask,
            models.MeetingAttachment,
        ):
            scope.register(
                model, kind=kind, area_path="meeting__org__area", org_paths=("meeting__org__path",)
            )
        # Deliberation belongs to its community.
        scope.register(models.Topic, kind=kind, area_path="community", org_paths=("org__path",))
        scope.register(models.Issue, kind=kind, area_path="community")
        scope.register(
            models.Step, kind=kind, area_path="topic__community", org_paths=("topic__org__path",)
        )
        # A contact point is seen at the community and by the official's own level.
        scope.register(
            models.ContactPoint,
            kind=kind,
            area_path=("org__area", "official_area"),
            org_paths=("org__path",),
        )
        for model in (models.ContactVisit, models.ContactProblem):
            scope.register(
                model,
                kind=kind,
                area_path=("point__org__area", "point__official_area"),
                org_paths=("point__org__path",),
            )
        scope.register(
            models.HouseholdLink,
            kind=kind,
            area_path="grid",
            org_paths=("member__org__path",),
            owner_path="member__account",
        )
        scope.register(
            models.HouseholdVisit,
            kind=kind,
            area_path="link__grid",
            org_paths=("link__member__org__path",),
            owner_path="link__member__account",
        )

        from jiceng.core import tree_rollups
        from jiceng.orglife import rollup

        # The yearly rows counted per subtree, kept through org moves, foundings, closings.
        tree_rollups.register(rollup.TREE)
        tree_rollups.on_holder_moved("org", rollup.org_moved)
        tree_rollups.on_holder_changed("org", rollup.orgs_changed)

        from jiceng.orglife import indicators

        indicators.register()

        from jiceng.orglife import workbench

        workbench.register()

        from jiceng.orglife import outcomes

        outcomes.register()

        from jiceng.orglife import ledgers

        ledgers.register()

        from jiceng.orglife import pickers

        pickers.register_pickers()
