"""The coverage counters behind home, coverage page and charts (orgs.rollup): kept by the
org and unit services in their transaction, so that after any sequence of units
registered, edited, moved, covered and released, orgs created, moved and closed, and
areas moved to another parent, the rows and their subtree sums (core.tree_rollups) equal
a rebuild; read to the same figures as counting the units."""

import dataclasses
import datetime
import random

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jiceng.core.errors import ApplicationError
from jiceng.core.models import Area
from jiceng.core.services import area_move
from jiceng.core.validators import uscc_check_character
from jiceng.orgs import rollup, selectors, services
from jiceng.orgs.models import CoverageStat, CoverageTreeStat, PartyOrg, Unit

PLACES = ["xh_g1", "xh_g2", "xh_c1", "xh_c2", "xh_c3", "hp_g1", "xh_s1"]
COVERING = ["xh_joint", "xh_unit_org", "xh_unit_group", "xh_c1_b1", None]
_serial = iter(range(10**6))
NOW = timezone.now()


def uscc() -> str:
    body = f"91310104MA1F{next(_serial):05d}"
    return body + uscc_check_character(body)


def rows() -> list[tuple]:
    """The rollup's rows and its tree's, those with any counter."""
    return [
        sorted(
            (r.area_id, *(getattr(r, name) for name in rollup.COUNTERS))
            for r in model.objects.all()
            if any(getattr(r, name) for name in rollup.COUNTERS)
        )
        for model in (CoverageStat, CoverageTreeStat)
    ]


# Areas moved to another parent of the same level: communities between streets (across
# districts too), a grid between communities.
AREA_MOVES = [
    ("xh_c2", "xh_s2"),
    ("xh_c3", "xh_s1"),
    ("xh_c1", "hp_s1"),
    ("xh_g1", "xh_c2"),
    ("hp_g1", "xh_c3"),
]


OPERATION = st.one_of(
    st.tuples(st.just("unit"), st.sampled_from(PLACES), st.integers(0, 6)),
    st.tuples(st.just("units"), st.lists(st.sampled_from(PLACES), min_size=1, max_size=3)),
    st.tuples(st.just("cover"), st.integers(0, 30), st.sampled_from(COVERING), st.booleans()),
    st.tuples(st.just("edit"), st.integers(0, 30), st.integers(0, 6), st.sampled_from(PLACES)),
    st.tuples(st.just("move"), st.integers(0, 30), st.sampled_from(PLACES)),
    st.tuples(st.just("org"), st.sampled_from(PLACES), st.booleans()),
    st.tuples(st.just("orgs"), st.sampled_from(PLACES), st.integers(1, 3)),
    st.tuples(st.just("close"), st.integers(0, 30)),
    st.tuples(st.just("relocate"), st.integers(0, 30), st.sampled_from(PLACES)),
    st.tuples(st.just("area"), st.sampled_from(AREA_MOVES)),
)


def _pick(items: list, index: int):
    return items[index % len(items)] if items else None


def _apply(territory, operation) -> None:
    admin = territory.users["superuser"]
    areas, orgs = territory.areas, territory.orgs
    kind = operation[0]
    units = list(Unit.objects.filter(closed_on__isnull=True).order_by("pk"))
    open_orgs = list(PartyOrg.objects.filter(closed_on__isnull=True).order_by("pk"))
    if kind == "unit":
        _kind, place, members = operation
        services.unit_create(
            actor=admin,
            name="上海测试有限公司",
            uscc=uscc(),
            kind=Unit.Kind.PRIVATE_ENTERPRISE,
            area=areas[place],
            employees=10,
            formal_members=members,
        )
    elif kind == "units":
        services.unit_bulk_create(
            actor=admin,
            rows=[
                services.UnitRow(
                    name="上海批量有限公司",
                    uscc=uscc(),
                    kind=Unit.Kind.PRIVATE_ENTERPRISE,
                    area=areas[place],
                    employees=9,
                    formal_members=3,
                    registered_at=timezone.now() - datetime.timedelta(days=400),
                )
                for place in operation[1]
            ],
        )
    elif kind == "cover" and units:
        _kind, index, org, own = operation
        org_object = orgs[org] if org else None
        services.unit_set_coverage(
            actor=admin,
            unit=_pick(units, index),
            own_org=org_object if own else None,
            covering_org=None if own else org_object,
        )
    elif kind == "edit" and units:
        _kind, index, members, place = operation
        services.unit_update(
            actor=admin, unit=_pick(units, index), formal_members=members, area=areas[place]
        )
    elif kind == "move" and units:
        _kind, index, place = operation
        services.unit_move(actor=admin, unit=_pick(units, index), area=areas[place])
    elif kind == "org":
        _kind, place, joint = operation
        services.org_create(
            actor=admin,
            name="测试党支部",
            kind=PartyOrg.Kind.JOINT_BRANCH if joint else PartyOrg.Kind.BRANCH,
            form=PartyOrg.Form.JOINT if joint else PartyOrg.Form.SINGLE,
            domain=PartyOrg.Domain.PRIVATE_ENTERPRISE,
            area=areas[place],
            parent=orgs["xh_s1_wc"],
        )
    elif kind == "orgs":
        _kind, place, count = operation
        services.org_bulk_create(
            actor=admin,
            rows=[
                services.OrgRow(
                    key=f"k{n}",
                    parent_key=None,
                    name="批量党支部",
                    kind=PartyOrg.Kind.BRANCH,
                    domain=PartyOrg.Domain.COMMUNITY,
                    area=areas[place],
                )
                for n in range(count)
            ],
        )
    elif kind == "close" and open_orgs:
        services.org_close(actor=admin, org=_pick(open_orgs, operation[1]), reason="单位注销")
    elif kind == "relocate" and open_orgs:
        _kind, index, place = operation
        services.org_update(actor=admin, org=_pick(open_orgs, index), area=areas[place])
    elif kind == "area":
        # Fresh rows: a move re-reads the area it is given, and the fixture's objects
        # must keep the paths the rollback restores.
        area, parent = (Area.objects.get(pk=areas[key].pk) for key in operation[1])
        area_move(actor=admin, area=area, new_parent=parent)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(OPERATION, min_size=1, max_size=12))
def test_any_sequence_of_service_calls_leaves_the_rollup_equal_to_a_rebuild(territory, operations):
    with transaction.atomic():
        rollup.rebuild()
        for operation in operations:
            try:
                with transaction.atomic():
                    _apply(territory, operation)
            except ApplicationError:
                pass  # a refusal writes nothing, counters included
        kept = rows()
        # The figures as the pages read them from the rows kept along the way, at the
        # city and at a district (whose children are read from the tree's rows).
        nodes = [
            (territory.users[u], Area.objects.get(pk=territory.areas[a].pk))
            for u, a in (("city_admin", "city"), ("xh_admin", "xh"))
        ]
        read = [_figures(viewer, area) for viewer, area in nodes]
        rollup.rebuild()
        assert kept == rows()
        rollup.CoverageStatState.objects.all().delete()
        assert read == [_figures(viewer, area) for viewer, area in nodes]  # counted
        transaction.set_rollback(True)


def _figures(viewer, area):
    children = [
        {key: value for key, value in row.items() if key != "area"}
        for row in selectors.coverage_by_child(viewer=viewer, area=area)
    ]
    counts = [
        selectors.org_count(viewer=viewer, area=area),
        selectors.org_count_by_child(viewer=viewer, area=area, length=12),
    ]
    for coverage in (None, "own", "joint", "uncovered", "must_form", "new_uncovered"):
        counts.append(selectors.unit_count(viewer=viewer, area=area, coverage=coverage))
        counts.append(
            selectors.unit_count_by_child(viewer=viewer, area=area, length=12, coverage=coverage)
        )
    summary = dataclasses.asdict(selectors.coverage_summary(viewer=viewer, area=area))
    # The workbench's to-do reads the rollup for the areas the viewer manages.
    from jiceng.core.scope import scope_for
    from jiceng.orgs.workbench import coverage_todo

    counts.append(coverage_todo(viewer=viewer, scope=scope_for(viewer), now=NOW))
    return summary, children, counts


@pytest.mark.parametrize(
    "viewer_key, area_key",
    [("city_admin", "city"), ("xh_admin", "xh"), ("xh_s1_staff", "xh_s1"), ("xh_admin", "xh_c1")],
)
def test_the_rollup_gives_the_figures_counting_gives(territory, viewer_key, area_key):
    viewer, area = territory.users[viewer_key], territory.areas[area_key]
    counted = _figures(viewer, area)
    call_command("coverage-rollup", "--rebuild")
    assert rollup.built()
    assert _figures(viewer, area) == counted
    assert counted[0]["total"] > 0


def test_the_coverage_page_reads_the_rollup_in_a_fixed_number_of_queries(
    territory, client, django_assert_max_num_queries
):
    rollup.rebuild()
    client.force_login(territory.users["city_admin"])
    url = f"/orgs/coverage/?area={territory.areas['city'].pk}"
    before = client.get(url).context["summary"]
    # Many more units: the page's queries stay the same.
    rng = random.Random(7)
    services.unit_bulk_create(
        actor=None,
        rows=[
            services.UnitRow(
                name="上海新增有限公司",
                uscc=uscc(),
                kind=Unit.Kind.PRIVATE_ENTERPRISE,
                area=territory.areas[rng.choice(PLACES)],
                employees=5,
            )
            for _n in range(40)
        ],
    )
    with django_assert_max_num_queries(16):
        after = client.get(url).context["summary"]
    assert after.total == before.total + 40
