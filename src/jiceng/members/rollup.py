"""The composition counters (MemberStat), kept incrementally, and the figures read from
them.

Every member counts once in each dimension of the standard tables (members.statistics):
gender, ethnicity, age band, education, tenure band, status, category; the org kind table
comes from the org the row belongs to. The services that change a member (register,
bulk register, update, transfer, outflow and return) apply `after - before` to the
member's org rows in the same transaction (`change`, `tally` + `add_totals`);
`rebuild` recomputes every row from the members, and tests hold the two equal.

Age and tenure move with time: a member's band changes on a birthday or on the
anniversary of joining, without any write. The rows hold the bands as they were on one
day, `MemberStatState.bands_on`; the services count changes with that same day, so the
rows always equal a rebuild on it. The age and tenure tables are read from the rows only
while that day is today; on any other day those two tables are counted from the members
(correct, slower), until the nightly `jiceng members-rollup --rebuild` moves the day on.
The other tables do not depend on the day and are always read from the rows. Storing
the birth date's year instead would have kept the rows valid for a year, but would have
changed what the tables mean (age on the day, as the register shows it).

Until the first rebuild (a new database, or one upgraded from before the rollup) there is
no state row: the services leave the rows alone and the pages count from the members.

The rows are also summed per area over each subtree (MemberTreeStat, core.tree_rollups),
in the same transaction: an area's tables read its own tree rows, the city's by district
the districts' rows, instead of every org's rows under the area. An org that moves to
another area takes its sums along (`org_moved`, called through core.tree_rollups).
"""

import datetime
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Case, CharField, Count, F, Sum, Value, When
from django.utils import timezone

from jiceng.core import rollups, tree_rollups
from jiceng.core.bulk import insert_rows
from jiceng.core.models import PATH_SEPARATOR, Area
from jiceng.members.ethnicities import HAN
from jiceng.members.models import Member, MemberStat, MemberStatState, MemberTreeStat
from jiceng.members.statistics import AGE_BANDS, TENURE_BANDS, band_q, years_ago
from jiceng.orgs.models import PartyOrg

DIMENSIONS = ("gender", "ethnicity", "age", "education", "tenure", "status", "category")
# The dimensions whose key depends on the day (bands of whole years).
DATED = ("age", "tenure")
KEY_COLUMNS = ("org_id", "dimension", "key")


@dataclass(frozen=True)
class Facts:
    """What of a member the counters depend on."""

    org_id: int
    gender: str
    ethnicity: str
    birth_date: datetime.date
    education: str
    joined_on: datetime.date
    status: str
    category: str


def facts_of(member: Member) -> Facts:
    return Facts(
        org_id=member.org_id,
        gender=member.gender,
        ethnicity=member.ethnicity,
        birth_date=member.birth_date,
        education=member.education,
        joined_on=member.joined_on,
        status=member.status,
        category=member.category,
    )


def bulk_facts(facts, org_id: int) -> Facts:
    """The counted facts of a bulk row (services._common.MemberFacts, already cleaned)."""
    return Facts(
        org_id=org_id,
        gender=facts.gender,
        ethnicity=facts.ethnicity,
        birth_date=facts.birth_date,
        education=facts.education,
        joined_on=facts.joined_on,
        status=facts.status,
        category=facts.category,
    )


def band_key(day: datetime.date, bands, on: datetime.date) -> str | None:
    """The band of `bands` that a date of birth (or of joining) falls in on day `on`,
    by the same comparisons as the raw tables (statistics.band_q)."""
    for index, (_label, low, high) in enumerate(bands):
        if low is not None and day > years_ago(on, low):
            continue
        if high is not None and day <= years_ago(on, high + 1):
            continue
        return f"b{index}"
    return None


def contribution(facts: Facts, bands_on: datetime.date) -> list[tuple[str, str]]:
    keys = [
        ("gender", facts.gender),
        ("ethnicity", "han" if facts.ethnicity == HAN else "minority"),
        ("age", band_key(facts.birth_date, AGE_BANDS, bands_on)),
        ("education", facts.education),
        ("tenure", band_key(facts.joined_on, TENURE_BANDS, bands_on)),
        ("status", facts.status),
        ("category", facts.category),
    ]
    return [(dimension, key) for dimension, key in keys if key is not None]


def state() -> MemberStatState | None:
    return rollups.memoized(
        ("members", "state"), lambda: MemberStatState.objects.order_by("pk").first()
    )


Totals = Counter[tuple[int, str, str]]


def tally(totals: Totals, facts: Facts, bands_on: datetime.date, sign: int = 1) -> None:
    for dimension, key in contribution(facts, bands_on):
        totals[(facts.org_id, dimension, key)] += sign


TREE = tree_rollups.Tree(
    MemberStat, MemberTreeStat, ("count",), keys=("dimension", "key"), base_area="org__area"
)
# The org kind table's dimension in the tree: the status rows counted by their org's kind.
ORG_KIND = "org_kind"


def add_totals(totals: Totals) -> None:
    """Add counts to many rows in a few statements, creating the missing ones, and the
    same counts to the tree rows of the orgs' areas and their ancestors."""
    changed = {key: {"count": n} for key, n in totals.items() if n}
    if not changed:
        return
    rollups.add_many(
        MemberStat, KEY_COLUMNS, ("count",), changed, casts=("::bigint", "::text", "::text")
    )
    orgs = PartyOrg.objects.filter(pk__in={org_id for org_id, _d, _k in changed})
    tree_rollups.add(TREE, tree_totals(changed, dict(_org_places(orgs))))


def _org_places(orgs) -> Iterable[tuple[int, tuple[int, str]]]:
    for org_id, area_id, kind in orgs.values_list("id", "area_id", "kind"):
        yield org_id, (area_id, kind)


def tree_totals(rows: Mapping[tuple, Mapping[str, int]], places) -> dict[tuple, dict[str, int]]:
    """{(org, dimension, key): {"count": n}} as the tree counts them: {(area, dimension,
    key): {"count": n}} by each org's (area, kind) in `places`, with the status rows
    counted once more by the org's kind."""
    totals: dict[tuple, dict[str, int]] = {}
    for (org_id, dimension, key), counts in rows.items():
        area_id, kind = places[org_id]
        keys = [(dimension, key)] + ([(ORG_KIND, kind)] if dimension == "status" else [])
        for tree_key in keys:
            row = totals.setdefault((area_id, *tree_key), {"count": 0})
            row["count"] += counts["count"]
    return totals


def org_moved(org_id: int, old_area_id: int, new_area_id: int) -> None:
    """An org's rows, summed at its old area and ancestors, move to the new ones (the org
    services call this through core.tree_rollups.holder_moved)."""
    if state() is None:
        return
    rows = {
        (org_id, d, k): {"count": n}
        for d, k, n in MemberStat.objects.filter(org_id=org_id).values_list(
            "dimension", "key", "count"
        )
    }
    kind = PartyOrg.objects.filter(pk=org_id).values_list("kind", flat=True).first()
    leaving = tree_totals(rows, {org_id: (old_area_id, kind)})
    arriving = tree_totals(rows, {org_id: (new_area_id, kind)})
    negative = {key: {"count": -row["count"]} for key, row in leaving.items()}
    tree_rollups.add(TREE, negative)
    tree_rollups.add(TREE, arriving)


def rebuild_tree(stat=MemberStat, tree=MemberTreeStat, areas=Area) -> int:
    """The tree from the rows (on the live models, or a migration's)."""
    grouped = (
        stat._default_manager.values("org_id", "org__area_id", "org__kind", "dimension", "key")
        .annotate(n=Sum("count"))
        .order_by()
    )
    rows, places = {}, {}
    for g in grouped:
        rows[(g["org_id"], g["dimension"], g["key"])] = {"count": g["n"]}
        places[g["org_id"]] = (g["org__area_id"], g["org__kind"])
    return tree_rollups.fill(
        tree, ("dimension", "key"), ("count",), tree_totals(rows, places), areas
    )


def change(before: Facts | None, after: Facts | None) -> None:
    """Apply one member's change (None: not counted before, or no longer counted)."""
    current = state()
    if current is None:
        return
    totals: Totals = Counter()
    if before is not None:
        tally(totals, before, current.bands_on, -1)
    if after is not None:
        tally(totals, after, current.bands_on)
    add_totals(totals)


def _expression(dimension: str, on: datetime.date):
    if dimension == "ethnicity":
        return Case(When(ethnicity=HAN, then=Value("han")), default=Value("minority"))
    if dimension in DATED:
        field, bands = {"age": ("birth_date", AGE_BANDS), "tenure": ("joined_on", TENURE_BANDS)}[
            dimension
        ]
        return Case(
            *(
                When(band_q(field, low, high, on), then=Value(f"b{index}"))
                for index, (_label, low, high) in enumerate(bands)
            ),
            default=Value(None),
            output_field=CharField(),
        )
    return F(dimension)


@transaction.atomic
def rebuild(*, today: datetime.date | None = None) -> int:
    """Recompute every row from the members, with the bands of `today` (local date by
    default), and mark the rollup complete. Returns the rows written."""
    on = today or timezone.localdate()
    MemberStat.objects.all().delete()
    MemberStatState.objects.all().delete()
    rows = []
    for dimension in DIMENSIONS:
        grouped = (
            Member.objects.annotate(stat_key=_expression(dimension, on))
            .values("org_id", "stat_key")
            .annotate(n=Count("id"))
            .order_by()
        )
        rows.extend(
            (g["org_id"], dimension, g["stat_key"], g["n"])
            for g in grouped
            if g["stat_key"] is not None
        )
    insert_rows(MemberStat, ["org_id", "dimension", "key", "count"], rows)
    rebuild_tree()
    MemberStatState.objects.create(bands_on=on, built_at=timezone.now())
    return len(rows)


# ---- reads -------------------------------------------------------------------------------


def counts_under(area: Area, dimensions) -> dict[str, dict[str, int]]:
    """{dimension: {key: members}} of the members whose org sits under `area` (with
    "org_kind", the members by their org's kind), in one query: the area's own tree
    rows, or for the root, which has none, its children's and its own orgs' rows."""
    return counts_at(area.path, dimensions)


def counts_at(path: str, dimensions) -> dict[str, dict[str, int]]:
    """counts_under for the area at `path` (the root is the path of one code)."""
    result: dict[str, dict[str, int]] = {d: {} for d in dimensions}

    def count(dimension: str, key: str, n: int) -> None:
        if dimension in result:
            result[dimension][key] = result[dimension].get(key, 0) + n

    tree = MemberTreeStat.objects.filter(dimension__in=dimensions)
    root = path.count(PATH_SEPARATOR) == 1
    if not root:
        rows = tree.filter(area__path=path).values(
            "dimension", "key", org_kind=Value(""), n=F("count")
        )
    else:
        # Each part: dimension, key, then its org's kind ("" where the tree has it
        # already), then the count, as a union needs its columns in one order.
        children = (
            tree.filter(area__parent__path=path)
            .values("dimension", "key")
            .annotate(org_kind=Value(""), n=Sum("count"))
            .order_by()
        )
        own = (
            MemberStat.objects.filter(org__area__path=path)
            .values("dimension", "key", org_kind=F("org__kind"))
            .annotate(n=Sum("count"))
            .order_by()
        )
        rows = children.union(own, all=True)
    for row in rows:
        count(row["dimension"], row["key"], row["n"])
        if row["org_kind"] and row["dimension"] == "status":
            count(ORG_KIND, row["org_kind"], row["n"])
    return result


def total_under(area: Area, *, category: str | None = None) -> int:
    if category is None:  # the sum of the children's, read once per page (core.rollups)
        return sum(total_by_child(area, CHILD_CODE_LENGTH.get(area.level, 12)).values())
    return counts_under(area, ["category"])["category"].get(category, 0)


# As dashboard.registry.child_code_length: codes are 12 digits down to communities.
CHILD_CODE_LENGTH = {"community": 15, "grid": 18}


def total_by_child(area: Area, length: int) -> dict[str, int]:
    """Members per child of `area` ({child code: n}), the child read off the org's area
    path; members of orgs placed at `area` itself count under the code ""."""
    key = ("members", area.path, length)
    return rollups.memoized(key, lambda: _total_by_child(area, length))


def _total_by_child(area: Area, length: int) -> dict[str, int]:
    rows = tree_rollups.by_child(MemberStat, area.path, length, dimension="status")
    return {row["child_code"]: row["count"] for row in rows if row["count"]}
