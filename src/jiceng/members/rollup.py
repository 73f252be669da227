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
"""

import datetime
from collections import Counter
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Case, CharField, Count, F, Sum, Value, When
from django.db.models.functions import Substr
from django.utils import timezone

from jiceng.core import rollups
from jiceng.core.bulk import insert_rows
from jiceng.core.models import Area
from jiceng.members.ethnicities import HAN
from jiceng.members.models import Member, MemberStat, MemberStatState
from jiceng.members.statistics import AGE_BANDS, TENURE_BANDS, band_q, years_ago

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


def add_totals(totals: Totals) -> None:
    """Add counts to many rows in a few statements, creating the missing ones."""
    changed = {key: {"count": n} for key, n in totals.items() if n}
    rollups.add_many(
        MemberStat, KEY_COLUMNS, ("count",), changed, casts=("::bigint", "::text", "::text")
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
    MemberStatState.objects.create(bands_on=on, built_at=timezone.now())
    return len(rows)


# ---- reads -------------------------------------------------------------------------------


def _rows_under(area: Area):
    return MemberStat.objects.filter(org__area__path__startswith=area.path)


def counts_under(area: Area, dimensions) -> dict[str, dict[str, int]]:
    """{dimension: {key: members}} of the members whose org sits under `area`; the
    "org_kind" dimension is read off the status rows' orgs. One query."""
    wanted = [d for d in dimensions if d != "org_kind"]
    if "org_kind" in dimensions:
        wanted.append("status")
    rows = _rows_under(area).filter(dimension__in=wanted)
    result: dict[str, dict[str, int]] = {d: {} for d in dimensions}
    for row in rows.values("dimension", "key", "org__kind").annotate(n=Sum("count")).order_by():
        if row["dimension"] in result:
            counts = result[row["dimension"]]
            counts[row["key"]] = counts.get(row["key"], 0) + row["n"]
        if row["dimension"] == "status" and "org_kind" in result:
            kinds = result["org_kind"]
            kinds[row["org__kind"]] = kinds.get(row["org__kind"], 0) + row["n"]
    return result


def total_under(area: Area, *, category: str | None = None) -> int:
    if category is None:  # the sum of the children's, read once per page (core.rollups)
        return sum(total_by_child(area, CHILD_CODE_LENGTH.get(area.level, 12)).values())
    rows = _rows_under(area).filter(dimension="category", key=category)
    return rows.aggregate(n=Sum("count"))["n"] or 0


# As dashboard.registry.child_code_length: codes are 12 digits down to communities.
CHILD_CODE_LENGTH = {"community": 15, "grid": 18}


def total_by_child(area: Area, length: int) -> dict[str, int]:
    """Members per child of `area` ({child code: n}), the child read off the org's area
    path; members of orgs placed at `area` itself count under the code ""."""
    key = ("members", area.path, length)
    return rollups.memoized(key, lambda: _total_by_child(area, length))


def _total_by_child(area: Area, length: int) -> dict[str, int]:
    rows = (
        _rows_under(area)
        .filter(dimension="status")
        .annotate(child_code=Substr("org__area__path", len(area.path) + 1, length))
        .values("child_code")
        .annotate(n=Sum("count"))
        .order_by()
    )
    return {row["child_code"]: row["n"] for row in rows if row["n"]}
