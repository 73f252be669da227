from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CobuildConfig(AppConfig):
    name = "jiceng.cobuild"
    label = "cobuild"
    verbose_name = _("区域化党建")

    def ready(self) -> None:
        from jiceng.cobuild import models
        from jiceng.core import scope

        kind = scope.KIND_COBUILD
        # Needs and projects are seen in the community they serve; a project also up the
        # affiliation line of the org that provides it, so that org can claim it.
        scope.register(models.Need, kind=kind, area_path="community")
        scope.register(
            models.Resource,
            kind=kind,
            area_path="area",
            org_paths=("offered_by_org__path", "dual_report__member__org__path"),
        )
        scope.register(
            models.Project,
            kind=kind,
            area_path="need__community",
            org_paths=("provider_org__path",),
        )
        scope.register(
            models.ProjectResource,
            kind=kind,
            area_path="project__need__community",
            org_paths=("project__provider_org__path",),
        )
        scope.register(
            models.ProjectEvent,
            kind=kind,
            area_path="project__need__community",
            org_paths=("project__provider_org__path",),
        )
        # A run belongs to its street; each proposal also to its need's community.
        scope.register(models.MatchRun, kind=kind, area_path="area")
        scope.register(models.MatchProposal, kind=kind, area_path=("run__area", "need__community"))
        # An agreement is seen by its community and by the unit's org (own or covering).
        unit_orgs = ("unit__own_org__path", "unit__covering_org__path")
        scope.register(models.Agreement, kind=kind, area_path="community", org_paths=unit_orgs)
        scope.register(
            models.Commitment,
            kind=kind,
            area_path="agreement__community",
            org_paths=tuple(f"agreement__{p}" for p in unit_orgs),
        )
        scope.register(
            models.AgreementReview,
            kind=kind,
            area_path="agreement__community",
            org_paths=tuple(f"agreement__{p}" for p in unit_orgs),
        )
        scope.register(models.JointMeeting, kind=kind, area_path="committee__area")
        scope.register(models.MeetingAttendance, kind=kind, area_path="meeting__committee__area")
        scope.register(models.MeetingTask, kind=kind, area_path="meeting__committee__area")
        # A unit's venue is also seen by the unit's org.
        scope.register(models.Venue, kind=kind, area_path="area", org_paths=unit_orgs)
        scope.register(
            models.Room,
            kind=kind,
            area_path="venue__area",
            org_paths=tuple(f"venue__{p}" for p in unit_orgs),
        )
        scope.register(
            models.Booking,
            kind=kind,
            area_path="room__venue__area",
            org_paths=tuple(f"room__venue__{p}" for p in unit_orgs),
        )

        from jiceng.cobuild import workbench

        workbench.register()
        from jiceng.cobuild import charts

        charts.register()

        from jiceng.cobuild import outcomes

        outcomes.register()

        from jiceng.cobuild import ledgers

        ledgers.register()

        from jiceng.cobuild import pickers

        pickers.register_pickers()
