from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "jiceng.members"
    label = "members"
    verbose_name = _("党员管理")

    def ready(self) -> None:
        from jiceng.core import scope, tree_rollups
        from jiceng.members import models, rollup

        # The members' sums per subtree follow area moves and their orgs' moves.
        tree_rollups.register(rollup.TREE)
        tree_rollups.on_holder_moved("org", rollup.org_moved)

        # A member's record is seen where their org sits (块) and up their org's
        # affiliation line (条).
        scope.register(
            models.Member,
            kind=scope.KIND_MEMBER,
            area_path="org__area",
            org_paths=("org__path",),
            owner_path="account",
        )
        scope.register_audit_subject(models.Member)
        scope.register(
            models.Membership,
            kind=scope.KIND_MEMBER,
            area_path="org__area",
            org_paths=("org__path",),
            owner_path="member__account",
        )
        scope.register(
            models.MemberEvent,
            kind=scope.KIND_MEMBER,
            area_path="member__org__area",
            org_paths=("member__org__path",),
            owner_path="member__account",
        )
        # A transfer is seen by both sides and nobody else.
        scope.register(
            models.Transfer,
            kind=scope.KIND_MEMBER,
            area_path=("from_org__area", "to_org__area"),
            org_paths=("from_org__path", "to_org__path"),
            owner_path="member__account",
        )
        scope.register(
            models.MobileOutflow,
            kind=scope.KIND_MEMBER,
            area_path="home_org__area",
            org_paths=("home_org__path",),
            owner_path="member__account",
        )
        # An inflow registration belongs to the community where the member arrived.
        scope.register(models.MobileInflow, kind=scope.KIND_MEMBER, area_path="community")
        scope.register(
            models.DualReport,
            kind=scope.KIND_MEMBER,
            area_path=("community", "unit_org__area", "member__org__area"),
            org_paths=("unit_org__path", "member__org__path"),
            owner_path="member__account",
        )
        scope.register(
            models.ServiceRecord,
            kind=scope.KIND_MEMBER,
            area_path=("report__community", "report__unit_org__area", "report__member__org__area"),
            org_paths=("report__unit_org__path", "report__member__org__path"),
            owner_path="report__member__account",
        )

        from jiceng.members import charts, indicators

        indicators.register()
        charts.register()

        from jiceng.core.selectors import register_person_entries

        def person_entries(viewer, member_id):
            from jiceng.members.access import get_member_for_data_access
            from jiceng.members.selectors import member_data_access_entries

            return member_data_access_entries(get_member_for_data_access(viewer, member_id))

        register_person_entries(person_entries)

        from jiceng.members import workbench

        workbench.register()

        from jiceng.members import outcomes

        outcomes.register()

        from jiceng.members import ledgers

        ledgers.register()

        from jiceng.members import jobs

        jobs.register()

        from jiceng.members import pickers

        pickers.register_pickers()
