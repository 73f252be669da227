"""The yearly compliance rows (ComplianceYear), kept incrementally and rebuilt on demand.

Each row is `compliance.compute` for one org and one calendar year with the clock set
past the year's end, so every period counts as due or short by what is stored, never by
today; `line` reads it back as of any day. The meeting services call `refresh` for the
org-years they touch, in their transaction; a change of the required frequencies
rebuilds every row; `manage.py orglife-compliance --rebuild` recomputes the rows from
the meetings (after an import, or a change made to orgs outside these services). A row
whose org kind, founding or closing date or requirements no longer match is ignored by
the readers (selectors.compliance_*), which then compute that org from its meetings, so
a stale row is slow, never wrong."""

import datetime
import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q

from jiceng.orglife import compliance
from jiceng.orglife.models import ComplianceYear, Meeting, MeetingRequirement
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


def refresh(org: PartyOrg, years: Iterable[int]) -> None:
    """Recompute `org`'s rows for `years` from its meetings, in the caller's transaction
    (a meeting recorded, corrected or moved to another year)."""
    requirements = list(MeetingRequirement.objects.all())
    key = requirements_key(requirements)
    for year in sorted(set(years)):
        facts = meeting_facts([org.pk], year)[org.pk]
        row = compute_row(org, year, requirements, facts, key)
        fields = {f: getattr(row, f) for f in _ROW_FIELDS}
        ComplianceYear.objects.update_or_create(org=org, year=year, defaults=fields)


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
    one; of the given org ids, or of every org) from the meetings. Returns rows written."""
    from django.utils import timezone

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
        if orgs is not None:
            ids = list(orgs)
            candidates = candidates.filter(pk__in=ids)
            existing = existing.filter(org_id__in=ids)
        existing.delete()
        batch = list(candidates.only("id", "kind", "established_on", "closed_on").order_by("id"))
        for begin in range(0, len(batch), BATCH):
            chunk = batch[begin : begin + BATCH]
            facts = meeting_facts([o.pk for o in chunk], each)
            rows = [compute_row(o, each, requirements, facts[o.pk], key) for o in chunk]
            ComplianceYear.objects.bulk_create(rows, batch_size=BATCH)
            written += len(rows)
    return written


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
