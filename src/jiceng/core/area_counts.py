"""How many areas of each level lie under an area, read from a tree (core.tree_rollups).

Each area counts once, at its own level, in its own row and in each ancestor's
(AreaTreeStat): `added` when the services create areas, `tree_rollups.area_moved` when
one moves with its subtree (its row, which holds the subtree and itself, leaves the old
ancestors and joins the new). Areas are never deleted. `rebuild` recomputes the rows
from the areas (the migration that added the table fills it with it)."""

from collections import Counter
from collections.abc import Iterable

from django.db.models import Model, Sum

from jiceng.core import tree_rollups
from jiceng.core.models import Area, AreaTreeStat

# The levels below a city (the root has no row: nothing above counts it).
COUNTERS = ("district", "street", "community", "grid", "building")
TREE = tree_rollups.Tree(Area, AreaTreeStat, COUNTERS)


def added(areas: Iterable[Area]) -> None:
    """Areas just created: each counted at its own row and its ancestors'."""
    totals: dict[tuple, Counter[str]] = {}
    for area in areas:
        if area.level in COUNTERS:
            totals.setdefault((area.pk,), Counter())[area.level] += 1
    tree_rollups.add(TREE, totals)


def rebuild(areas: type[Model] = Area, tree: type[Model] = AreaTreeStat) -> int:
    """The rows recomputed from the areas (on the live models or a migration's)."""
    totals = {
        (pk,): {level: 1}
        for pk, level in areas._default_manager.values_list("id", "level")
        if level in COUNTERS
    }
    return tree_rollups.fill(tree, (), COUNTERS, totals, areas)


def below(area: Area) -> dict[str, int]:
    """{level: n} of the areas under `area` (itself excluded), levels with none left out:
    the area's row, or for the root its children's rows summed. One query."""
    if area.parent_id is None:
        counts = AreaTreeStat.objects.filter(area__parent_id=area.pk).aggregate(
            **{name: Sum(name) for name in COUNTERS}
        )
    else:
        row = AreaTreeStat.objects.filter(area_id=area.pk).values(*COUNTERS).first()
        counts = dict(row or dict.fromkeys(COUNTERS, 0))
        if area.level in counts:
            counts[area.level] -= 1
    return {level: n for level, n in counts.items() if n}
