"""The workbench (工作台): what needs the viewer, from every app, soonest deadline first.

Apps plug in "to-do sources" in their AppConfig.ready(), as they do indicators
(dashboard.registry), so the dashboard never imports another app's models. A source
looks at the viewer's scope (no query) to decide whether it applies, then reads through
its app's selectors in one or two queries, whatever the data size: a handful of
things to do are listed one by one, more become one counted group that links to the
list where they are resolved.

Each item says what it is, what needs doing, by when, how urgent that is (overdue, due
soon, open) and where it is done. Nothing here is about logins or activity: every item
is work an outcome depends on.

Sources still to come (reports and tasks due from upper levels, rectification items, a
district's ranking of late streets and weak-org candidates) register the same way from
their own apps.
"""

import datetime
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jiceng.core.scope import Scope, scope_for

OVERDUE = "overdue"
DUE_SOON = "due_soon"
OPEN = "open"
URGENCY_LABELS = {OVERDUE: _("已超期"), DUE_SOON: _("即将到期"), OPEN: _("待办")}
URGENCY_RANK = {OVERDUE: 0, DUE_SOON: 1, OPEN: 2}

# Individual items a source lists before it counts them as one group instead.
LIST_LIMIT = 8


def due_soon_window() -> datetime.timedelta:
    """How far ahead "due soon" looks (settings.WORKBENCH_DUE_SOON_DAYS, three days)."""
    return datetime.timedelta(days=getattr(settings, "WORKBENCH_DUE_SOON_DAYS", 3))


def due_moment(due: datetime.date | datetime.datetime | None) -> datetime.datetime | None:
    """A deadline as a moment: a date is due until the end of that day, local time."""
    if due is None or isinstance(due, datetime.datetime):
        return due
    end = datetime.datetime.combine(due, datetime.time.max)
    return timezone.make_aware(end)


def urgency_of(
    due: datetime.date | datetime.datetime | None,
    now: datetime.datetime,
    *,
    overdue: bool = False,
) -> str:
    """Overdue when the deadline has passed (or the app already marked it overdue), due
    soon within the window, open otherwise (also when there is no deadline)."""
    moment = due_moment(due)
    if overdue or (moment is not None and moment < now):
        return OVERDUE
    if moment is not None and moment <= now + due_soon_window():
        return DUE_SOON
    return OPEN


@dataclass(frozen=True)
class Todo:
    source: str  # the key of the source that produced it
    title: str  # what it is about
    action: str  # what needs doing
    url: str  # the page where it is done
    urgency: str = OPEN
    due: datetime.date | datetime.datetime | None = None
    count: int = 1
    is_group: bool = False  # `count` things of one kind, listed on the page `url` opens

    @property
    def urgency_label(self) -> str:
        return str(URGENCY_LABELS[self.urgency])

    @property
    def due_at(self) -> datetime.datetime | None:
        return due_moment(self.due)

    @property
    def due_date(self) -> datetime.date | None:
        """The local day of the deadline, for display."""
        moment = self.due_at
        return timezone.localtime(moment).date() if moment else None


@dataclass(frozen=True)
class TodoSource:
    key: str
    label: str
    kind: str  # the core.scope kind a viewer must see for the source to be asked
    # (viewer, scope, now) → the viewer's items; [] without a query when it does not apply
    items: Callable[[object, Scope, datetime.datetime], list[Todo]]
    order: int = 100


_SOURCES: dict[str, TodoSource] = {}


def register_source(source: TodoSource) -> None:
    _SOURCES[source.key] = source


def sources_for(scope: Scope) -> list[TodoSource]:
    return sorted(
        (s for s in _SOURCES.values() if scope.can_see_kind(s.kind)),
        key=lambda s: (s.order, s.key),
    )


def sort_key(item: Todo, order: dict[str, int] | None = None):
    """Overdue first, then by deadline (none last), then by source and title."""
    moment = item.due_at
    return (
        URGENCY_RANK[item.urgency],
        moment is None,
        moment or datetime.datetime.max.replace(tzinfo=datetime.UTC),
        (order or {}).get(item.source, 100),
        item.title,
    )


def workbench_items(*, viewer, now: datetime.datetime | None = None) -> list[Todo]:
    """The viewer's to-do list from every registered source, ordered by deadline."""
    scope = scope_for(viewer)
    if scope.is_empty:
        return []
    now = now or timezone.now()
    sources = sources_for(scope)
    order = {s.key: s.order for s in sources}
    items: list[Todo] = []
    for source in sources:
        items.extend(source.items(viewer, scope, now))
    return sorted(items, key=lambda item: sort_key(item, order))


@dataclass
class Listing:
    """A source's rows: listed one by one when few, else counted as one or more groups."""

    rows: list = field(default_factory=list)
    more: bool = False


def few_or_many(queryset: QuerySet, limit: int = LIST_LIMIT) -> Listing:
    """One query: up to `limit` rows, and whether there are more (then the caller counts
    them in a second, grouped query)."""
    rows = list(queryset[: limit + 1])
    return Listing(rows=rows[:limit], more=len(rows) > limit)


def items_from(
    listing: Listing,
    one: Callable[[object], Todo],
    many: Callable[[], Sequence[Todo]],
) -> list[Todo]:
    return list(many()) if listing.more else [one(row) for row in listing.rows]


def can_file_case(scope: Scope) -> bool:
    """A grid worker on patrol files what he sees: the home page offers it first."""
    return any(g.role == "grid_worker" for g in scope.grants)


# Roles with no work of their own to list: they read (an auditor) or have their own home
# offers (a member's file, a resident's report and tracking).
NO_WORKBENCH_ROLES = frozenset({"auditor", "member", "resident"})


def has_workbench(scope: Scope) -> bool:
    if scope.everything:
        return True
    return bool(sources_for(scope)) and not scope.roles <= NO_WORKBENCH_ROLES


def workbench_context(*, viewer) -> dict:
    """What a home page shows first: the to-do list, and the one-tap filing button."""
    scope = scope_for(viewer)
    show = has_workbench(scope)
    return {
        "show_workbench": show,
        "todos": workbench_items(viewer=viewer) if show else [],
        "can_file_case": can_file_case(scope),
    }
