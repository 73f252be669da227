"""The standard ledgers (台账) that apps plug in, as the dashboard's indicators are: each
app registers its own in its AppConfig.ready(), so the ledgers page never imports another
app's models.

A ledger is a table generated from what an app already holds — nothing is typed into it.
Its rows come from the app's selectors, already scoped for the viewer by core.scope, and
narrowed to a subject: a territory (an area and everything under it) or a party org (and
the orgs under it), and, for ledgers that take one, a period (a year, a quarter or a
month). Each row function runs a fixed number of queries however many rows it yields
(select_related, annotations, values), so a street's ledger costs what a community's does.

Personal data never leaves a ledger whole: ID numbers and phones are masked by the app's
row function (the full register with a purpose is the members app's own export).
"""

import datetime
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Model, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jiceng.core.errors import CoreErrorCode, ValidationFailed
from jiceng.core.models import Area

SUBJECT_AREA = "area"
SUBJECT_ORG = "org"

MSG_PERIOD = _("期间格式不对：请写年份（2026）、月份（2026-03）或季度（2026-Q1）")
MSG_SUBJECT = _("请选择区域或党组织")
MSG_SUBJECT_KIND = _("这张台账不能按所选的对象生成")

_YEAR = re.compile(r"^(\d{4})$")
_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_QUARTER = re.compile(r"^(\d{4})-[Qq]([1-4])$")


@dataclass(frozen=True)
class Period:
    """A calendar year, quarter or month: [start, end) in local dates."""

    text: str
    start: datetime.date
    end: datetime.date  # exclusive

    @property
    def label(self) -> str:
        if _YEAR.match(self.text):
            return str(_("{year} 年")).format(year=self.start.year)
        match = _QUARTER.match(self.text)
        if match:
            return str(_("{year} 年第 {quarter} 季度")).format(
                year=self.start.year, quarter=match.group(2)
            )
        return str(_("{year} 年 {month} 月")).format(year=self.start.year, month=self.start.month)

    def start_at(self) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime.combine(self.start, datetime.time()))

    def end_at(self) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime.combine(self.end, datetime.time()))

    def dates(self, field_name: str) -> dict[str, datetime.date]:
        """Lookups keeping a date field within the period."""
        return {f"{field_name}__gte": self.start, f"{field_name}__lt": self.end}

    def times(self, field_name: str) -> dict[str, datetime.datetime]:
        """Lookups keeping a datetime field within the period (local midnight bounds)."""
        return {f"{field_name}__gte": self.start_at(), f"{field_name}__lt": self.end_at()}


def parse_period(text: str | None) -> Period:
    """2026 (a year), 2026-03 (a month) or 2026-Q1 (a quarter); empty means this year."""
    text = (text or "").strip()
    if not text:
        text = str(timezone.localdate().year)
    year = month = quarter = None
    if match := _YEAR.match(text):
        year = int(match.group(1))
    elif match := _MONTH.match(text):
        year, month = int(match.group(1)), int(match.group(2))
    elif match := _QUARTER.match(text):
        year, quarter = int(match.group(1)), int(match.group(2))
    if year is None or not 1921 <= year <= 2200 or (month is not None and not 1 <= month <= 12):
        raise ValidationFailed(MSG_PERIOD, field="period", code=CoreErrorCode.LEDGER_PERIOD)
    if month is not None:
        start = datetime.date(year, month, 1)
        end = datetime.date(year + (month == 12), month % 12 + 1, 1)
        return Period(f"{year}-{month:02d}", start, end)
    if quarter is not None:
        start = datetime.date(year, 3 * quarter - 2, 1)
        end = datetime.date(year + (quarter == 4), (3 * quarter) % 12 + 1, 1)
        return Period(f"{year}-Q{quarter}", start, end)
    return Period(str(year), datetime.date(year, 1, 1), datetime.date(year + 1, 1, 1))


@dataclass(frozen=True)
class Subject:
    """What a ledger is generated for: an area (with everything under it) or a party
    org (with the orgs under it), and the period. `org` is the orgs app's PartyOrg; core
    only reads its `path`, `name` and `area`."""

    area: Area | None
    org: Model | None
    period: Period

    @property
    def kind(self) -> str:
        return SUBJECT_ORG if self.org is not None else SUBJECT_AREA

    @property
    def name(self) -> str:
        node = self.org if self.org is not None else self.area
        return str(node) if node is not None else ""

    @property
    def code(self) -> str:
        """The area's statistical code, or the org's number for an org."""
        if self.org is not None:
            return str(self.org.pk)
        return self.area.code if self.area is not None else ""

    def narrow(
        self, queryset: QuerySet, *, area: str | Sequence[str] = (), org: str | Sequence[str] = ()
    ) -> QuerySet:
        """Rows placed under the subject: `area` names the lookups to the Area(s) that
        place a row in the territory ("" for an Area itself), `org` the lookups to the
        PartyOrg(s) of its affiliation. Several lookups are OR-ed (a transfer has two
        sides). A ledger that cannot place its rows for the subject's kind is empty."""
        from django.db.models import Q

        if self.org is not None:
            lookups = [org] if isinstance(org, str) else list(org)
            target = str(getattr(self.org, "path", ""))
            suffix = "path__startswith"
        else:
            lookups = [area] if isinstance(area, str) else list(area)
            target = self.area.path if self.area is not None else ""
            suffix = "path__startswith"
        if not lookups:
            return queryset.none()
        condition = Q(pk__in=[])
        for lookup in lookups:
            condition |= Q(**{f"{lookup}__{suffix}" if lookup else suffix: target})
        return queryset.filter(condition)


@dataclass(frozen=True)
class Column:
    key: str
    title: Any  # a lazy Chinese header
    # "text", "number", "date" (a date or datetime, written as a date/time), "percent"
    # (a 0..1 share shown as a percentage).
    kind: str = "text"


Row = Sequence[Any]
RowsFunction = Callable[[Any, Subject], Iterable[Row]]


@dataclass(frozen=True)
class Ledger:
    key: str
    title: Any  # gettext_lazy, Chinese
    app: str  # the registering app's label
    columns: tuple[Column, ...]
    rows: RowsFunction  # (viewer, subject) → rows, each as many cells as columns
    kind: str  # the core.scope kind a viewer must see to pull the ledger at all
    source: str  # the selector(s) it reads, for the header block ("members.selectors.member_list")
    subjects: tuple[str, ...] = (SUBJECT_AREA, SUBJECT_ORG)
    takes_period: bool = False
    # Columns holding masked personal data (ID numbers, phones): never unmasked here.
    personal: tuple[str, ...] = field(default_factory=tuple)
    order: int = 100

    def accepts(self, subject_kind: str) -> bool:
        return subject_kind in self.subjects


_LEDGERS: dict[str, Ledger] = {}
# The orgs app's lookup of an org by id for a viewer (scoped, NotFound otherwise) and its
# queryset of the orgs a viewer may choose (its picker's candidates), so the ledgers page
# can take an org without importing the orgs app.
_ORG_LOOKUP: list[Callable[[Any, Any], Model]] = []
_ORG_CHOICES: list[Callable[[Any], QuerySet]] = []
_APP_TITLES: dict[str, Any] = {}


def register_ledger(ledger: Ledger) -> None:
    if ledger.key in _LEDGERS and _LEDGERS[ledger.key] is not ledger:
        existing = _LEDGERS[ledger.key]
        if (existing.app, existing.title) != (ledger.app, ledger.title):
            raise ValueError(f"ledger {ledger.key!r} registered twice")
    _LEDGERS[ledger.key] = ledger


def register_app_title(app: str, title: Any) -> None:
    """The Chinese name an app's ledgers are grouped under on the page."""
    _APP_TITLES[app] = title


def app_title(app: str) -> str:
    return str(_APP_TITLES.get(app, app))


def register_org_source(
    lookup: Callable[[Any, Any], Model], choices: Callable[[Any], QuerySet]
) -> None:
    _ORG_LOOKUP[:] = [lookup]
    _ORG_CHOICES[:] = [choices]


def org_choices(viewer) -> QuerySet:
    """The orgs the viewer may pull a ledger for, in the order a select shows them."""
    if not _ORG_CHOICES:  # pragma: no cover - the orgs app registers it in ready()
        raise LookupError("no org choices registered")
    return _ORG_CHOICES[0](viewer)


def org_for_viewer(viewer, org_id) -> Model:
    if not _ORG_LOOKUP:  # pragma: no cover - the orgs app registers it in ready()
        raise LookupError("no org lookup registered")
    return _ORG_LOOKUP[0](viewer, org_id)


def all_ledgers() -> list[Ledger]:
    return sorted(_LEDGERS.values(), key=lambda ledger: (ledger.app, ledger.order, ledger.key))


def ledger_named(key: str) -> Ledger | None:
    return _LEDGERS.get(key)


# Roles that keep no ledgers: a resident, and a party member as such (they see their own
# file and org, not the registers of a territory).
NO_LEDGER_ROLES = frozenset({"resident", "member"})


def ledgers_for(scope) -> list[Ledger]:
    """The ledgers a viewer may pull: those whose kind the viewer's roles see, for staff
    roles only."""
    if not scope.everything and scope.roles <= NO_LEDGER_ROLES:
        return []
    return [ledger for ledger in all_ledgers() if scope.can_see_kind(ledger.kind)]


def percent(part: int | None, whole: int | None) -> float | None:
    """A share 0..1 for a percent column, None when there is nothing to divide."""
    return (part or 0) / whole if whole else None


def columns(*specs: tuple) -> tuple[Column, ...]:
    """Columns from (key, title) or (key, title, kind) tuples."""
    return tuple(Column(*spec) for spec in specs)


def register_ledgers(*, app: str, title: Any, kind: str, source: str, specs: list[tuple]) -> None:
    """Register an app's ledgers from (key, title, rows, selector, columns, options)
    tuples, in the order given; `source` is the module the selectors live in, and the
    options may set another scope kind, the subjects, the period or personal columns."""
    register_app_title(app, title)
    for order, (key, ledger_title, rows, selector, cols, options) in enumerate(specs):
        options = dict(options)
        register_ledger(
            Ledger(
                key=key,
                title=ledger_title,
                app=app,
                columns=cols,
                rows=rows,
                kind=options.pop("kind", kind),
                source=f"{source}.{selector}",
                order=order,
                **options,
            )
        )


def pick(catalog: dict[str, tuple], *keys: str) -> tuple[Column, ...]:
    """Columns by key from an app's catalog {key: (title,) or (title, kind)}, so ledgers
    that share columns (a case's code, time, category, place…) name them once."""
    return tuple(Column(key, *catalog[key]) for key in keys)
