"""The matching solver: open needs to resources, exactly, with an existing solver.

Pure Python over plain values (no database), so the benchmark and the brute-force tests
call it directly and the service (`cobuild.services.match_run_create`) only reads rows,
calls `solve` and writes proposals.

The problem. Each need takes at most one resource; a resource serves at most its
remaining capacity of needs at once. A need and a resource are compatible when their
categories are equal, their time windows overlap (dates, both ends inclusive) and they
lie in the same district. The cost of a pair is the territory distance: 0 in the same
community, 1 in the same street, 2 elsewhere in the district. The best assignment
matches as many needs as possible and, among those, has the least total distance.

The method. That is a maximum flow of minimum cost, solved exactly (integer costs) by
OR-Tools' `SimpleMinCostFlow.solve_max_flow_with_min_cost`: among all flows of maximum
value, one of least cost. Categories never mix, so each category is solved on its own.

The graph stays small by merging and by hubs, never by approximation:
- Windows fall into classes: two need windows that overlap exactly the same resource
  windows are interchangeable (likewise for resource windows). Needs with the same
  (category, place, window class) merge into one group node whose supply is their
  count; resources likewise, with their capacities summed.
- Pairs are wired per cell: (category, community) at cost 0, (category, street) at cost
  1, (category, district) at cost 2. In a street or district cell the groups of one
  window class meet in a hub, so the cost is paid once on the way in. Inside a cell,
  flow passes from each need side to each overlapping resource side either by one arc
  per overlapping pair, or, when fewer arcs, through two segment trees over the cell's
  start dates (`_connect`).
Every path through the network is a compatible pair that costs at least the pair's true
distance (a same-community pair may also be reached through its street cell, at 1), and
every compatible pair has a path costing exactly its distance, so the network's optimum
is the problem's optimum, and any split of the optimal flow back into individual pairs
is an optimal assignment: the detour at a higher cost would contradict optimality.
`solve` checks that the true distances of its split add up to the solver's cost.

Speed depends on how varied the windows are; exactness never does. bench/README.md
records both the realistic case (windows by half-month and month) and day-by-day random
windows.
"""

import datetime
import gc
import time
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

# numpy and OR-Tools load on the first solve, not with every process that imports the
# services (the server and each command start faster).
if TYPE_CHECKING:
    import numpy as np


# Territory distances: the costs the solver minimises.
SAME_COMMUNITY = 0
SAME_STREET = 1
SAME_DISTRICT = 2

_SOURCE = 0
_SINK = 1


@dataclass(frozen=True, slots=True)
class Place:
    """Where a need or resource sits, as the codes of its district, street, community.

    A resource held at street (or district) level has no community (or street)."""

    district: str
    street: str | None = None
    community: str | None = None

    @classmethod
    def from_path(cls, path: str) -> "Place":
        """From an Area path "city/district/street/community/grid/…/"."""
        codes = [code for code in path.split("/") if code]
        return cls(
            district=codes[1] if len(codes) > 1 else "",
            street=codes[2] if len(codes) > 2 else None,
            community=codes[3] if len(codes) > 3 else None,
        )


@dataclass(frozen=True, slots=True)
class NeedSlot:
    id: int
    category: str
    place: Place
    start: datetime.date
    end: datetime.date


@dataclass(frozen=True, slots=True)
class ResourceSlot:
    id: int
    category: str
    place: Place
    start: datetime.date
    end: datetime.date
    capacity: int  # remaining: how many more needs it can serve at once


@dataclass(frozen=True, slots=True)
class Assignment:
    need_id: int
    resource_id: int
    distance: int
    overlap_start: datetime.date
    overlap_end: datetime.date


@dataclass
class Solution:
    assignments: list[Assignment] = field(default_factory=list)
    total_distance: int = 0
    # Seconds spent merging into groups and building arcs, in the solver, splitting back.
    build_seconds: float = 0.0
    solve_seconds: float = 0.0
    split_seconds: float = 0.0
    nodes: int = 0
    arcs: int = 0

    @property
    def matched(self) -> int:
        return len(self.assignments)

    @property
    def seconds(self) -> float:
        return self.build_seconds + self.solve_seconds + self.split_seconds


def distance(need: Place, resource: Place) -> int | None:
    """The territory distance, or None across districts (never matched)."""
    if not need.district or need.district != resource.district:
        return None
    if need.community is not None and need.community == resource.community:
        return SAME_COMMUNITY
    if need.street is not None and need.street == resource.street:
        return SAME_STREET
    return SAME_DISTRICT


def windows_overlap(
    a_start: datetime.date, a_end: datetime.date, b_start: datetime.date, b_end: datetime.date
) -> bool:
    return a_start <= b_end and b_start <= a_end


def compatible(need: NeedSlot, resource: ResourceSlot) -> bool:
    """Category equal, windows overlapping, same district, capacity left."""
    return (
        resource.capacity > 0
        and need.category == resource.category
        and windows_overlap(need.start, need.end, resource.start, resource.end)
        and distance(need.place, resource.place) is not None
    )


# Topological ranks of the node layers: every arc goes from a lower rank to a higher one,
# so the optimal flow can be split by visiting nodes in rank order.
_RANK_SOURCE = 0
_RANK_NEED_GROUP = 1
_RANK_NEED_HUB = 2
_RANK_DOWN_TREE = 3  # plus the node's depth
_RANK_UP_TREE = 70  # minus the node's depth
_RANK_RESOURCE_HUB = 80
_RANK_RESOURCE_GROUP = 90
_RANK_SINK = 100
# Window classes are computed from a table of distinct need × resource windows; above
# this many cells every window is its own class (the time trees keep the graph small).
_CLASS_TABLE_LIMIT = 4_000_000


class _Graph:
    """Arcs collected as lists, handed to the solver as numpy arrays in one call."""

    def __init__(self) -> None:
        self.ranks: list[int] = [_RANK_SOURCE, _RANK_SINK]
        self.tails: list[int] = []
        self.heads: list[int] = []
        self.capacities: list[int] = []
        self.costs: list[int] = []

    @property
    def nodes(self) -> int:
        return len(self.ranks)

    def node(self, rank: int) -> int:
        self.ranks.append(rank)
        return len(self.ranks) - 1

    def arc(self, tail: int, head: int, capacity: int, cost: int) -> None:
        self.tails.append(tail)
        self.heads.append(head)
        self.capacities.append(capacity)
        self.costs.append(cost)


# An end of a connection: (node, window start ordinal, window end ordinal, entry cost).
_End = tuple[int, int, int, int]


def solve(
    needs: Iterable[NeedSlot], resources: Iterable[ResourceSlot], *, connect: str = "auto"
) -> Solution:
    """The best assignment: most needs matched, then least total distance. Exact.

    Categories never mix, so each category is its own flow problem, solved in turn
    (smaller problems solve faster than their union). `connect` chooses how
    overlapping windows are wired in each cell: "auto" (fewest arcs), "pairs" or
    "trees"; the answer is the same, which the tests check."""
    if connect not in ("auto", "pairs", "trees"):
        raise ValueError(connect)
    # Hundreds of thousands of small tuples and lists, none of them cyclic: the cyclic
    # collector would only walk them again and again.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _solve(needs, resources, connect)
    finally:
        if collecting:
            gc.enable()


def _solve(needs: Iterable[NeedSlot], resources: Iterable[ResourceSlot], connect: str) -> Solution:
    started = time.perf_counter()
    needs_by_category: dict[str, list[NeedSlot]] = defaultdict(list)
    for need in needs:
        needs_by_category[need.category].append(need)
    resources_by_category: dict[str, list[ResourceSlot]] = defaultdict(list)
    for resource in resources:
        if resource.capacity > 0:
            resources_by_category[resource.category].append(resource)
    solution = Solution(build_seconds=time.perf_counter() - started)
    for category in sorted(needs_by_category):
        if category in resources_by_category:
            part = _solve_category(
                needs_by_category[category], resources_by_category[category], connect
            )
            solution.assignments.extend(part.assignments)
            solution.total_distance += part.total_distance
            solution.build_seconds += part.build_seconds
            solution.solve_seconds += part.solve_seconds
            solution.split_seconds += part.split_seconds
            solution.nodes += part.nodes
            solution.arcs += part.arcs
    solution.assignments.sort(key=lambda a: a.need_id)
    return solution


def _solve_category(needs: list[NeedSlot], resources: list[ResourceSlot], connect: str) -> Solution:
    import numpy as np
    from ortools.graph.python import min_cost_flow

    started = time.perf_counter()
    needs = sorted(needs, key=lambda n: n.id)
    resources = sorted(resources, key=lambda r: r.id)
    need_class, resource_class = _window_classes(
        {(n.start, n.end) for n in needs}, {(r.start, r.end) for r in resources}
    )

    # ---- merge interchangeable needs and resources into groups ------------------------
    need_members: dict[tuple, list[NeedSlot]] = defaultdict(list)
    for need in needs:
        need_members[(need.category, need.place, need_class[need.start, need.end])].append(need)
    resource_members: dict[tuple, list[ResourceSlot]] = defaultdict(list)
    for resource in resources:
        key = (resource.category, resource.place, resource_class[resource.start, resource.end])
        resource_members[key].append(resource)

    graph = _Graph()
    total = len(needs)
    need_node: dict[tuple, int] = {}
    for key, members in need_members.items():
        need_node[key] = graph.node(_RANK_NEED_GROUP)
        graph.arc(_SOURCE, need_node[key], len(members), 0)
    resource_node: dict[tuple, int] = {}
    for key, members in resource_members.items():
        resource_node[key] = graph.node(_RANK_RESOURCE_GROUP)
        graph.arc(resource_node[key], _SINK, sum(r.capacity for r in members), 0)

    # ---- one cell per (category, community / street / district) -----------------------
    for level, cost in (
        ("community", SAME_COMMUNITY),
        ("street", SAME_STREET),
        ("district", SAME_DISTRICT),
    ):
        need_cells: dict[tuple, dict[tuple, list[int]]] = defaultdict(lambda: defaultdict(list))
        for key, node in need_node.items():
            category, place, window = key
            where = getattr(place, level)
            if where:
                need_cells[(category, where)][window].append(node)
        resource_cells: dict[tuple, dict[tuple, list[int]]] = defaultdict(lambda: defaultdict(list))
        for key, node in resource_node.items():
            category, place, window = key
            where = getattr(place, level)
            if where:
                resource_cells[(category, where)][window].append(node)
        for cell, need_windows in need_cells.items():
            resource_windows = resource_cells.get(cell)
            if resource_windows:
                sources = [
                    _entry(graph, nodes, window, cost, total)
                    for window, nodes in need_windows.items()
                ]
                targets = [
                    _exit(graph, nodes, window, total) for window, nodes in resource_windows.items()
                ]
                _connect(graph, sources, targets, total, connect)

    solver = min_cost_flow.SimpleMinCostFlow()
    tails = np.asarray(graph.tails, dtype=np.int32)
    heads = np.asarray(graph.heads, dtype=np.int32)
    arcs = solver.add_arcs_with_capacity_and_unit_cost(
        tails,
        heads,
        np.asarray(graph.capacities, dtype=np.int64),
        np.asarray(graph.costs, dtype=np.int64),
    )
    solver.set_nodes_supplies(
        np.asarray([_SOURCE, _SINK], dtype=np.int32), np.asarray([total, -total], dtype=np.int64)
    )
    built = time.perf_counter()
    status = solver.solve_max_flow_with_min_cost()
    if status != solver.OPTIMAL:
        raise RuntimeError(f"min-cost flow solver returned status {status}")
    solved = time.perf_counter()
    flows = solver.flows(arcs)
    optimal_cost = solver.optimal_cost()

    # ---- split the group flow back into individual pairs ------------------------------
    group_pairs = _decompose(graph, tails, heads, flows)
    key_of_node = {node: key for key, node in need_node.items()}
    key_of_node.update({node: key for key, node in resource_node.items()})
    next_need = dict.fromkeys(need_members, 0)
    resource_cursor = {key: [0, members[0].capacity] for key, members in resource_members.items()}
    assignments: list[Assignment] = []
    total_distance = 0
    for need_group, resource_group, flow in sorted(group_pairs):
        need_key, resource_key = key_of_node[need_group], key_of_node[resource_group]
        pair_distance = distance(need_key[1], resource_key[1])
        members = resource_members[resource_key]
        cursor = resource_cursor[resource_key]
        for _ in range(flow):
            need = need_members[need_key][next_need[need_key]]
            next_need[need_key] += 1
            while cursor[1] == 0:
                cursor[0] += 1
                cursor[1] = members[cursor[0]].capacity
            cursor[1] -= 1
            resource = members[cursor[0]]
            assignments.append(
                Assignment(
                    need.id,
                    resource.id,
                    pair_distance,
                    max(need.start, resource.start),
                    min(need.end, resource.end),
                )
            )
            total_distance += pair_distance
    if total_distance != optimal_cost:
        raise RuntimeError("split of the optimal flow does not add up to its cost")
    finished = time.perf_counter()
    return Solution(
        assignments=assignments,
        total_distance=total_distance,
        build_seconds=built - started,
        solve_seconds=solved - built,
        split_seconds=finished - solved,
        nodes=graph.nodes,
        arcs=len(graph.tails),
    )


def _window_classes(
    need_windows: set[tuple[datetime.date, datetime.date]],
    resource_windows: set[tuple[datetime.date, datetime.date]],
) -> tuple[dict[tuple, tuple], dict[tuple, tuple]]:
    """Each window's class, named by a representative window of the class.

    Two need windows are interchangeable when they overlap exactly the same resource
    windows, and two resource windows when they overlap the same need windows; so any
    need of one class overlaps any resource of another exactly when their
    representatives do, and groups can merge across windows of a class.
    """
    import numpy as np

    need_list = sorted(need_windows)
    resource_list = sorted(resource_windows)
    if len(need_list) * len(resource_list) > _CLASS_TABLE_LIMIT:
        return {w: w for w in need_list}, {w: w for w in resource_list}
    n_start = np.array([w[0].toordinal() for w in need_list])
    n_end = np.array([w[1].toordinal() for w in need_list])
    r_start = np.array([w[0].toordinal() for w in resource_list])
    r_end = np.array([w[1].toordinal() for w in resource_list])
    table = (n_start[:, None] <= r_end[None, :]) & (r_start[None, :] <= n_end[:, None])
    need_rows: dict[bytes, tuple] = {}
    need_class = {w: need_rows.setdefault(table[i].tobytes(), w) for i, w in enumerate(need_list)}
    columns = np.ascontiguousarray(table.T)
    resource_rows: dict[bytes, tuple] = {}
    resource_class = {
        w: resource_rows.setdefault(columns[j].tobytes(), w) for j, w in enumerate(resource_list)
    }
    return need_class, resource_class


def _entry(graph: _Graph, groups: list[int], window: tuple, cost: int, total: int) -> _End:
    """Where the need groups of one window enter a cell: the group itself, or a hub that
    gathers several groups (from different communities) at the cell's cost."""
    start, end = window[0].toordinal(), window[1].toordinal()
    if len(groups) == 1:
        return (groups[0], start, end, cost)
    hub = graph.node(_RANK_NEED_HUB)
    for group in groups:
        graph.arc(group, hub, total, cost)
    return (hub, start, end, 0)


def _exit(graph: _Graph, groups: list[int], window: tuple, total: int) -> _End:
    """Where flow leaves a cell for the resource groups of one window."""
    start, end = window[0].toordinal(), window[1].toordinal()
    if len(groups) == 1:
        return (groups[0], start, end, 0)
    hub = graph.node(_RANK_RESOURCE_HUB)
    for group in groups:
        graph.arc(hub, group, total, 0)
    return (hub, start, end, 0)


def _connect(
    graph: _Graph, sources: list[_End], targets: list[_End], total: int, how: str = "auto"
) -> None:
    """Let flow pass from every source to every target whose window overlaps its own.

    Either one arc per overlapping pair, or, when that would be more arcs, two segment
    trees over the cell's start dates: a source reaches the down-tree nodes that cover
    its window, which reach every date below them; each date leads to the same date in
    the up tree, whose nodes reach the targets whose windows cover them. Two windows
    overlap exactly when the later start lies in both, so a path exists exactly for
    overlapping pairs, and it costs only the source's entry cost.
    """
    import numpy as np

    points = sorted({s for _n, s, _e, _c in sources} | {s for _n, s, _e, _c in targets})
    size = len(points)
    tree_arcs = (len(sources) + len(targets)) * 2 * size.bit_length() + 5 * size
    if how == "pairs" or (how == "auto" and len(sources) * len(targets) <= 4 * tree_arcs):
        s_start = np.array([s for _n, s, _e, _c in sources])
        s_end = np.array([e for _n, _s, e, _c in sources])
        t_start = np.array([s for _n, s, _e, _c in targets])
        t_end = np.array([e for _n, _s, e, _c in targets])
        table = (s_start[:, None] <= t_end[None, :]) & (t_start[None, :] <= s_end[:, None])
        if how == "pairs" or int(table.sum()) <= tree_arcs:
            for i, j in zip(*np.nonzero(table), strict=True):
                source, target = sources[int(i)], targets[int(j)]
                graph.arc(source[0], target[0], total, source[3])
            return
    # Iterative segment trees: node 1 is the root, node i has children 2i and 2i+1, the
    # dates are the leaves size … 2·size−1.
    down = [0] + [graph.node(_RANK_DOWN_TREE + i.bit_length()) for i in range(1, 2 * size)]
    up = [0] + [graph.node(_RANK_UP_TREE - i.bit_length()) for i in range(1, 2 * size)]
    for i in range(1, size):
        for child in (2 * i, 2 * i + 1):
            graph.arc(down[i], down[child], total, 0)
            graph.arc(up[child], up[i], total, 0)
    for leaf in range(size, 2 * size):
        graph.arc(down[leaf], up[leaf], total, 0)
    for node, start, end, cost in sources:
        for cover in _cover(bisect_left(points, start), bisect_right(points, end), size):
            graph.arc(node, down[cover], total, cost)
    for node, start, end, _cost in targets:
        for cover in _cover(bisect_left(points, start), bisect_right(points, end), size):
            graph.arc(up[cover], node, total, 0)


def _cover(low: int, high: int, size: int) -> list[int]:
    """Segment-tree nodes whose leaves are exactly the dates low … high−1."""
    nodes = []
    low += size
    high += size
    while low < high:
        if low & 1:
            nodes.append(low)
            low += 1
        if high & 1:
            high -= 1
            nodes.append(high)
        low >>= 1
        high >>= 1
    return nodes


def _decompose(
    graph: _Graph, tails: "np.ndarray", heads: "np.ndarray", flows: "np.ndarray"
) -> list[tuple[int, int, int]]:
    """Split the flow into (need group, resource group, amount), visiting nodes in rank
    order so every node has received all its incoming flow before passing it on."""
    import numpy as np

    used = np.nonzero(flows)[0]
    ranks = np.asarray(graph.ranks)
    # By rank, then by tail, so that each node's outgoing arcs come together.
    order = used[np.lexsort((tails[used], ranks[tails[used]]))]
    pieces: dict[int, list[list[int]]] = defaultdict(list)
    pairs: list[tuple[int, int, int]] = []
    current, outgoing = -1, []

    def pass_on(node: int, out: list[list[int]]) -> None:
        for origin, head, amount in _split(pieces.pop(node, []), out):
            if graph.ranks[head] == _RANK_RESOURCE_GROUP:
                pairs.append((origin, head, amount))
            else:
                pieces[head].append([origin, amount])

    for tail, head, flow in zip(
        tails[order].tolist(), heads[order].tolist(), flows[order].tolist(), strict=True
    ):
        if tail == _SOURCE:
            pieces[head].append([head, flow])
            continue
        if head == _SINK:
            continue
        if tail != current:
            if outgoing:
                pass_on(current, outgoing)
            current, outgoing = tail, []
        outgoing.append([head, flow])
    if outgoing:
        pass_on(current, outgoing)
    return pairs


def _split(incoming: list[list[int]], outgoing: list[list[int]]) -> list[tuple[int, int, int]]:
    """Pair the units flowing into a node with those flowing out: (origin, head, amount)."""
    result = []
    i = j = 0
    while i < len(incoming) and j < len(outgoing):
        amount = min(incoming[i][1], outgoing[j][1])
        if amount:
            result.append((incoming[i][0], outgoing[j][0], amount))
        incoming[i][1] -= amount
        outgoing[j][1] -= amount
        if incoming[i][1] == 0:
            i += 1
        if outgoing[j][1] == 0:
            j += 1
    return result
