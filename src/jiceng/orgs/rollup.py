"""The coverage counters (CoverageStat): open orgs and open units per area, with the
units' coverage, kept incrementally, and the figures read from them.

A unit or an org contributes a vector of 0/1 counters to the row of the area it sits in;
it depends on the row's stored fields only (never on the clock), so every service that
changes one (create, edit, move, cover, close, bulk create) applies `after - before` in
the same transaction, and `rebuild` recomputes the rows from the units and orgs. "New
and uncovered" moves with the clock and is counted from the units; "must form its own
org" depends on settings.OWN_ORG_MIN_MEMBERS, so a change of that setting needs a
rebuild (`jiceng coverage-rollup --rebuild`).

Until the first rebuild there is no state row: the services leave the rows alone and the
pages count from the units.
"""

from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from jiceng.core import rollups, tree_rollups
from jiceng.core.models import Area
from jiceng.orgs.models import CoverageStat, CoverageStatState, PartyOrg, Unit

COUNTERS = ("orgs", "units", "own", "joint", "uncovered", "must_form")
UNIT_COUNTERS = COUNTERS[1:]


def unit_condition(name: str) -> Q:
    """The condition on units for one counter (orgs.selectors.coverage_q reads these)."""
    return {
        "units": Q(),
        "own": Q(own_org__isnull=False),
        "joint": Q(own_org__isnull=True, covering_org__isnull=False),
        "uncovered": Q(own_org__isnull=True, covering_org__isnull=True),
        "must_form": Q(own_org__isnull=True, formal_members__gte=settings.OWN_ORG_MIN_MEMBERS),
    }[name]


Contribution = rollups.Contribution  # (area id, counters), None: not counted


def unit_contribution(unit: Unit) -> Contribution:
    if unit.closed_on is not None:
        return None
    own, covering = unit.own_org_id is not None, unit.covering_org_id is not None
    return unit.area_id, {
        "units": 1,
        "own": int(own),
        "joint": int(not own and covering),
        "uncovered": int(not own and not covering),
        "must_form": int(not own and unit.formal_members >= settings.OWN_ORG_MIN_MEMBERS),
    }


def org_contribution(org: PartyOrg) -> Contribution:
    if org.closed_on is not None:
        return None
    return org.area_id, {"orgs": 1}


def built() -> bool:
    return rollups.memoized(("coverage", "built"), CoverageStatState.objects.exists)


def change(before: Contribution, after: Contribution) -> None:
    """Apply one unit's or org's change: `after - before`, on one area's row or two."""
    if built():
        rollups.change(CoverageStat, "area_id", before, after)


def add_contributions(contributions: Iterable[Contribution]) -> None:
    """Add many new units' or orgs' counters in a few statements (the bulk paths)."""
    if built():
        rollups.add_contributions(CoverageStat, "area_id", COUNTERS, contributions)


@transaction.atomic
def rebuild() -> int:
    """Recompute every row from the units and orgs and mark the rollup complete."""
    CoverageStat.objects.all().delete()
    CoverageStatState.objects.all().delete()
    rows: dict[int, dict[str, int]] = {}
    units = (
        Unit.objects.filter(closed_on__isnull=True)
        .values("area_id")
        .annotate(**{name: Count("id", filter=unit_condition(name)) for name in UNIT_COUNTERS})
        .order_by()
    )
    for group in units:
        rows.setdefault(group["area_id"], dict.fromkeys(COUNTERS, 0)).update(
            {name: group[name] for name in UNIT_COUNTERS}
        )
    orgs = (
        PartyOrg.objects.filter(closed_on__isnull=True)
        .values("area_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    for group in orgs:
        rows.setdefault(group["area_id"], dict.fromkeys(COUNTERS, 0))["orgs"] = group["n"]
    CoverageStat.objects.bulk_create(
        [CoverageStat(area_id=area_id, **counts) for area_id, counts in rows.items()],
        batch_size=2000,
    )
    tree_rollups.rebuild(CoverageStat)
    CoverageStatState.objects.create(built_at=timezone.now())
    return len(rows)


# ---- reads -------------------------------------------------------------------------------


# As dashboard.registry.child_code_length: codes are 12 digits down to communities.
CHILD_CODE_LENGTH = {"community": 15, "grid": 18}


def totals_under(area: Area) -> dict[str, int]:
    """The sums of the children's (and the area's own row), one query read once per page
    (core.rollups.reading), which the children's figures share."""
    children = totals_by_child(area, CHILD_CODE_LENGTH.get(area.level, 12))
    return {name: sum(row[name] for row in children.values()) for name in COUNTERS}


def totals_by_child(area: Area, length: int) -> dict[str, dict[str, int]]:
    """{child code: {counter: n}} for the children of `area`, one grouped query."""
    key = ("coverage", area.path, length)
    return rollups.memoized(key, lambda: _totals_by_child(area, length))


def _totals_by_child(area: Area, length: int) -> dict[str, dict[str, int]]:
    rows = tree_rollups.by_child(CoverageStat, area.path, length)
    return {row["child_code"]: {name: row[name] or 0 for name in COUNTERS} for row in rows}
