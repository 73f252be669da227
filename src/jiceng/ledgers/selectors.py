"""Reads of the ledger registry for a viewer: which ledgers they may pull, the subject
(an area or an org they see, and a period) and the generated table. Visibility is
core.scope's: a ledger whose kind the viewer's roles do not see, an area or an org out
of sight, is not found (404), exactly like one that does not exist."""

import datetime
import itertools
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from jiceng.core.access import get_area_for_view
from jiceng.core.errors import NotFound, ValidationFailed
from jiceng.core.ledgers import (
    Ledger,
    Period,
    Subject,
    app_title,
    ledger_named,
    ledgers_for,
    org_choices,
    org_for_viewer,
    parse_period,
)
from jiceng.core.models import Area
from jiceng.core.scope import scope_for
from jiceng.ledgers.errors import MSG_SUBJECT, MSG_SUBJECT_KIND, LedgerErrorCode

# A workbook holds what a year of a district gives; past this the header says the table
# was cut, and a smaller territory or period gives the rest.
MAX_ROWS = 200_000


def ledger_list(*, viewer) -> list[Ledger]:
    return ledgers_for(scope_for(viewer))


def ledger_groups(*, viewer) -> list[tuple[str, list[Ledger]]]:
    """The viewer's ledgers grouped by the app that registered them, in registry order."""
    return [
        (app_title(app), list(items))
        for app, items in itertools.groupby(ledger_list(viewer=viewer), key=lambda x: x.app)
    ]


def ledger_get(*, viewer, key: str) -> Ledger:
    ledger = ledger_named(key)
    if ledger is None or ledger.key not in {x.key for x in ledger_list(viewer=viewer)}:
        raise NotFound()
    return ledger


def area_by_code(*, viewer, code: str) -> Area:
    """An area by its statistical code, as the command takes it; NotFound out of sight."""
    if viewer is None:
        area = Area.objects.filter(code=code).first()
        if area is None:
            raise NotFound(field="area")
        return area
    return scope_for(viewer).get(Area.objects.all(), code=code)


def subject_for(
    *, viewer, ledger: Ledger | None, area=None, org=None, period: str | None = None
) -> Subject:
    """The subject a ledger is generated for: `area` (an Area, or its id) or `org` (an
    id), seen by the viewer, and the period text (2026, 2026-03, 2026-Q1; this year when
    empty). A ledger that takes no period still carries this year's, unused. Without a
    ledger (the list page), the choice is checked for visibility only."""
    parsed: Period = parse_period(period)
    found_org = org_for_viewer(viewer, org) if org not in (None, "") else None
    found_area = None
    if found_org is None:
        if area in (None, ""):
            raise ValidationFailed(MSG_SUBJECT, field="area", code=LedgerErrorCode.SUBJECT_REQUIRED)
        found_area = area if isinstance(area, Area) else get_area_for_view(viewer, area)
    subject = Subject(area=found_area, org=found_org, period=parsed)
    if ledger is not None and not ledger.accepts(subject.kind):
        raise ValidationFailed(
            MSG_SUBJECT_KIND, field=subject.kind, code=LedgerErrorCode.SUBJECT_NOT_ACCEPTED
        )
    return subject


@dataclass
class Table:
    """A generated ledger: what it is, for whom and when, and its rows."""

    ledger: Ledger
    subject: Subject
    rows: list[tuple[Any, ...]]
    truncated: bool
    generated_at: datetime.datetime

    @property
    def source(self) -> str:
        return f"{self.ledger.app} · {self.ledger.source}"


def ledger_table(
    *,
    viewer,
    ledger: Ledger,
    subject: Subject,
    generated_at: datetime.datetime | None = None,
    limit: int = MAX_ROWS,
    progress=None,
) -> Table:
    """The ledger's rows for the subject, at most `limit`. `progress(done, None)` (a
    background job's) hears of the rows read so far: how many there will be is unknown."""
    rows = []
    for row in itertools.islice(ledger.rows(viewer, subject), limit + 1):
        rows.append(tuple(row))
        if progress is not None:
            progress(len(rows), None)
    truncated = len(rows) > limit
    when = (generated_at or timezone.now()).replace(microsecond=0)
    return Table(ledger, subject, rows[:limit], truncated, when)


def subject_areas(*, viewer) -> QuerySet[Area]:
    """The areas a viewer may pull a ledger for: each of their territories and two
    levels below it (a district's streets and communities), by path (the page's picker,
    `ledger-areas`, offers the first of them and a search)."""
    scope = scope_for(viewer)
    if scope.everything:
        roots = list(Area.objects.filter(parent__isnull=True))
    else:
        roots = list(Area.objects.filter(path__in=scope.area_roots()))
    condition = Q(pk__in=[])
    for root in roots:
        condition |= Q(path__startswith=root.path, depth__lte=root.depth + 2)
    areas = Area.objects.select_related("parent").filter(condition)
    return scope.filter(areas).order_by("path")


def subject_orgs(*, viewer) -> QuerySet:
    """The orgs a viewer may pull a ledger for (the orgs app's source, by path)."""
    return org_choices(viewer)
