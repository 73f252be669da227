"""Outcome indicators (结果指标): the figures by which an area or an org is judged, for
any period. Assessment scores them, linkage pre-fills the reports a lower level sends
up with them, the ledgers and the dashboard may show them.

Each app registers its own in `<app>/outcomes.py`, called from its AppConfig.ready(),
so no reader imports another app's models (STYLE 6 and 13). A registered outcome is a
formula over the app's own records; it is computed for the whole subject, never for a
viewer, because an assessment or a report concerns the subject, not who is looking
(who may *see* the result is decided where it is shown, by core.scope).

Outcomes only (国办函〔2026〕12号): nothing registered here may count logins, clicks,
online time, check-ins, uploads or how fast anyone read something. Each outcome names
the tables it reads (`sources`); tests/core/test_outcomes.py refuses any that names a
session, audit or access-log table, and runs every formula to check that the queries
it actually sends touch none of them either.
"""

import calendar
import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from jiceng.core.models import Area

AREA = "area"
ORG = "org"

RATE = "rate"  # a share between 0 and 1, with its numerator and denominator
COUNT = "count"  # a whole number of things
AMOUNT = "amount"  # a quantity (yuan, hours)

# Tables no outcome may read: they record activity on the platform, not results.
ACTIVITY_TABLES = frozenset(
    {
        "django_session",
        "django_admin_log",
        "core_auditentry",
        "core_audithead",
        "core_idempotencykey",
    }
)
# ...and every table of these apps (login attempts and lockouts, second factors).
ACTIVITY_PREFIXES = ("axes_", "otp_", "django_session")


def is_activity_table(table: str) -> bool:
    return table in ACTIVITY_TABLES or table.startswith(ACTIVITY_PREFIXES)


@dataclass(frozen=True)
class Period:
    """[start, end) in local dates; a year, a quarter or a month."""

    start: datetime.date
    end: datetime.date
    label: str

    @classmethod
    def year(cls, year: int) -> "Period":
        return cls(datetime.date(year, 1, 1), datetime.date(year + 1, 1, 1), f"{year}")

    @classmethod
    def quarter(cls, year: int, quarter: int) -> "Period":
        first = 3 * (quarter - 1) + 1
        start = datetime.date(year, first, 1)
        end = datetime.date(year + (quarter == 4), first + 3 if quarter < 4 else 1, 1)
        return cls(start, end, f"{year}-Q{quarter}")

    @classmethod
    def month(cls, year: int, month: int) -> "Period":
        last = calendar.monthrange(year, month)[1]
        end = datetime.date(year, month, last) + datetime.timedelta(days=1)
        return cls(datetime.date(year, month, 1), end, f"{year}-{month:02d}")

    @classmethod
    def parse(cls, text: str) -> "Period":
        """ "2026", "2026-Q1" or "2026-03"; ValueError otherwise."""
        text = (text or "").strip()
        if m := re.fullmatch(r"(\d{4})", text):
            return cls.year(int(m[1]))
        if m := re.fullmatch(r"(\d{4})-[Qq]([1-4])", text):
            return cls.quarter(int(m[1]), int(m[2]))
        if (m := re.fullmatch(r"(\d{4})-(\d{1,2})", text)) and 1 <= int(m[2]) <= 12:
            return cls.month(int(m[1]), int(m[2]))
        raise ValueError(text)

    def months(self) -> list[datetime.date]:
        """The first day of every month the period covers."""
        result, day = [], self.start
        while day < self.end:
            result.append(day)
            day = datetime.date(day.year + (day.month == 12), day.month % 12 + 1, 1)
        return result


@dataclass(frozen=True)
class Figure:
    """One computed value. A rate keeps its parts, so a reader can show "37 / 40" and
    drill to the records behind either number; `value` is None when nothing was due
    (a rate over zero cases is no rate at all, not 0 %)."""

    value: float | None
    numerator: int | None = None
    denominator: int | None = None
    url: str = ""  # the page listing the records behind the figure

    @classmethod
    def rate(cls, numerator: int, denominator: int, url: str = "") -> "Figure":
        value = numerator / denominator if denominator else None
        return cls(value, numerator, denominator, url)

    @classmethod
    def count(cls, n: int, url: str = "") -> "Figure":
        return cls(float(n), None, None, url)


@dataclass(frozen=True)
class Outcome:
    key: str  # "<app>.<name>", stable: schemes and reports refer to it
    label: str
    app: str
    unit: str  # RATE, COUNT or AMOUNT
    sources: tuple[str, ...]  # the database tables the formula reads
    for_area: Callable[[Area, Period], Figure] | None = None
    # (org, period): an org is passed as the orgs app's PartyOrg; core does not type it.
    for_org: Callable[[object, Period], Figure] | None = None
    higher_is_better: bool = True
    description: str = ""  # how it is computed, in words, for the scheme editor
    order: int = 100
    subjects: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        subjects = set()
        if self.for_area is not None:
            subjects.add(AREA)
        if self.for_org is not None:
            subjects.add(ORG)
        object.__setattr__(self, "subjects", frozenset(subjects))

    def measure(self, subject, period: Period) -> Figure:
        """The figure for an Area or an org; an org's outcome falls back to its area's
        when the app measures territory only (a community org answers for its
        community's appeals)."""
        if isinstance(subject, Area):
            if self.for_area is None:
                raise LookupError(self.key)
            return self.for_area(subject, period)
        if self.for_org is not None:
            return self.for_org(subject, period)
        area = getattr(subject, "area", None)
        if self.for_area is None or area is None:
            raise LookupError(self.key)
        return self.for_area(area, period)


_OUTCOMES: dict[str, Outcome] = {}


def register_outcome(outcome: Outcome) -> None:
    if outcome.unit not in (RATE, COUNT, AMOUNT):
        raise ValueError(f"{outcome.key}: unknown unit {outcome.unit!r}")
    if not outcome.subjects:
        raise ValueError(f"{outcome.key}: measures neither an area nor an org")
    if read := [table for table in outcome.sources if is_activity_table(table)]:
        raise ValueError(f"{outcome.key}: reads platform activity {sorted(read)}")
    _OUTCOMES[outcome.key] = outcome


def outcomes() -> list[Outcome]:
    return sorted(_OUTCOMES.values(), key=lambda o: (o.order, o.key))


def outcome(key: str) -> Outcome:
    try:
        return _OUTCOMES[key]
    except KeyError:
        raise LookupError(key) from None


def format_figure(o: Outcome, figure: Figure) -> str:
    if figure.value is None:
        return str(_("无"))
    if o.unit == RATE:
        return f"{figure.value:.1%}"
    if o.unit == COUNT:
        return f"{int(figure.value)}"
    return f"{figure.value:.2f}"
