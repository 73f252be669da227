"""The open and overdue counters per area (appeals.open_rollup) and the cases received per
category and month (appeals.rollup, beside the monthly counters): kept by the services in
their transaction, so that after any sequence of intakes (live, fast and recorded),
routing, placement, steps of the lifecycle and deadline checks the rows equal a rebuild;
and the figures read from them (home indicators, workbench, charts) are those counted
from the cases."""

import datetime

from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jiceng.appeals import figures, intake, open_rollup, rollup, services
from jiceng.appeals.intake import intake_process
from jiceng.appeals.models import (
    Appeal,
    AppealCategoryMonthStat,
    AppealMonthStat,
    AppealOpenStat,
    AppealOpenTreeStat,
)
from jiceng.appeals.overdue import check_deadlines
from jiceng.appeals.places import community_of, street_of
from jiceng.appeals.workbench import overdue_by_child
from jiceng.core.errors import ApplicationError
from jiceng.core.models import Area
from jiceng.core.services import area_move
from jiceng.dashboard.registry import child_code_length
from jiceng.dashboard.selectors import group_by_child

PLACES = ["xh_g1", "xh_c1", "xh_c2", "xh_c3", "hp_c1"]
CODES = ["sanitation", "noise-construction", "illegal-building"]
STEPS = ["accept", "start", "reply", "satisfied", "unsatisfied", "return", "reopen", "close"]
# Nodes whose figures are compared, with the account that sees each whole.
NODES = [
    ("city", "city_admin"),
    ("xh", "xh_admin"),
    ("xh_s1", "xh_s1_staff"),
    ("xh_c1", "xh_c1_secretary"),
]

AREA_MOVES = [
    ("xh_g1", "xh_c1"),
    ("xh_g1", "xh_c2"),
    ("xh_g1", "hp_c1"),
    ("xh_c1", "xh_s2"),
    ("xh_c2", "hp_s1"),
]

OPERATION = st.one_of(
    st.tuples(st.just("intake"), st.sampled_from(PLACES), st.sampled_from(CODES)),
    st.tuples(st.just("receive"), st.sampled_from(PLACES), st.sampled_from(CODES)),
    st.tuples(st.just("process")),
    st.tuples(st.just("queue"), st.sampled_from(CODES)),
    st.tuples(st.just("place"), st.integers(0, 20), st.sampled_from(["xh_g1", "xh_c2"])),
    st.tuples(st.just("step"), st.integers(0, 40), st.sampled_from(STEPS)),
    st.tuples(st.just("deadlines"), st.integers(2, 40)),
    st.tuples(st.just("record"), st.sampled_from(PLACES), st.integers(1, 300), st.booleans()),
    # An area moved to another parent: a grid within its street or to another street's
    # community, a community to another street (its cases take the new street along).
    st.tuples(
        st.just("area"),
        st.sampled_from(AREA_MOVES),
    ),
)


def _intake(world, place: str, code: str, **extra) -> services.Intake:
    number = Appeal.objects.count()
    return services.Intake(
        channel=extra.pop("channel", "resident"),
        category=world.category(code),
        # Read again: an area move since the fixture was built changed its path.
        area=Area.objects.get(pk=world.t.areas[place].pk),
        # Texts that share no two characters, so none is held as a duplicate.
        description="".join(chr(0x4E00 + (number * 997 + k * 31) % 20000) for k in range(12)),
        **extra,
    )


def _step(world, appeal: Appeal, step: str) -> None:
    admin = world.t.users["superuser"]
    if step == "accept":
        services.appeal_accept(actor=admin, appeal=appeal)
    elif step == "start":
        services.appeal_start(actor=admin, appeal=appeal)
    elif step == "reply":
        services.appeal_reply(actor=admin, appeal=appeal, reply="已处理完毕")
    elif step in ("satisfied", "unsatisfied"):
        services.appeal_rate(appeal=appeal, resolved=step == "satisfied", satisfaction=step)
    elif step == "return":
        services.appeal_return(actor=admin, appeal=appeal, reason="不属于本单位")
    elif step == "reopen":
        services.appeal_reopen(actor=admin, appeal=appeal, reason="问题仍未解决")
    else:
        services.appeal_close_unrated(appeal=appeal)


def _apply(world, operation) -> None:
    kind = operation[0]
    t = world.t
    if kind == "area":
        # Fresh rows: the fixture's objects must keep the paths the rollback restores.
        area, parent = (Area.objects.get(pk=t.areas[key].pk) for key in operation[1])
        area_move(actor=t.users["superuser"], area=area, new_parent=parent)
    elif kind == "intake":
        services.appeal_intake(actor=None, intake=_intake(world, *operation[1:]))
    elif kind == "receive":  # the fast intake: counted once `process-intake` takes it
        intake.appeal_receive(
            intake=_intake(world, *operation[1:], channel="open311", client="open311:test")
        )
    elif kind == "process":
        intake_process()
    elif kind == "queue":  # no place below the district: the placement queue
        queued = _intake(world, "xh_g1", operation[1], placement_reason="仅能确定所在区")
        queued.area = t.areas["xh"]
        services.appeal_intake(actor=None, intake=queued)
    elif kind == "place":
        pending = list(Appeal.objects.filter(placement_pending=True).order_by("pk"))
        if pending:
            appeal = pending[operation[1] % len(pending)]
            services.appeal_place(
                actor=t.users["superuser"],
                appeal_id=appeal.pk,
                area=Area.objects.get(pk=t.areas[operation[2]].pk),
            )
    elif kind == "step":
        cases = list(Appeal.objects.filter(routing_pending=False).order_by("pk"))
        if cases:
            _step(world, cases[operation[1] % len(cases)], operation[2])
    elif kind == "deadlines":
        check_deadlines(now=timezone.now() + datetime.timedelta(days=operation[1]))
    else:
        _kind, place, days_ago, handled = operation
        received = timezone.now() - datetime.timedelta(days=days_ago)
        key = f"r{Appeal.objects.count()}"
        record = _intake(world, place, "sanitation", client="hotline", idempotency_key=key)
        dispatched = received + datetime.timedelta(hours=1)
        steps = [services.CaseStep("dispatch", dispatched, unit=world.street_unit)]
        if handled:
            steps += [
                services.CaseStep("accept", dispatched + datetime.timedelta(hours=1)),
                services.CaseStep("reply", dispatched + datetime.timedelta(hours=2), note="已处理"),
            ]
        services.appeal_bulk_create(
            actor=None, cases=[services.CaseRecord(record, received, steps)]
        )


def _open_rows() -> list[list[tuple]]:
    """The open counters' rows and their subtree sums' (core.tree_rollups)."""
    return [
        sorted(model.objects.exclude(open=0).values_list("area_id", "open", "overdue"))
        for model in (AppealOpenStat, AppealOpenTreeStat)
    ]


def _category_rows() -> list[tuple]:
    """The category rows, and the monthly rows beside them, with a count."""
    return sorted(
        AppealCategoryMonthStat.objects.exclude(received=0).values_list(
            "street_id", "month", "category_id", "received"
        )
    ) + sorted(
        AppealMonthStat.objects.exclude(received=0).values_list(
            "community_id", "street_id", "month", *rollup.COUNTERS
        )
    )


def _counted_open(viewer, area) -> dict[str, dict[str, int]]:
    """Open and overdue per child counted from the cases, as the indicators did."""
    cases = services_open(viewer, area)
    length = child_code_length(area)
    opened = group_by_child(cases, "area__path", area, length)
    late = group_by_child(cases.filter(open_rollup.OVERDUE), "area__path", area, length)
    return {code: {"open": n, "overdue": late.get(code, 0)} for code, n in opened.items()}


def services_open(viewer, area):
    from jiceng.appeals.selectors import appeal_list

    return appeal_list(viewer=viewer, area=area, state="open")


def _counted_categories(viewer, area, since) -> list[dict]:
    """The cases received under a node since a day by category, as the chart counted
    them before the rows (figures._cases_under, grouped)."""
    from django.db.models import Count

    start = datetime.datetime.combine(since, datetime.time(), tzinfo=figures.LOCAL)
    end = datetime.datetime.now(figures.LOCAL) + datetime.timedelta(days=1)
    rows = (
        figures._cases_under(viewer, area, start, end)
        .values("category__code", "category__name")
        .annotate(n=Count("id"))
        .order_by("-n", "category__code")
    )
    return [
        {"code": r["category__code"], "name": r["category__name"], "count": r["n"]} for r in rows
    ]


def _assert_figures_are_the_counted_ones(world) -> None:
    t = world.t
    since = figures.last_months(12)[0]
    for node, username in NODES:
        viewer, area = t.users[username], t.areas[node]
        length = child_code_length(area)
        read = figures.appeal_open_by_child(viewer=viewer, area=area, length=length)
        assert read == _counted_open(viewer, area), node
        categories = figures.appeal_category_counts(viewer=viewer, area=area, since=since)
        assert categories == _counted_categories(viewer, area, since), node
    # The overseers' overdue by child on the workbench.
    viewer = t.users["xh_admin"]
    read = {
        child.code: n for child, n in overdue_by_child(viewer=viewer, paths=[t.areas["xh"].path])
    }
    counted = group_by_child(
        services_open(viewer, t.areas["xh"]).filter(open_rollup.OVERDUE),
        "area__path",
        t.areas["xh"],
        12,
    )
    counted.pop("", None)  # cases waiting at the district itself belong to no child
    assert read == counted


# Cases of every kind for the random operations to act on.
PROLOGUE = [
    ("intake", "xh_g1", "sanitation"),
    ("intake", "xh_c2", "illegal-building"),
    ("intake", "hp_c1", "noise-construction"),
    ("receive", "xh_c3", "sanitation"),
    ("queue", "sanitation"),
    ("record", "xh_c1", 40, False),
    ("record", "xh_g1", 200, True),
]


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(OPERATION, min_size=2, max_size=12))
def test_any_sequence_of_service_calls_leaves_the_counters_equal_to_a_rebuild(world, operations):
    with transaction.atomic():
        for operation in [*PROLOGUE, *operations]:
            try:
                with transaction.atomic():
                    _apply(world, operation)
            except ApplicationError:
                pass  # a refusal writes nothing, counters included
        _assert_figures_are_the_counted_ones(world)
        # Each placed case counts in the street and community its place now lies in.
        for case in Appeal.objects.filter(community__isnull=False).select_related("area"):
            assert (case.street_id, case.community_id) == (
                street_of(case.area).pk,
                community_of(case.area).pk,
            ), case.tracking_code
        kept_open, kept_categories = _open_rows(), _category_rows()
        open_rollup.rebuild()
        rollup.rebuild()
        assert (_open_rows(), _category_rows()) == (kept_open, kept_categories)
        transaction.set_rollback(True)


def test_the_figures_count_cases_waiting_for_routing_and_for_a_place(world):
    """A fast intake not yet routed and a case waiting for its place are in no row, and
    in every figure."""
    t = world.t
    _apply(world, ("receive", "xh_c2", "sanitation"))
    _apply(world, ("queue", "sanitation"))
    _apply(world, ("intake", "xh_g1", "sanitation"))
    assert sum(AppealOpenStat.objects.values_list("open", flat=True)) == 2  # the district's one
    viewer = t.users["xh_admin"]
    open_by_child = figures.appeal_open_by_child(viewer=viewer, area=t.areas["xh"], length=12)
    assert sum(row["open"] for row in open_by_child.values()) == 3
    assert open_by_child[""] == {"open": 1, "overdue": 0}  # waiting at the district itself
    since = figures.last_months(12)[0]
    categories = figures.appeal_category_counts(viewer=viewer, area=t.areas["xh"], since=since)
    # Above a street the chart goes by the case's street, which the case waiting for a
    # place has not (it was filed without a street hint): two, as counted before.
    assert categories == [{"code": "sanitation", "name": categories[0]["name"], "count": 2}]
    _assert_figures_are_the_counted_ones(world)


def test_a_viewer_who_sees_part_of_a_node_gets_it_counted_from_the_cases(world):
    """A department's staff see only their units' own work: not a node whole, so their
    figures are counted from the cases they see, never read from the rows."""
    t = world.t
    _apply(world, ("intake", "xh_c3", "illegal-building"))
    _apply(world, ("intake", "xh_c2", "sanitation"))
    viewer = t.users["xh_chengguan"]
    area = t.areas["xh"]
    read = figures.appeal_open_by_child(viewer=viewer, area=area, length=12)
    assert read == _counted_open(viewer, area)
    assert sum(row["open"] for row in read.values()) == 1
