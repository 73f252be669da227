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
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.db.models import Model, QuerySet, Sum
from django.db.models.functions import Substr

from jiceng.core import rollups
from jiceng.core.models import PATH_SEPARATOR, Area


@dataclass(frozen=True)
class Tree:
    base: type[Model]  # the rollup, keyed by `area_id` (one row per area)
    tree: type[Model]  # its sums per subtree, keyed by `area_id` (one row per area)
    counters: tuple[str, ...]


_TREES: dict[type[Model], Tree] = {}


def register(tree: Tree) -> None:
    _TREES[tree.base] = tree


def registered() -> list[Tree]:
    return list(_TREES.values())


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


def _add(tree: Tree, totals: Mapping[int, Mapping[str, int]], chains) -> None:
    rows: dict[tuple[int], dict[str, int]] = {}
    for area_id, delta in totals.items():
        for ancestor in chains.get(area_id, ()):
            row = rows.setdefault((ancestor,), dict.fromkeys(tree.counters, 0))
            for name, value in delta.items():
                row[name] += value
    rows = {key: row for key, row in rows.items() if any(row.values())}
    if rows:
        rollups.add_many(tree.tree, ("area_id",), tree.counters, rows, casts=("::bigint",))


def propagate(model: type[Model], totals: Mapping[int, Mapping[str, int]]) -> None:
    """Add base deltas {area id: {counter: n}} to the tree rows of each area and of its
    ancestors; nothing when `model` has no tree."""
    tree = _TREES.get(model)
    totals = {key: delta for key, delta in totals.items() if any(delta.values())}
    if tree is None or not totals:
        return
    _add(tree, totals, _chains(totals))


def area_moved(*, area_id: int, old_parent_id: int, new_parent_id: int) -> None:
    """After an area (already re-pathed) moved from one parent to another: each tree's
    row for the area (its subtree's sums, which a move does not change) is taken from the
    old ancestors and given to the new ones. Ancestors common to both get both."""
    trees = registered()
    if not trees:
        return
    chains = _chains([old_parent_id, new_parent_id])
    for tree in trees:
        row = tree.tree._default_manager.filter(area_id=area_id).values(*tree.counters).first()
        if not row:
            continue
        _add(tree, {old_parent_id: {n: -v for n, v in row.items()}}, chains)
        _add(tree, {new_parent_id: row}, chains)


def rebuild(model: type[Model]) -> int:
    """Recompute `model`'s tree from its base rows. Returns rows written."""
    tree = _TREES[model]
    return rebuild_from(tree.base, tree.tree, Area, tree.counters)


def rebuild_from(base: type[Model], tree: type[Model], areas: type[Model], counters) -> int:
    """The rebuild on given models: the live ones, or a migration's historical ones (the
    migrations that add a tree fill it with this)."""
    tree._default_manager.all().delete()
    rows_of = {row["area_id"]: row for row in base._default_manager.values("area_id", *counters)}
    sums: dict[int, dict[str, int]] = {}
    for area_id, ancestors in _chains(rows_of, areas).items():
        for ancestor in ancestors:
            row = sums.setdefault(ancestor, dict.fromkeys(counters, 0))
            for name in counters:
                row[name] += rows_of[area_id][name]
    tree._default_manager.bulk_create(
        [tree(area_id=area_id, **row) for area_id, row in sums.items() if any(row.values())],
        batch_size=2000,
    )
    return len(sums)


def by_child(model: type[Model], path: str, length: int, *more: QuerySet) -> QuerySet:
    """Rows {"child_code", counter: n} for the area at `path`: one per child with a tree
    row (its subtree's sums) and one for the area's own base row under "" (what grouping
    the base rows under the area gave), with any `more` rows of the same shape (a caller's
    own additions), in one statement. Each part is grouped by the code so that its
    columns come in one order (child_code, then the counters), as a union needs."""
    tree = _TREES[model]
    child_code = Substr("area__path", len(path) + 1, length)
    sums = {name: Sum(name) for name in tree.counters}
    children = (
        tree.tree._default_manager.filter(area__parent__path=path)
        .annotate(child_code=child_code)
        .values("child_code")
        .annotate(**sums)
        .order_by()
    )
    own = (
        tree.base._default_manager.filter(area__path=path)
        .annotate(child_code=child_code)
        .values("child_code")
        .annotate(**sums)
        .order_by()
    )
    return children.union(own, *more, all=True)
