"""The matching solver on its own (no database): optimality against brute force on small
random cases, in each wiring of windows, and the rules every assignment must keep."""

import datetime
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jiceng.cobuild.matching import (
    NeedSlot,
    Place,
    ResourceSlot,
    compatible,
    distance,
    solve,
)

BASE = datetime.date(2026, 12, 1)
# Two districts, two streets each, two communities per street; a resource may also sit
# at street level (no community).
PLACES = [
    Place(district, street, community)
    for district in ("D1", "D2")
    for street in (f"{district}S1", f"{district}S2")
    for community in (f"{street}C1", f"{street}C2", None)
]
NEED_PLACES = [p for p in PLACES if p.community]


def brute_force(needs: list[NeedSlot], resources: list[ResourceSlot]) -> tuple[int, int]:
    """(most needs matched, least total distance among those), by trying every
    assignment of each need to nothing or to a compatible resource with room left."""
    left = {r.id: r.capacity for r in resources}
    options = [[None, *(r for r in resources if compatible(n, r))] for n in needs]
    best = (0, 0)

    def walk(i: int, matched: int, cost: int) -> None:
        nonlocal best
        if i == len(needs):
            if matched > best[0] or (matched == best[0] and cost < best[1]):
                best = (matched, cost)
            return
        for resource in options[i]:
            if resource is None:
                walk(i + 1, matched, cost)
            elif left[resource.id]:
                left[resource.id] -= 1
                walk(i + 1, matched + 1, cost + distance(needs[i].place, resource.place))
                left[resource.id] += 1

    walk(0, 0, 0)
    return best


def window(rng: random.Random) -> tuple[datetime.date, datetime.date]:
    start = BASE + datetime.timedelta(days=rng.randrange(20))
    return start, start + datetime.timedelta(days=rng.randrange(10))


def random_case(seed: int) -> tuple[list[NeedSlot], list[ResourceSlot]]:
    rng = random.Random(seed)
    categories = ["elderly_care", "culture", "legal"][: rng.randrange(1, 4)]
    needs = [
        NeedSlot(i, rng.choice(categories), rng.choice(NEED_PLACES), *window(rng))
        for i in range(rng.randrange(0, 7))
    ]
    resources = [
        ResourceSlot(
            100 + i, rng.choice(categories), rng.choice(PLACES), *window(rng), rng.randrange(0, 4)
        )
        for i in range(rng.randrange(0, 5))
    ]
    return needs, resources


def assert_valid(needs, resources, solution) -> None:
    """Every pair compatible, each need once, no resource over its capacity, reported
    distances and overlaps true."""
    by_id = {n.id: n for n in needs}
    resource_by_id = {r.id: r for r in resources}
    used: dict[int, int] = {}
    seen = set()
    for a in solution.assignments:
        need, resource = by_id[a.need_id], resource_by_id[a.resource_id]
        assert a.need_id not in seen
        seen.add(a.need_id)
        assert compatible(need, resource)
        assert a.distance == distance(need.place, resource.place)
        assert a.overlap_start == max(need.start, resource.start)
        assert a.overlap_end == min(need.end, resource.end)
        assert a.overlap_start <= a.overlap_end
        used[resource.id] = used.get(resource.id, 0) + 1
        assert used[resource.id] <= resource.capacity
    assert solution.total_distance == sum(a.distance for a in solution.assignments)


@pytest.mark.parametrize("connect", ["auto", "pairs", "trees"])
def test_optimal_against_brute_force_on_small_random_cases(connect):
    for seed in range(400):
        needs, resources = random_case(seed)
        solution = solve(needs, resources, connect=connect)
        assert_valid(needs, resources, solution)
        assert (solution.matched, solution.total_distance) == brute_force(needs, resources), seed


@settings(max_examples=150, deadline=None)
@given(st.integers(min_value=0, max_value=10**9))
def test_optimal_against_brute_force_property(seed):
    needs, resources = random_case(seed)
    solution = solve(needs, resources)
    assert_valid(needs, resources, solution)
    assert (solution.matched, solution.total_distance) == brute_force(needs, resources)


def need(i, *, category="elderly_care", place=NEED_PLACES[0], start=0, end=10) -> NeedSlot:
    return NeedSlot(
        i, category, place, BASE + datetime.timedelta(start), BASE + datetime.timedelta(end)
    )


def resource(
    i, *, category="elderly_care", place=NEED_PLACES[0], start=0, end=10, capacity=1
) -> ResourceSlot:
    return ResourceSlot(
        i,
        category,
        place,
        BASE + datetime.timedelta(start),
        BASE + datetime.timedelta(end),
        capacity,
    )


def test_empty_cases_propose_nothing():
    assert solve([], []).assignments == []
    assert solve([need(1)], []).matched == 0
    assert solve([], [resource(1)]).matched == 0
    assert solve([need(1)], [resource(2, capacity=0)]).matched == 0


def test_no_compatible_pair_proposes_nothing():
    other_district = Place("D2", "D2S1", "D2S1C1")
    needs = [need(1), need(2, start=30, end=40)]
    resources = [
        resource(10, category="legal"),  # category differs
        resource(11, start=11, end=20),  # window disjoint from need 1 (ends day 10)
        resource(12, place=other_district),  # another district
    ]
    solution = solve(needs, resources)
    assert solution.matched == 0 and solution.total_distance == 0


def test_category_window_and_district_rules_never_broken():
    rng = random.Random(5)
    needs = [
        NeedSlot(i, rng.choice(["a", "b"]), rng.choice(NEED_PLACES), *window(rng))
        for i in range(300)
    ]
    resources = [
        ResourceSlot(1000 + i, rng.choice(["a", "b"]), rng.choice(PLACES), *window(rng), 2)
        for i in range(120)
    ]
    solution = solve(needs, resources)
    assert solution.matched > 0
    assert_valid(needs, resources, solution)


def test_capacity_is_respected_and_fully_used():
    needs = [need(i) for i in range(5)]
    solution = solve(needs, [resource(100, capacity=3)])
    assert solution.matched == 3
    assert {a.resource_id for a in solution.assignments} == {100}
    # Older needs (lower ids) of a group of identical needs are served first.
    assert [a.need_id for a in solution.assignments] == [0, 1, 2]


def test_more_needs_matched_beats_shorter_distance():
    here, same_street = NEED_PLACES[0], NEED_PLACES[1]
    # Need 1 (next community, days 0–3) overlaps only resource 10; need 2 (here) overlaps
    # both. Giving need 2 resource 10 would cost 0 but leave need 1 out; matching both
    # (need 1 → 10 at 1, need 2 → 11 at 0) is better.
    needs = [need(1, place=same_street, start=0, end=3), need(2, place=here)]
    resources = [
        resource(10, place=here, start=0, end=10),
        resource(11, place=here, start=5, end=10),
    ]
    solution = solve(needs, resources)
    assert solution.matched == 2
    assert {(a.need_id, a.resource_id) for a in solution.assignments} == {(1, 10), (2, 11)}
    assert solution.total_distance == 1


def test_nearest_resource_preferred():
    home = Place("D1", "D1S1", "D1S1C1")
    resources = [
        resource(10, place=Place("D1", "D1S2", "D1S2C1")),  # same district: 2
        resource(11, place=Place("D1", "D1S1", None)),  # same street, street level: 1
        resource(12, place=home),  # same community: 0
    ]
    solution = solve([need(1, place=home)], resources)
    assert solution.assignments[0].resource_id == 12
    assert solution.assignments[0].distance == 0
    solution = solve([need(1, place=home)], resources[:2])
    assert solution.assignments[0].resource_id == 11
    assert solution.total_distance == 1


def test_large_identical_groups_split_back_exactly():
    # 600 identical needs in two communities, resources with uneven capacities: groups
    # merge, the flow is split back to individuals without losing or doubling anyone.
    a, b = NEED_PLACES[0], NEED_PLACES[1]
    needs = [need(i, place=a if i % 2 else b) for i in range(600)]
    resources = [resource(1000 + i, place=a, capacity=1 + i % 7) for i in range(60)]
    solution = solve(needs, resources)
    capacity = sum(r.capacity for r in resources)
    assert solution.matched == min(600, capacity)
    # Those in community a are served at 0 first; the rest of capacity goes to b at 1.
    assert solution.total_distance == max(0, min(600, capacity) - 300)
    assert_valid(needs, resources, solution)


def test_place_from_area_path():
    path = "310000000000/310104000000/310104003000/310104003001/310104003001001/"
    assert Place.from_path(path) == Place("310104000000", "310104003000", "310104003001")
    street = Place.from_path("310000000000/310104000000/310104003000/")
    assert street == Place("310104000000", "310104003000", None)
    assert distance(Place.from_path(path), street) == 1
    district = Place.from_path("310000000000/310104000000/")
    assert distance(Place.from_path(path), district) == 2
    assert distance(Place.from_path(path), Place.from_path("310000000000/310101000000/")) is None


def test_unknown_wiring_refused():
    with pytest.raises(ValueError):
        solve([], [], connect="magic")


def test_the_solver_runs_without_pandas():
    """OR-Tools declares pandas, which pyproject.toml leaves out of the lock (its min-cost
    flow never imports it); a solve in a fresh interpreter must not reach for it."""
    import subprocess
    import sys

    script = (
        "import sys, datetime\n"
        "from jiceng.cobuild.matching import NeedSlot, Place, ResourceSlot, solve\n"
        "home = Place('D1', 'D1S1', 'D1S1C1')\n"
        "day = datetime.date(2027, 1, 1)\n"
        "solution = solve([NeedSlot(1, 'a', home, day, day)],"
        " [ResourceSlot(2, 'a', home, day, day, 1)])\n"
        "assert solution.matched == 1, solution\n"
        "assert 'pandas' not in sys.modules\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
