"""Rollups at every ancestor: a figure by child reads one row per child (issue 14).

An area-keyed rollup (CoverageStat, AppealOpenStat: counters for the area a unit, an org
or a case sits in) answers "by child" by grouping every row under the area by the child
its path passes through: at the city, 20,000–50,000 rows joined to the 124,000 areas on
every page. Its *tree* is a second table whose row for an area holds the sums over the
area's whole subtree, so the city's figure by district reads the 16 districts' rows.

Kept in the same transaction as the rollup itself: `core.rollups.change` and
`add_contributions` pass each base delta here (`propagate`), which adds it to the area's
row and to each ancestor's. The root has no row: every change in the city would otherwise
wait on that one row; its figures are its children's rows plus its own base row, which
is what a reader of the root reads anyway. `core.services.area_move` calls `area_moved`:
the moved area's own tree row (its subtree, unchanged by the move) leaves the old
ancestors and joins the new ones. `rebuild` recomputes a tree from its base rows,
and the rollups' rebuilds call it; their random-sequence tests compare both.

A rollup keyed by something that sits in an area (the members' rows, by org) keeps its
tree with `add` and `fill` itself, mapping each holder to its area (and a tree row may
carry more key columns than the area: the members' dimension and key). When a holder
moves to another area, its service calls `holder_moved`, and the rollups registered for
that kind of holder shift its sums (`on_holder_moved`). When holders are created or
changed in what a rollup computes from them (an org founded or closed), their service
calls `holder_changed`, and the rollups registered for it recompute their rows
(`on_holder_changed`: the yearly compliance rows of orglife).
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from django.db.models import Model, QuerySet, Sum
from django.db.models.functions import Substr

from jiceng.core import rollups
from jiceng.core.models import PATH_SEPARATOR, Area


@dataclass(frozen=True)
class Tree:
    base: type[Model]  # the rollup
    tree: type[Model]  # its sums per subtree: keyed by `area_id` and `keys`
    counters: tuple[str, ...]
    keys: tuple[str, ...] = ()  # the tree's key columns after the area
    # How a base row reaches its area ("area": keyed by the area; "org__area": by org).
    base_area: str = "area"
    # Each key column's PostgreSQL type for the upsert (core.rollups.add_many): text
    # unless given (a year is "::smallint", a day "::date").
    casts: tuple[str, ...] | None = None


# {(area id, *keys): {counter: n}}
Totals = Mapping[tuple, Mapping[str, int]]

_TREES: dict[type[Model], Tree] = {}
_HOLDER_MOVES: dict[str, list[Callable[[int, int, int], None]]] = {}
_HOLDER_CHANGES: dict[str, list[Callable[[list[int]], None]]] = {}


def register(tree: Tree) -> None:
    _TREES[tree.base] = tree


def registered() -> list[Tree]:
    return list(_TREES.values())


def on_holder_moved(holder: str, shift: Callable[[int, int, int], None]) -> None:
    """`shift(holder id, old area id, new area id)` runs when a holder of that kind (an
    "org") moves to another area, in the move's transaction."""
    _HOLDER_MOVES.setdefault(holder, []).append(shift)


def holder_moved(holder: str, holder_id: int, old_area_id: int, new_area_id: int) -> None:
    if old_area_id != new_area_id:
        for shift in _HOLDER_MOVES.get(holder, ()):
            shift(holder_id, old_area_id, new_area_id)


def on_holder_changed(holder: str, refresh: Callable[[list[int]], None]) -> None:
    """`refresh(holder ids)` runs when holders of that kind were created or changed in a
    way a rollup keyed by them may count (an org founded, closed), in the change's
    transaction: a rollup whose rows are computed from the holder recomputes them."""
    _HOLDER_CHANGES.setdefault(holder, []).append(refresh)


def holder_changed(holder: str, holder_ids: Iterable[int]) -> None:
    ids = sorted(set(holder_ids))
    if ids:
        for refresh in _HOLDER_CHANGES.get(holder, ()):
            refresh(ids)


def _prefixes(path: str) -> list[str]:
    """The paths of an area and of each ancestor, from the root down."""
    codes = [code for code in path.split(PATH_SEPARATOR) if code]
    return [PATH_SEPARATOR.join(codes[: n + 1]) + PATH_SEPARATOR for n in range(len(codes))]


# Ids or paths per query: well below SQLite's limit on bound parameters.
_CHUNK = 5000


def _in_chunks(manager, field: str, values: set, *columns: str) -> list[tuple]:
    ordered = sorted(values)
    found: list[tuple] = []
    for start in range(0, len(ordered), _CHUNK):
        chunk = ordered[start : start + _CHUNK]
        found.extend(manager.filter(**{f"{field}__in": chunk}).values_list(*columns))
    return found


def _chains(area_ids: Iterable[int], areas: type[Model] = Area) -> dict[int, list[int]]:
    """{area id: ids of the area and its ancestors below the root}: two queries (more for
    a rebuild's many thousands of areas)."""
    manager = areas._default_manager
    paths = dict(_in_chunks(manager, "pk", set(area_ids), "id", "path"))
    wanted = {prefix for path in paths.values() for prefix in _prefixes(path)[1:]}
    ids = dict(_in_chunks(manager, "path", wanted, "path", "id"))
    return {
        area_id: [ids[prefix] for prefix in _prefixes(path)[1:] if prefix in ids]
        for area_id, path in paths.items()
    }


def _expand(counters: tuple[str, ...], totals: Totals, chains) -> dict[tuple, dict[str, int]]:
    """Each (area, *keys) total added to the same keys at the area and its ancestors."""
    rows: dict[tuple, dict[str, int]] = {}
    for (area_id, *keys), delta in totals.items():
        for ancestor in chains.get(area_id, ()):
            row = rows.setdefault((ancestor, *keys), dict.fromkeys(counters, 0))
            for name, value in delta.items():
                row[name] += value
    return {key: row for key, row in rows.items() if any(row.values())}


def add(tree: Tree, totals: Totals, chains=None) -> None:
    """Add deltas {(area id, *keys): {counter: n}} to the tree rows of each area and of
    its ancestors, in a few statements."""
    totals = {key: delta for key, delta in totals.items() if any(delta.values())}
    if not totals:
        return
    if chains is None:
        chains = _chains(key[0] for key in totals)
    rows = _expand(tree.counters, totals, chains)
    if rows:
        casts = ("::bigint", *(tree.casts or tuple("::text" for _ in tree.keys)))
        rollups.add_many(tree.tree, ("area_id", *tree.keys), tree.counters, rows, casts=casts)


def propagate(model: type[Model], totals: Mapping[int, Mapping[str, int]]) -> None:
    """An area-keyed rollup's deltas {area id: {counter: n}}, added to its tree; nothing
    when `model` has no tree (core.rollups calls this for every area-keyed rollup)."""
    tree = _TREES.get(model)
    if tree is not None:
        add(tree, {(area_id,): delta for area_id, delta in totals.items()})


def area_moved(*, area_id: int, old_parent_id: int | None, new_parent_id: int) -> None:
    """After an area (already re-pathed) moved from one parent to another: each tree's
    rows for the area (its subtree's sums, which a move does not change) are taken from
    the old ancestors and given to the new ones. Ancestors common to both get both.
    (A root has no parent and cannot be moved: `area_move` refuses it.)"""
    trees = registered()
    if not trees or old_parent_id is None:
        return
    chains = _chains([old_parent_id, new_parent_id])
    for tree in trees:
        rows = tree.tree._default_manager.filter(area_id=area_id).values(*tree.keys, *tree.counters)
        leaving: dict[tuple, dict[str, int]] = {}
        arriving: dict[tuple, dict[str, int]] = {}
        for row in rows:
            keys = tuple(row[name] for name in tree.keys)
            counts = {name: row[name] for name in tree.counters}
            leaving[(old_parent_id, *keys)] = {name: -n for name, n in counts.items()}
            arriving[(new_parent_id, *keys)] = counts
        add(tree, leaving, chains)
        add(tree, arriving, chains)


def rebuild(model: type[Model]) -> int:
    """Recompute an area-keyed rollup's tree from its base rows. Returns rows written."""
    tree = _TREES[model]
    return rebuild_from(tree.base, tree.tree, Area, tree.counters)


def rebuild_from(base: type[Model], tree: type[Model], areas: type[Model], counters) -> int:
    """The rebuild on given models: the live ones, or a migration's historical ones (the
    migrations that add a tree fill it with this)."""
    totals = {
        (row["area_id"],): {name: row[name] for name in counters}
        for row in base._default_manager.values("area_id", *counters)
    }
    return fill(tree, (), tuple(counters), totals, areas)


def fill(
    tree: type[Model], keys: tuple[str, ...], counters: tuple[str, ...], totals: Totals, areas=Area
) -> int:
    """Replace every row of a tree with the sums of `totals` ({(area id, *keys): counts})
    over each area's ancestors. Returns rows written."""
    tree._default_manager.all().delete()
    rows = _expand(counters, totals, _chains({key[0] for key in totals}, areas))
    columns = ("area_id", *keys)
    tree._default_manager.bulk_create(
        [tree(**dict(zip(columns, key, strict=True)), **row) for key, row in rows.items()],
        batch_size=2000,
    )
    return len(rows)


def by_child(model: type[Model], path: str, length: int, *more: QuerySet, **only) -> QuerySet:
    """Rows {"child_code", counter: n} for the area at `path`: one per child with tree
    rows (its subtree's sums) and one for the base rows of the area itself under "" (what
    grouping the base rows under the area gave), with any `more` rows of the same shape (a
    caller's own additions), in one statement; `only` filters both (dimension="status").
    Each part is grouped by the code so that its columns come in one order (child_code,
    then the counters), as a union needs."""
    tree = _TREES[model]
    sums = {name: Sum(name) for name in tree.counters}
    children = (
        tree.tree._default_manager.filter(area__parent__path=path, **only)
        .annotate(child_code=Substr("area__path", len(path) + 1, length))
        .values("child_code")
        .annotate(**sums)
        .order_by()
    )
    own = (
        tree.base._default_manager.filter(**{f"{tree.base_area}__path": path}, **only)
        .annotate(child_code=Substr(f"{tree.base_area}__path", len(path) + 1, length))
        .values("child_code")
        .annotate(**sums)
        .order_by()
    )
    return children.union(own, *more, all=True)


rollups.on_area_totals(propagate)
