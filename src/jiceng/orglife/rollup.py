"""The yearly compliance rows (ComplianceYear), kept incrementally and rebuilt on demand.

Each row is `compliance.compute` for one org and one calendar year with the clock set
past the year's end, so every period counts as due or short by what is stored, never by
today; `line` reads it back as of any day. The meeting services call `refresh` for the
org-years they touch, in their transaction; a change of the required frequencies
rebuilds every row; `manage.py orglife-compliance --rebuild` recomputes the rows from
the meetings (after an import, or a change made to orgs outside these services). A row
whose org kind, founding or closing date or requirements no longer match is ignored by
the readers (selectors.compliance_*), which then compute that org from its meetings, so
a stale row is slow, never wrong.

The rows are also counted over each area's subtree (ComplianceTreeStat, core.tree_rollups)
by year, requirements, org kind and first gap, in the same transaction: `refresh` and
`rebuild` apply what each row counted before and after, an org's move shifts its rows'
counts (`org_moved`), an org founded or closed gets its rows of the rebuilt years
recomputed (`orgs_changed`, through core.tree_rollups.holder_changed). A year rebuilt
whole is marked (ComplianceState): from then on its tree is complete, and the counts of
a subtree the viewer sees whole are read from it (selectors.compliance_counts). Those
counts trust the services, as every rollup's figures do: an org changed outside them
(an import, the database) needs the rebuild before the counts are right again; the
lists of orgs keep checking each row."""

import datetime
import hashlib
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from jiceng.core import tree_rollups
from jiceng.orglife import compliance
from jiceng.orglife.models import (
    ComplianceState,
    ComplianceTreeStat,
    ComplianceYear,
    Meeting,
    MeetingRequirement,
)
from jiceng.orgs.models import PartyOrg

# Past the end of any year asked: every period is judged by the meetings stored.
NEVER = datetime.date.max


def requirements_key(requirements: Iterable[MeetingRequirement]) -> str:
    text = "|".join(
        f"{r.kind}:{r.period}:{r.times}:{r.org_kinds}" for r in sorted(requirements, key=_kind)
    )
    return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()


def _kind(requirement: MeetingRequirement) -> str:
    return requirement.kind


def applicable_kinds(requirements: Iterable[MeetingRequirement]) -> set[str]:
    return {k.strip() for r in requirements for k in r.org_kinds.split(",") if k.strip()}


def orgs_in_year(year: int, requirements, *, kind: str = "kind") -> Q:
    """Orgs some requirement applies to that existed at some time in `year`. With
    kind="org_kind", the same condition on a rollup row's own copies of its org's kind
    and dates, which a fresh row (`fresh`) has equal to its org's."""
    start, end = compliance.year_range(year)
    return (
        Q(**{f"{kind}__in": applicable_kinds(requirements)})
        & (Q(established_on__isnull=True) | Q(established_on__lte=end))
        & (Q(closed_on__isnull=True) | Q(closed_on__gte=start))
    )


def compute_row(org: PartyOrg, year: int, requirements, facts, key: str) -> ComplianceYear:
    start, end = compliance.year_range(year)
    result = compliance.compute(org, requirements, facts, start=start, end=end, today=NEVER)
    due = sorted(p.end.isoformat() for k in result.kinds for p in k.due)
    gaps = sorted([p.end.isoformat(), k.kind, p.label] for k in result.kinds for p in k.missing)
    return ComplianceYear(
        org=org,
        year=year,
        org_kind=org.kind,
        established_on=org.established_on,
        closed_on=org.closed_on,
        requirements_key=key,
        due_ends=due,
        gap_ends=gaps,
        first_gap=datetime.date.fromisoformat(gaps[0][0]) if gaps else None,
        held=result.held,
        register=result.register,
        attended=result.attended,
    )


def meeting_facts(org_ids: Iterable[int], year: int) -> dict[int, list[compliance.MeetingFact]]:
    start, end = compliance.year_range(year)
    rows = Meeting.objects.filter(org_id__in=list(org_ids), held_on__range=(start, end))
    facts: dict[int, list[compliance.MeetingFact]] = defaultdict(list)
    for org_id, kind, held_on, register, attended in rows.values_list(
        "org_id", "kind", "held_on", "register_count", "attended_count"
    ):
        facts[org_id].append(compliance.MeetingFact(kind, held_on, register, attended))
    return facts


# ---- the tree: rows counted per subtree ---------------------------------------------------

TREE = tree_rollups.Tree(
    ComplianceYear,
    ComplianceTreeStat,
    ("orgs",),
    keys=("year", "requirements_key", "org_kind", "first_gap"),
    base_area="org__area",
    casts=("::smallint", "::text", "::text", "::date"),
)
Deltas = Counter[tuple]  # {(area id, year, key, org kind, first gap): orgs}


def tally(deltas: Deltas, row: ComplianceYear | None, area_id: int, sign: int = 1) -> None:
    """What a row counts for in its org's area: one org of its kind and first gap, when
    the org existed in the row's year (by the row's copies of its dates)."""
    if row is None:
        return
    start, end = compliance.year_range(row.year)
    if row.established_on is not None and row.established_on > end:
        return
    if row.closed_on is not None and row.closed_on < start:
        return
    gap = row.first_gap or ComplianceTreeStat.NO_GAP
    deltas[(area_id, row.year, row.requirements_key, row.org_kind, gap)] += sign


def _add(deltas: Deltas) -> None:
    tree_rollups.add(TREE, {key: {"orgs": n} for key, n in deltas.items() if n})


def org_moved(org_id: int, old_area_id: int, new_area_id: int) -> None:
    """An org's rows, counted at its old area and ancestors, move to the new ones (the
    org services call this through core.tree_rollups.holder_moved)."""
    deltas: Deltas = Counter()
    for row in ComplianceYear.objects.filter(org_id=org_id):
        tally(deltas, row, old_area_id, -1)
        tally(deltas, row, new_area_id)
    _add(deltas)


def orgs_changed(org_ids: list[int]) -> None:
    """Orgs founded or closed: their rows of each year kept whole are recomputed (a new
    org gets its rows, a closed one loses those of the years it no longer lives in)."""
    for year in ComplianceState.objects.order_by("year").values_list("year", flat=True):
        rebuild(year=year, orgs=org_ids)


def rebuild_tree() -> int:
    """The tree recomputed from the rows as they stand (what the services keep equal to
    it along the way). Returns tree rows written."""
    deltas: Deltas = Counter()
    for row in ComplianceYear.objects.select_related("org").only(*_TALLIED, "org__area_id"):
        tally(deltas, row, row.org.area_id)
    totals = {key: {"orgs": n} for key, n in deltas.items() if n}
    return tree_rollups.fill(ComplianceTreeStat, TREE.keys, TREE.counters, totals)


def complete(year: int, key: str) -> bool:
    """Whether the year's tree counts every org, computed with these requirements."""
    return ComplianceState.objects.filter(year=year, requirements_key=key).exists()


def refresh(org: PartyOrg, years: Iterable[int]) -> None:
    """Recompute `org`'s rows for `years` from its meetings, in the caller's transaction
    (a meeting recorded, corrected or moved to another year), and their counts."""
    requirements = list(MeetingRequirement.objects.all())
    key = requirements_key(requirements)
    years = sorted(set(years))
    before = {row.year: row for row in ComplianceYear.objects.filter(org=org, year__in=years)}
    deltas: Deltas = Counter()
    for year in years:
        facts = meeting_facts([org.pk], year)[org.pk]
        row = compute_row(org, year, requirements, facts, key)
        fields = {f: getattr(row, f) for f in _ROW_FIELDS}
        ComplianceYear.objects.update_or_create(org=org, year=year, defaults=fields)
        tally(deltas, before.get(year), org.area_id, -1)
        tally(deltas, row, org.area_id)
    _add(deltas)


_ROW_FIELDS = (
    "org_kind",
    "established_on",
    "closed_on",
    "requirements_key",
    "due_ends",
    "gap_ends",
    "first_gap",
    "held",
    "register",
    "attended",
)
BATCH = 2000


@transaction.atomic
def rebuild(*, year: int | None = None, orgs: Iterable[int] | None = None) -> int:
    """Recompute the rows (of one year, or of every year with a meeting and the current
    one; of the given org ids, or of every org) from the meetings, and their counts in
    the tree; a year rebuilt for every org is marked complete. Returns rows written."""
    requirements = list(MeetingRequirement.objects.all())
    key = requirements_key(requirements)
    if year is not None:
        years = [year]
    else:
        held = Meeting.objects.dates("held_on", "year")
        years = sorted({d.year for d in held} | {timezone.localdate().year})
    written = 0
    for each in years:
        candidates = PartyOrg.objects.filter(orgs_in_year(each, requirements))
        existing = ComplianceYear.objects.filter(year=each)
        deltas: Deltas = Counter()
        if orgs is not None:
            ids = list(orgs)
            candidates = candidates.filter(pk__in=ids)
            existing = existing.filter(org_id__in=ids)
            for row in existing.select_related("org").only(*_TALLIED, "org__area_id"):
                tally(deltas, row, row.org.area_id, -1)
        else:
            # Every row of the year is rewritten: so are its counts.
            ComplianceTreeStat.objects.filter(year=each).delete()
        existing.delete()
        fields = ("id", "kind", "established_on", "closed_on", "area_id")
        batch = list(candidates.only(*fields).order_by("id"))
        for begin in range(0, len(batch), BATCH):
            chunk = batch[begin : begin + BATCH]
            facts = meeting_facts([o.pk for o in chunk], each)
            rows = [compute_row(o, each, requirements, facts[o.pk], key) for o in chunk]
            ComplianceYear.objects.bulk_create(rows, batch_size=BATCH)
            for org, row in zip(chunk, rows, strict=True):
                tally(deltas, row, org.area_id)
            written += len(rows)
        _add(deltas)
        if orgs is None:
            ComplianceState.objects.update_or_create(
                year=each, defaults={"requirements_key": key, "built_at": timezone.now()}
            )
    return written


# What `tally` reads of a row.
_TALLIED = ("year", "requirements_key", "org_kind", "established_on", "closed_on", "first_gap")


# ---- reading a row as of a day ----------------------------------------------------------------


@dataclass
class Line:
    """One org's compliance for a year as of a day, as the lists show it."""

    org: PartyOrg
    due: int
    held: int
    missing: int
    register: int
    attended: int
    # (meeting kind, period label) of each period missed, e.g. ("lecture", "2025Q2").
    missed: list[tuple[str, str]]

    @property
    def behind(self) -> bool:
        return self.missing > 0

    @property
    def attendance_rate(self) -> float | None:
        return self.attended / self.register if self.register else None


def line(org: PartyOrg, row: ComplianceYear, today: datetime.date) -> Line:
    cutoff = today.isoformat()
    missed = [(kind, label) for end, kind, label in row.gap_ends if end < cutoff]
    return Line(
        org=org,
        due=sum(1 for end in row.due_ends if end < cutoff),
        held=row.held,
        missing=len(missed),
        register=row.register,
        attended=row.attended,
        missed=missed,
    )


def fresh(key: str) -> Q:
    """Rows still matching their org and the requirements (null-safe date comparisons)."""
    from django.db.models import F

    def same(field: str) -> Q:
        return Q(**{field: F(f"org__{field}")}) | Q(
            **{f"{field}__isnull": True, f"org__{field}__isnull": True}
        )

    return (
        Q(requirements_key=key, org_kind=F("org__kind"))
        & same("established_on")
        & same("closed_on")
    )
