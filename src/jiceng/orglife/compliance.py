"""Compliance with the required frequencies of organizational life, for one org and
any period, and the roll-up for a street or district.

Rules (docs/user-guide/orglife.md says them in Chinese):
- A requirement (kind, month/quarter/year, times) applies to the org kinds it names.
- Only calendar periods lying wholly inside the asked range are judged.
- A period is due when the org existed for all of it: an org founded mid-period is due
  from the first full period after its founding (meetings it held in the founding period
  still count as held); an org closed mid-period is not due for that period.
- A period that has not ended yet is "in progress": what was held counts, nothing is
  missing yet.
- Attendance rate: those present (or present at their host org as mobile members) over
  those on the register, summed over the org's meetings in the range.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from jiceng.orglife.models import MeetingKind, MeetingRequirement

MONTHS_PER = {"month": 1, "quarter": 3, "year": 12}


@dataclass(frozen=True)
class Period:
    start: datetime.date
    end: datetime.date  # inclusive

    @property
    def label(self) -> str:
        months = (self.end.year - self.start.year) * 12 + self.end.month - self.start.month + 1
        if months == 12:
            return f"{self.start.year}"
        if months == 3:
            return f"{self.start.year}Q{(self.start.month - 1) // 3 + 1}"
        return f"{self.start.year}-{self.start.month:02d}"


def _add_months(day: datetime.date, months: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def periods(kind: str, start: datetime.date, end: datetime.date) -> list[Period]:
    """The calendar months, quarters or years lying wholly inside [start, end]."""
    step = MONTHS_PER[kind]
    first_month = ((start.month - 1) // step) * step + 1
    cursor = datetime.date(start.year, first_month, 1)
    if cursor < start:
        cursor = _add_months(cursor, step)
    result = []
    while True:
        following = _add_months(cursor, step)
        last = following - datetime.timedelta(days=1)
        if last > end:
            break
        result.append(Period(cursor, last))
        cursor = following
    return result


@dataclass(frozen=True)
class MeetingFact:
    kind: str
    held_on: datetime.date
    register_count: int = 0
    attended_count: int = 0


@dataclass
class KindCompliance:
    kind: str
    period: str
    times: int
    due: list[Period] = field(default_factory=list)
    missing: list[Period] = field(default_factory=list)
    in_progress: list[Period] = field(default_factory=list)
    held: int = 0

    @property
    def label(self) -> str:
        return MeetingKind(self.kind).label


@dataclass
class OrgCompliance:
    org: object
    start: datetime.date
    end: datetime.date
    kinds: list[KindCompliance] = field(default_factory=list)
    register: int = 0
    attended: int = 0

    @property
    def due(self) -> int:
        return sum(len(k.due) for k in self.kinds)

    @property
    def missing(self) -> int:
        return sum(len(k.missing) for k in self.kinds)

    @property
    def held(self) -> int:
        return sum(k.held for k in self.kinds)

    @property
    def behind(self) -> bool:
        return self.missing > 0

    @property
    def attendance_rate(self) -> float | None:
        return self.attended / self.register if self.register else None


def compute(
    org,
    requirements: Iterable[MeetingRequirement],
    meetings: Iterable[MeetingFact],
    *,
    start: datetime.date,
    end: datetime.date,
    today: datetime.date,
) -> OrgCompliance:
    """The compliance of `org` (anything with kind, established_on, closed_on) over
    [start, end] as of `today`, from its meetings in that range."""
    result = OrgCompliance(org=org, start=start, end=end)
    by_kind: dict[str, list[datetime.date]] = defaultdict(list)
    for meeting in meetings:
        if not start <= meeting.held_on <= end:
            continue
        by_kind[meeting.kind].append(meeting.held_on)
        result.register += meeting.register_count
        result.attended += meeting.attended_count
    founded = getattr(org, "established_on", None)
    closed = getattr(org, "closed_on", None)
    for requirement in requirements:
        if not requirement.applies_to(org.kind):
            continue
        held_days = sorted(by_kind.get(requirement.kind, ()))
        line = KindCompliance(
            kind=requirement.kind,
            period=requirement.period,
            times=requirement.times,
            held=len(held_days),
        )
        for period in periods(requirement.period, start, end):
            if founded and period.start < founded:
                continue
            if closed and period.end > closed:
                continue
            held = sum(1 for day in held_days if period.start <= day <= period.end)
            if period.end >= today:
                if period.start <= today:
                    line.in_progress.append(period)
                continue
            line.due.append(period)
            if held < requirement.times:
                line.missing.append(period)
        result.kinds.append(line)
    return result


def year_range(year: int) -> tuple[datetime.date, datetime.date]:
    return datetime.date(year, 1, 1), datetime.date(year, 12, 31)
