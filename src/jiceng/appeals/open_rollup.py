"""The open and overdue counters per area (AppealOpenStat), kept incrementally, and the
figures read from them.

A case contributes (its area, open 0/1, overdue 0/1) from its stored fields only (never
the clock: the overdue flags are set by `check-deadlines`), so every service that changes
a case (intake, each step of its life, the overdue marks, placement, the recorded
history) applies `after - before` in the same transaction, and `rebuild` recomputes the
rows from the cases. A case waiting for `process-intake` (routing_pending) is left out
until that step adds it, as the monthly counters do: the fast intake writes it in one
statement, and the readers add the few waiting cases from the cases themselves, so every
figure is the count of `appeal_list(state="open")` it replaces.
"""

from collections.abc import Iterable

from django.db import transaction
from django.db.models import Count, Q
from django.db.models.functions import Substr

from jiceng.appeals.models import Appeal, AppealOpenStat
from jiceng.core import rollups, tree_rollups

COUNTERS = ("open", "overdue")
OVERDUE = Q(response_overdue=True) | Q(resolution_overdue=True)
OPEN = ~Q(state=Appeal.State.CLOSED)
CONDITIONS = {"open": OPEN, "overdue": OPEN & OVERDUE}

Contribution = rollups.Contribution  # (area id, counters); None: not counted


def contribution(appeal: Appeal) -> Contribution:
    if appeal.routing_pending or appeal.state == Appeal.State.CLOSED:
        return None
    late = appeal.response_overdue or appeal.resolution_overdue
    return appeal.area_id, {"open": 1, "overdue": int(late)}


def change(before: Contribution, after: Contribution) -> None:
    """Apply one case's change: `after - before`, on one area's row or two (placement)."""
    rollups.change(AppealOpenStat, "area_id", before, after)


def add_cases(appeals: Iterable[Appeal]) -> None:
    """Add the whole of what many cases count for now (bulk paths: the recorded
    history, and the cases `process-intake` takes up), in a few statements."""
    counted = (contribution(appeal) for appeal in appeals)
    rollups.add_contributions(AppealOpenStat, "area_id", COUNTERS, counted)


@transaction.atomic
def rebuild() -> int:
    """Recompute every row from the cases. Returns rows written."""
    AppealOpenStat.objects.all().delete()
    grouped = (
        Appeal.objects.filter(CONDITIONS["open"], routing_pending=False)
        .values("area_id")
        .annotate(**{name: Count("id", filter=CONDITIONS[name]) for name in COUNTERS})
        .order_by()
    )
    rows = [AppealOpenStat(area_id=g["area_id"], **{n: g[n] for n in COUNTERS}) for g in grouped]
    AppealOpenStat.objects.bulk_create(rows, batch_size=2000)
    tree_rollups.rebuild(AppealOpenStat)
    return len(rows)


# ---- reads -------------------------------------------------------------------------------


def by_child(path: str, length: int) -> dict[str, dict[str, int]]:
    """{child code: {"open": n, "overdue": n}} for the children of the area at `path`
    (cases placed at the area itself under ""), children without open cases left out:
    the children's rows of the tree (core.tree_rollups) and the area's own row, with the
    open cases under the area not yet taken up by `process-intake` (a handful, by their
    partial index), in one query. Read once per page
    (core.rollups.reading). Every case under the area counts: for a viewer who sees the
    area whole (core.scope covers_subtree)."""
    return rollups.memoized(("appeals_open", path, length), lambda: _by_child(path, length))


def _by_child(path: str, length: int) -> dict[str, dict[str, int]]:
    waiting = (
        Appeal.objects.filter(CONDITIONS["open"], routing_pending=True)
        .filter(area__path__startswith=path)
        .annotate(child_code=Substr("area__path", len(path) + 1, length))
        .values("child_code")
        .annotate(**{name: Count("id", filter=CONDITIONS[name]) for name in COUNTERS})
        .order_by()
    )
    counts: dict[str, dict[str, int]] = {}
    # One statement: the reads are summed per child below.
    for row in tree_rollups.by_child(AppealOpenStat, path, length, waiting):
        child = counts.setdefault(row["child_code"], dict.fromkeys(COUNTERS, 0))
        for name in COUNTERS:
            child[name] += row[name] or 0
    return {code: child for code, child in counts.items() if child["open"]}
