"""The yearly compliance rows counted over each subtree (orglife.rollup's tree, read by
selectors.compliance_counts at a city or district seen whole): after any sequence of
meetings recorded and moved, orgs founded, closed, relocated and moved, areas moved and
a frequency changed, the tree equals one recomputed from the rows, and the counts read
from it equal those counted from the orgs and their rows, on any day."""

import datetime

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jiceng.core.errors import ApplicationError
from jiceng.core.models import Area
from jiceng.core.services import area_move
from jiceng.orglife import rollup, selectors, services
from jiceng.orglife.models import ComplianceState, ComplianceTreeStat, Meeting, MeetingRequirement
from jiceng.orgs import services as org_services
from jiceng.orgs.models import PartyOrg

from .conftest import YEAR, build_life, day

ORGS = ["xh_c1_b1", "xh_c1_gb", "hp_c1_b", "xh_joint", "xh_unit_org"]
PARENTS = ["xh_c1_gb", "hp_s1_wc", "xh_s1_wc"]
PLACES = ["xh_c1", "xh_c2", "hp_c1", "xh_s1"]
AREA_MOVES = [("xh_c1", "xh_s2"), ("xh_c2", "hp_s1"), ("hp_c1", "xh_s1")]
KINDS = ["committee_meeting", "member_meeting", "lecture", "themed_day"]
DAYS = [datetime.date(YEAR, 4, 1), datetime.date(YEAR, 10, 1), datetime.date(YEAR + 1, 1, 1)]


def tree() -> list[tuple]:
    return sorted(
        ComplianceTreeStat.objects.exclude(orgs=0).values_list(
            "area_id", "year", "requirements_key", "org_kind", "first_gap", "orgs"
        )
    )


OPERATION = st.one_of(
    st.tuples(st.just("meet"), st.sampled_from(ORGS), st.sampled_from(KINDS), st.integers(1, 12)),
    st.tuples(st.just("move_meeting"), st.integers(0, 40), st.integers(1, 12), st.booleans()),
    st.tuples(
        st.just("found"), st.sampled_from(PARENTS), st.sampled_from(PLACES), st.integers(0, 14)
    ),
    st.tuples(st.just("close"), st.integers(0, 40), st.booleans()),
    st.tuples(st.just("relocate"), st.sampled_from(ORGS), st.sampled_from(PLACES)),
    st.tuples(st.just("area"), st.sampled_from(AREA_MOVES)),
    st.tuples(st.just("tighten"), st.sampled_from(["month", "quarter"])),
)


def _fresh_areas(territory) -> dict[str, Area]:
    # Fresh rows: the fixture's objects must keep what the rollback restores.
    return {key: Area.objects.get(pk=area.pk) for key, area in territory.areas.items()}


def _apply(territory, operation) -> None:
    admin = territory.users["superuser"]
    kind = operation[0]
    if kind == "meet":
        _kind, org, meeting_kind, month = operation
        services.meeting_record(
            actor=admin,
            org=PartyOrg.objects.get(pk=territory.orgs[org].pk),
            facts=services.MeetingFacts(kind=meeting_kind, held_on=day(month, 8), topic="学习"),
            attendance=[],
        )
    elif kind == "move_meeting":
        meetings = list(Meeting.objects.order_by("pk"))
        if meetings:
            _kind, index, month, next_year = operation
            meeting = meetings[index % len(meetings)]
            held_on = day(month, 9).replace(year=YEAR + 1) if next_year else day(month, 9)
            services.meeting_update(
                actor=admin,
                meeting=meeting,
                facts=services.MeetingFacts(kind=meeting.kind, held_on=held_on, topic="改期"),
            )
    elif kind == "found":
        _kind, parent, place, month = operation
        # 0: founded the year before; 13, 14: no founding date known.
        founded = {0: datetime.date(YEAR - 1, 6, 1), 13: None, 14: None}
        org_services.org_create(
            actor=admin,
            name=f"新建党支部{month}",
            kind=PartyOrg.Kind.BRANCH,
            domain=PartyOrg.Domain.COMMUNITY,
            area=_fresh_areas(territory)[place],
            parent=PartyOrg.objects.get(pk=territory.orgs[parent].pk),
            established_on=founded[month] if month in founded else day(month, 1),
        )
    elif kind == "close":
        # An org without open children (others are refused), closed before the year (it
        # no longer counts in it) or during it (it does, due until then).
        open_orgs = list(PartyOrg.objects.filter(closed_on__isnull=True).order_by("pk"))
        parents = {org.parent_id for org in open_orgs}
        leaves = [org for org in open_orgs if org.pk not in parents]
        _kind, index, before = operation
        org_services.org_close(
            actor=admin,
            org=leaves[index % len(leaves)],
            reason="撤销",
            closed_on=datetime.date(YEAR - 1, 11, 30) if before else day(8, 31),
        )
    elif kind == "relocate":
        org = PartyOrg.objects.get(pk=territory.orgs[operation[1]].pk)
        org_services.org_update(actor=admin, org=org, area=_fresh_areas(territory)[operation[2]])
    elif kind == "area":
        areas = _fresh_areas(territory)
        area, parent = (areas[key] for key in operation[1])
        area_move(actor=admin, area=area, new_parent=parent)
    elif kind == "tighten":
        services.requirement_update(
            actor=admin,
            requirement=MeetingRequirement.objects.get(kind="lecture"),
            period=operation[1],
            times=1,
        )


def _counted(viewer, area, today):
    """The counts as computed from the orgs and their rows (no year marked complete)."""
    marks = list(ComplianceState.objects.values("year", "requirements_key", "built_at"))
    ComplianceState.objects.all().delete()
    try:
        return selectors.compliance_counts(viewer=viewer, area=area, year=YEAR, today=today)
    finally:
        ComplianceState.objects.bulk_create([ComplianceState(**m) for m in marks])


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(OPERATION, min_size=1, max_size=10))
def test_any_sequence_of_service_calls_leaves_the_tree_equal_to_a_rebuild(
    territory, requirements, operations
):
    with transaction.atomic():
        build_life(territory).meeting(kind="lecture", held_on=day(2))
        rollup.rebuild()
        assert rollup.complete(YEAR, rollup.requirements_key(selectors.requirements()))
        for operation in operations:
            try:
                with transaction.atomic():
                    _apply(territory, operation)
            except ApplicationError:
                pass  # a refusal writes nothing, the tree included
        kept = tree()
        for username, key in (("city_admin", "city"), ("xh_admin", "xh")):
            viewer, area = territory.users[username], Area.objects.get(pk=territory.areas[key].pk)
            for today in DAYS:
                read = selectors.compliance_counts(viewer=viewer, area=area, year=YEAR, today=today)
                assert read == _counted(viewer, area, today), (key, today)
        rollup.rebuild_tree()
        assert kept == tree()
        transaction.set_rollback(True)


def test_the_tree_is_read_only_where_the_viewer_sees_the_area_whole(territory, requirements):
    """A year rebuilt whole is read from the tree by its district's admin (one grouped
    query for the children, one for the orgs at the district itself), while a street's
    staff, who do not see the district whole, count their orgs as before."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    life = build_life(territory)
    life.meeting(kind="lecture", held_on=day(2))
    rollup.rebuild(year=YEAR)
    district, admin = territory.areas["xh"], territory.users["xh_admin"]
    with CaptureQueriesContext(connection) as captured:
        counts = selectors.compliance_counts(viewer=admin, area=district, year=YEAR)
    sql = " ".join(q["sql"] for q in captured)
    assert "orglife_compliancetreestat" in sql and "orgs_partyorg" not in sql.split("FROM")[-1]
    assert counts == _counted(admin, district, None)
    street = territory.users["xh_s1_staff"]
    with CaptureQueriesContext(connection) as captured:
        selectors.compliance_counts(viewer=street, area=district, year=YEAR)
    assert "orglife_compliancetreestat" not in " ".join(q["sql"] for q in captured)


@pytest.mark.parametrize("year", [YEAR, YEAR + 1])
def test_a_year_not_rebuilt_whole_is_counted_from_the_orgs(territory, requirements, year):
    build_life(territory)
    rollup.rebuild(year=YEAR, orgs=[territory.orgs["xh_c1_b1"].pk])
    assert not rollup.complete(year, rollup.requirements_key(selectors.requirements()))
    admin, city = territory.users["city_admin"], territory.areas["city"]
    counts = selectors.compliance_counts(viewer=admin, area=city, year=year)
    assert (
        counts.orgs
        == PartyOrg.objects.filter(rollup.orgs_in_year(year, selectors.requirements())).count()
    )
