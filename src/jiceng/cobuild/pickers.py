"""What the co-building forms choose among thousands, as pickers (`core.pickers`).

- "cobuild-units": the open units the viewer sees, the other side of an agreement (the
  community signs with any unit in its sight; the service checks the rest).
- "venue-units": the open units whose venue the viewer may register: the territory
  staff where the unit is, or the org that speaks for it (`access.can_act_for_unit`).
- "joint-committees": the big committees (大党委) whose joint meetings the viewer calls.
- "provider-reports": in-service members' open dual reports whose resources the viewer
  records: the community they reported to, or the member's org (the service's check).

Areas are core's "manageable-areas" (`levels=street,community` or `community`); a
resource's providing org is orgs' "manageable-orgs" (`groups=0`).
"""

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from jiceng.core.pickers import Picker, register
from jiceng.members.models import DualReport
from jiceng.orgs.models import BigCommittee, Unit


def _units(user, params: dict) -> QuerySet[Unit]:
    from jiceng.orgs.selectors import unit_list

    return unit_list(viewer=user)


def _search_units(units: QuerySet[Unit], q: str) -> QuerySet[Unit]:
    """By name, or by the whole credit code (what a unit's papers show)."""
    return units.filter(Q(name__icontains=q) | Q(uscc__iexact=q.strip()))


def _venue_unit_allowed(user, unit: Unit) -> bool:
    from jiceng.cobuild.access import can_act_for_unit
    from jiceng.core.access import can_manage_area

    return can_manage_area(user, unit.area) or can_act_for_unit(user, unit)


def _committees(user, params: dict) -> QuerySet[BigCommittee]:
    from jiceng.cobuild.selectors import committees_in_sight

    return committees_in_sight(viewer=user)


def _search_committees(committees: QuerySet[BigCommittee], q: str) -> QuerySet[BigCommittee]:
    return committees.filter(Q(name__icontains=q) | Q(area__name__icontains=q))


def committee_label(committee: BigCommittee) -> str:
    return f"{committee.name}（{committee.area.name}）"


def _committee_allowed(user, committee: BigCommittee) -> bool:
    from jiceng.cobuild.access import can_manage_meeting

    return can_manage_meeting(user, committee)


def _reports(user, params: dict) -> QuerySet[DualReport]:
    from jiceng.cobuild.selectors import open_member_reports

    return open_member_reports(viewer=user)


def _search_reports(reports: QuerySet[DualReport], q: str) -> QuerySet[DualReport]:
    """By the member's name, or the community they reported to."""
    return reports.filter(Q(member__name__icontains=q) | Q(community__name__icontains=q))


def report_label(report: DualReport) -> str:
    return _("在职党员 %(name)s（报到%(community)s）") % {
        "name": report.member.name,
        "community": report.community.name,
    }


def _report_allowed(user, report: DualReport) -> bool:
    from jiceng.core.access import can_manage_area
    from jiceng.orgs.access import can_manage_org

    return can_manage_area(user, report.community) or can_manage_org(user, report.member.org)


def register_pickers() -> None:
    register(Picker(name="cobuild-units", candidates=_units, search=_search_units))
    register(
        Picker(
            name="venue-units",
            candidates=_units,
            search=_search_units,
            allowed=_venue_unit_allowed,
        )
    )
    register(
        Picker(
            name="joint-committees",
            candidates=_committees,
            search=_search_committees,
            label=committee_label,
            allowed=_committee_allowed,
        )
    )
    register(
        Picker(
            name="provider-reports",
            candidates=_reports,
            search=_search_reports,
            label=report_label,
            allowed=_report_allowed,
        )
    )
