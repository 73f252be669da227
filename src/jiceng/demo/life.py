"""What the demo's people do: party members with their transfers, mobile members and dual
reports, and a year of residents' appeals, all written through the services.

Members are planned per street (`people.py`) and registered with
`members.services.member_bulk_create`, which runs every row through the same checks as a
single registration. Transfers, outflows and inflows, and dual reports with their
service records go through the one-at-a-time workflow services, a few per street, as
staff would do them.

Appeals: every community gets its residents' committee (居委会) as a handling unit, every
street its office, the district its departments; routing rules send a community's cases
to its committee, and the departments' categories to the departments. The most specific
rule wins and a community's any-category rule is more specific than a district's
category rule, so the departments' categories are set on each community too (the
district-level rules stay as the default for places without rules of their own).

Time: the year of cases ends at the start of the day the demo runs (`cases.cutoff_for`),
so the rates, rankings and queues are current, and two runs on the same day give the
same cases. Past cases are written by `appeals.services.appeal_bulk_create`, which
records each case with the time of each of its steps (the service that brings a
deployment's hotline history over), replaying the live services' rules at those times;
nothing rewrites stored times afterwards and nothing touches the clock. Then
`check_deadlines` runs as of the cut-off and marks the open cases whose clocks ran out,
exactly as the cron job would have that night. Last, a handful of today's cases go
through the live services (intake, dispatch, signing for, return, whistle, mediation,
reply, rating, reopening) by the demo accounts, so each step of the handler's and the
street's pages has a fresh example.
"""

import datetime
import random
from dataclasses import dataclass

from django.utils import timezone

from jiceng.accounts.models import User
from jiceng.accounts.services import RoleGrantRow, UserRow, role_bulk_grant, user_bulk_create
from jiceng.appeals import services as appeal_services
from jiceng.appeals.deadlines import check_deadlines
from jiceng.appeals.models import Appeal, Category, HandlingUnit
from jiceng.core.models import Area
from jiceng.demo import names
from jiceng.demo.cases import (
    COMMUNITY,
    DEPARTMENTS,
    STREET,
    CasePlan,
    cutoff_for,
    plan_cases,
)
from jiceng.demo.people import MemberPlan, plan_members, street_slot
from jiceng.demo.plan import OWN, StreetPlan
from jiceng.demo.territory import DEMO_DISTRICT_CODE, DEMO_STREET_CODE, Division
from jiceng.members import services as member_services
from jiceng.members.models import Member
from jiceng.orgs.models import PartyOrg, Unit

NOTE = "演示数据"


@dataclass(frozen=True)
class DemoVolume:
    """How much life the demo puts in: members per residential community (a village has
    fewer), and cases a year in the demo street, in each other street of the demo
    district, and per community elsewhere in the city."""

    members_per_community: int = 100
    demo_street_cases: int = 1500
    district_street_cases: int = 300
    community_cases: int = 5


VOLUMES = {
    "street": DemoVolume(),
    "district": DemoVolume(),
    # Shanghai's order of magnitude: about two million members.
    "city": DemoVolume(members_per_community=330),
}


def volume_for(scale: str) -> DemoVolume:
    return VOLUMES[scale]


def cases_in(plan: StreetPlan, district: Division, volume: DemoVolume) -> int:
    if plan.street.code == DEMO_STREET_CODE:
        return volume.demo_street_cases
    if district.code == DEMO_DISTRICT_CODE:
        return volume.district_street_cases
    communities = sum(1 for a in plan.areas if a.level == "community")
    return communities * volume.community_cases


def has_workflows(plan: StreetPlan, district: Division, streets: list[StreetPlan]) -> bool:
    """Transfers, mobile members and dual reports in every street of the demo district
    and in the first street of every other district (one-at-a-time services, so not in
    all 234 streets of the city)."""
    return district.code == DEMO_DISTRICT_CODE or plan is streets[0]


@dataclass
class DistrictUnits:
    """The handling units of one district, by role."""

    community: dict[str, HandlingUnit]  # by community code
    street: dict[str, HandlingUnit]  # by street code
    department: dict[str, HandlingUnit]  # by department key


def street_office_name(street_name: str) -> str:
    if street_name.endswith("街道"):
        return f"{street_name}办事处"
    if street_name.endswith(("镇", "乡")):
        return f"{street_name}人民政府"
    return f"{street_name}管理委员会"


# ---- members -------------------------------------------------------------------------------


def write_members(
    *,
    seed: int,
    district: Division,
    plans: list[StreetPlan],
    orgs: dict[str, PartyOrg],
    areas: dict[str, Area],
    volume: DemoVolume,
    today: datetime.date,
) -> dict[str, list[MemberPlan]]:
    """Register each street's members in one bulk call per street; returns the plans of
    the streets that get workflows."""
    usccs = [u.uscc for plan in plans for u in plan.units]
    units = Unit.objects.in_bulk(usccs, field_name="uscc")
    kept: dict[str, list[MemberPlan]] = {}
    for plan in plans:
        people = plan_members(
            seed=seed,
            district=district,
            plan=plan,
            per_community=volume.members_per_community,
            today=today,
        )
        member_services.member_bulk_create(
            actor=None,
            rows=[
                member_services.MemberRow(
                    facts=person.facts,
                    org=orgs[person.org_key],
                    residence_community=areas[person.residence_code]
                    if person.residence_code
                    else None,
                    work_unit=units[person.unit_uscc] if person.unit_uscc else None,
                )
                for person in people
            ],
            note=NOTE,
        )
        if has_workflows(plan, district, plans):
            kept[plan.street.code] = people
    return kept


def _members(people: list[MemberPlan]) -> list[Member]:
    """The registered members of planned people, in the plan's order."""
    indexes = [member_services.id_number_index(p.facts.id_number) for p in people]
    found = Member.objects.filter(id_number_index__in=indexes).select_related(
        "org", "org__area", "residence_community"
    )
    by_index = {m.id_number_index: m for m in found}
    return [by_index[i] for i in indexes]


def write_workflows(
    *,
    seed: int,
    plan: StreetPlan,
    people: list[MemberPlan],
    orgs: dict[str, PartyOrg],
    areas: dict[str, Area],
    today: datetime.date,
) -> None:
    """A few of each workflow in the street, through the one-at-a-time services:
    transfers (accepted, returned, pending, withdrawn), members going away with their
    activity certificates and arriving elsewhere (verified, mismatched, unknown), and
    dual reports of unit orgs and in-service members with their service hours."""
    rng = random.Random(f"jiceng-demo-workflows:{seed}:{plan.street.code}")
    communities = [a.code for a in plan.areas if a.level == "community"]
    if len(communities) < 2:
        return
    residents = [
        p
        for p in people
        if p.org_key.startswith("c:") and p.facts.category in ("retired", "unemployed")
    ]
    workers = [
        p
        for p in people
        if p.org_key.startswith("c:") and p.facts.category == "in_service" and not p.unit_uscc
    ]
    in_units = [p for p in people if p.unit_uscc and p.residence_code and p.org_key.startswith("u:")]
    _transfers(rng, _members(rng.sample(residents, min(5, len(residents)))), orgs, communities)
    _mobile(rng, plan, _members(rng.sample(workers, min(4, len(workers)))), areas, today)
    reporting = _members(rng.sample(in_units, min(8, len(in_units))))
    unit_orgs = [(orgs[u.org_key], u.community_code) for u in plan.units if u.category == OWN]
    _dual_reports(rng, reporting, rng.sample(unit_orgs, min(3, len(unit_orgs))), areas, today)


def _transfers(rng, members: list[Member], orgs: dict[str, PartyOrg], communities) -> None:
    for n, member in enumerate(members):
        others = [c for c in communities if f"c:{c}" in orgs and orgs[f"c:{c}"] != member.org]
        target = orgs[f"c:{rng.choice(others)}"]
        transfer = member_services.transfer_start(
            actor=None, member=member, to_org=target, reason=f"迁居至{target.area.name}辖区"
        )
        if n in (0, 1):
            member_services.transfer_accept(actor=None, transfer=transfer)
        elif n == 2:
            member_services.transfer_return(
                actor=None, transfer=transfer, reason="介绍信信息与本人档案不符，请核对后重新发起"
            )
        elif n == 3:
            member_services.transfer_cancel(actor=None, transfer=transfer)
        # The last one stays pending: both sides see it in their lists.


def _mobile(rng, plan: StreetPlan, members: list[Member], areas, today) -> None:
    """Outflows with activity certificates; inflows at the destination community that
    match (verified), carry the wrong certificate (rejected), or name someone whose home
    org registered nothing (pending); one member back home."""
    communities = [a.code for a in plan.areas if a.level == "community"]
    slot = street_slot(plan.street.code)
    for n, member in enumerate(members):
        certificate = f"沪{plan.street.code[:6]}{slot:02d}{rng.randrange(10**5):05d}"
        left = today - datetime.timedelta(days=rng.randint(30, 300))
        destination = areas[rng.choice([c for c in communities if c != member.org.area.code])]
        outflow = member_services.outflow_register(
            actor=None,
            member=member,
            certificate_number=certificate,
            destination=f"上海市{destination.parent.name}{destination.name}辖区",
            reason=rng.choice(("外出务工", "随子女居住", "异地工作")),
            left_on=left,
            expected_return_on=left + datetime.timedelta(days=rng.choice((180, 365, 730))),
        )
        if n == 3:
            member_services.outflow_return(
                actor=None, outflow=outflow, returned_on=left + datetime.timedelta(days=20)
            )
            continue
        number = member_services.member_reveal  # noqa: F841 -- numbers come from the plan
        member_services.inflow_register(
            actor=None,
            community=destination,
            name=member.name,
            id_number=_planned_number(member),
            certificate_number=certificate if n != 2 else certificate[:-1] + "0",
            home_org_name=member.org.name,
            registered_on=left + datetime.timedelta(days=rng.randint(2, 20)),
        )
    # Someone from another province registers on arrival; no home org here has an
    # outflow for them, so the record waits in the unverified ledger.
    birth = datetime.date(rng.randint(1975, 1998), rng.randint(1, 12), rng.randint(1, 28))
    from jiceng.core.validators import id_check_character

    body = f"320583{birth:%Y%m%d}{rng.randrange(100):02d}{rng.choice('13579')}"
    member_services.inflow_register(
        actor=None,
        community=areas[communities[0]],
        name=names.person_name(rng, "male"),
        id_number=body + id_check_character(body),
        certificate_number=f"苏{rng.randrange(10**8):08d}",
        home_org_name="中共昆山市玉山镇某社区支部委员会",
        registered_on=today - datetime.timedelta(days=rng.randint(3, 40)),
    )
