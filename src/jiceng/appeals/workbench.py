"""The appeals app's to-dos on the workbench (dashboard.workbench).

- a grid worker: the open cases in his grid that are overdue or due soon;
- a handling unit (by membership, or the community's or street's own unit for the
  staff who manage it): cases to sign for and to answer, and summonses to answer;
- a street: cases waiting for dispatch (unroutable, returned, reopened), the possible
  duplicates among them, and departments summoned that have not reported or acted;
- a street, district or city: the children with overdue cases.

Each source decides from the scope whether it applies (no query), then reads in one or
two queries whatever the number of cases.
"""

import datetime

from django.conf import settings
from django.db.models import Count, Min, Q, QuerySet
from django.db.models.functions import Substr
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from jiceng.appeals import open_rollup
from jiceng.appeals.deadlines import AWAITING_REPLY, AWAITING_RESPONSE
from jiceng.appeals.models import Appeal, HandlingUnit, SummonsTarget
from jiceng.appeals.selectors import appeal_list, appeal_visible, summons_board
from jiceng.core import rollups
from jiceng.core.models import Area
from jiceng.core.roles import Role
from jiceng.core.scope import KIND_APPEAL, Scope, scope_for
from jiceng.dashboard.workbench import (
    OVERDUE,
    Todo,
    TodoSource,
    due_soon_window,
    few_or_many,
    items_from,
    register_source,
    urgency_of,
)

S = Appeal.State
# Cases a unit holds: to sign for (dispatched), then to answer.
HANDLING = [S.DISPATCHED, S.ACCEPTED, S.IN_PROGRESS]
# Cases waiting for the street to dispatch (appeals.selectors.street_queue).
WAITING_DISPATCH = [S.RECEIVED, S.RETURNED, S.REOPENED]
LATE = Q(response_overdue=True) | Q(resolution_overdue=True)
# An area's path holds one "code/" per level: city 1, district 2, street 3.
STREET_DEPTH = 3
# The children of a city, district or street have 12-digit codes
# (dashboard.registry.child_code_length).
CHILD_CODE_LENGTH = 12


def _detail(appeal: Appeal) -> str:
    return reverse("appeals:detail", args=[appeal.pk])


def case_due(appeal: Appeal) -> datetime.datetime:
    """The case's next deadline: the response while it waits for one, then the reply."""
    if appeal.responded_at is None and appeal.state in AWAITING_RESPONSE:
        return appeal.response_due_at
    return appeal.resolution_due_at


def _case_title(appeal: Appeal) -> str:
    return f"{appeal.tracking_code} {appeal.category.name} · {appeal.area.name}"


def _case(appeal: Appeal, source: str, action: str, now) -> Todo:
    due = case_due(appeal)
    late = appeal.response_overdue or appeal.resolution_overdue
    return Todo(
        source=source,
        title=_case_title(appeal),
        action=action,
        url=_detail(appeal),
        urgency=urgency_of(due, now, overdue=late),
        due=due,
    )


def _late_note(late: int) -> str:
    return gettext("其中 {n} 件已超时").format(n=late) if late else ""


def _join(*parts: str) -> str:
    return "，".join(p for p in parts if p)


# ---- a grid worker's grid -----------------------------------------------------------------


def grid_paths(scope: Scope) -> list[str]:
    return [g.area_path for g in scope.grants if g.role == Role.GRID_WORKER and g.area_path]


def grid_cases(*, viewer, now: datetime.datetime) -> QuerySet[Appeal]:
    """Open cases in the viewer's grids that are overdue or due within the window."""
    soon = now + due_soon_window()
    places = Q(pk__in=[])
    for path in grid_paths(scope_for(viewer)):
        places |= Q(area__path__startswith=path)
    pressing = (
        LATE
        | Q(resolution_due_at__lte=soon)
        | Q(responded_at__isnull=True, state__in=AWAITING_RESPONSE, response_due_at__lte=soon)
    )
    return (
        appeal_visible(viewer)
        .filter(places, state__in=AWAITING_REPLY)
        .filter(pressing)
        .order_by("resolution_due_at", "id")
    )


def _grid_items(viewer, scope: Scope, now) -> list[Todo]:
    if not grid_paths(scope):
        return []
    cases = grid_cases(viewer=viewer, now=now)
    listing = few_or_many(cases)

    def one(appeal: Appeal) -> Todo:
        action = gettext("跟进办理（{state}）").format(state=Appeal.State(appeal.state).label)
        return _case(appeal, "appeals_grid", action, now)

    def many() -> list[Todo]:
        row = cases.order_by().aggregate(
            n=Count("id"), late=Count("id", filter=LATE), due=Min("resolution_due_at")
        )
        return [
            Todo(
                source="appeals_grid",
                title=gettext("网格内即将到期或超时的诉求"),
                action=_join(gettext("逐件跟进办理"), _late_note(row["late"])),
                url=reverse("appeals:list") + "?state=open",
                urgency=urgency_of(row["due"], now, overdue=bool(row["late"])),
                due=row["due"],
                count=row["n"],
                is_group=True,
            )
        ]

    return items_from(listing, one, many)


# ---- a handling unit's queue --------------------------------------------------------------


def own_units(viewer, scope: Scope) -> list[int]:
    """The ids of the units whose queue is the viewer's own: those they are a handler of,
    and the community's or street's own unit for the staff who manage exactly that place
    (the units below it have their own people; appeals.selectors.handler_units lists
    those too, for the queue page). Read once per page (core.rollups.reading).

    Ids, not a subquery: most viewers have none or a few, and with a subquery the
    database walked every case in handling in deadline order to find them (85 ms for the
    city's account, which has none). Two indexed reads in one UNION, not one OR across
    the handlers and the areas, which read every unit and area (37 ms)."""

    def ids() -> list[int]:
        active = HandlingUnit.objects.filter(is_active=True).order_by()
        handled = active.filter(handlers__user=viewer, handlers__ended_at__isnull=True)
        paths = list(scope.managed_area_paths())
        placed = active.filter(area__path__in=paths).exclude(kind=HandlingUnit.Kind.DEPARTMENT)
        both = handled.values_list("pk", flat=True).union(placed.values_list("pk", flat=True))
        return sorted(both)

    return rollups.memoized(("appeals_own_units", viewer.pk), ids)


UNIT_ACTIONS = {
    S.DISPATCHED: _("签收"),
    S.ACCEPTED: _("开始办理或答复"),
    S.IN_PROGRESS: _("办理并答复"),
}


def unit_cases(*, viewer) -> QuerySet[Appeal]:
    """Cases sent to the viewer's own units and not yet answered, oldest deadline first."""
    return (
        Appeal.objects.filter(unit__in=own_units(viewer, scope_for(viewer)), state__in=HANDLING)
        .select_related("category", "area")
        .order_by("resolution_due_at", "id")
    )


def _unit_items(viewer, scope: Scope, now) -> list[Todo]:
    if scope.everything:
        return []
    cases = unit_cases(viewer=viewer)
    listing = few_or_many(cases)

    def one(appeal: Appeal) -> Todo:
        return _case(appeal, "appeals_unit", str(UNIT_ACTIONS[appeal.state]), now)

    def many() -> list[Todo]:
        signing = Q(state=S.DISPATCHED)
        answering = ~signing
        row = cases.order_by().aggregate(
            sign=Count("id", filter=signing),
            sign_late=Count("id", filter=signing & LATE),
            sign_due=Min("response_due_at", filter=signing),
            answer=Count("id", filter=answering),
            answer_late=Count("id", filter=answering & LATE),
            answer_due=Min("resolution_due_at", filter=answering),
        )
        url = reverse("appeals:queue")
        groups = []
        for key, title, action in (
            ("sign", gettext("待签收的诉求"), gettext("签收")),
            ("answer", gettext("办理中待答复的诉求"), gettext("办理并答复")),
        ):
            if row[key]:
                late = row[f"{key}_late"]
                groups.append(
                    Todo(
                        source="appeals_unit",
                        title=title,
                        action=_join(action, _late_note(late)),
                        url=url,
                        urgency=urgency_of(row[f"{key}_due"], now, overdue=bool(late)),
                        due=row[f"{key}_due"],
                        count=row[key],
                        is_group=True,
                    )
                )
        return groups

    return items_from(listing, one, many)


def _summons_target_items(viewer, scope: Scope, now) -> list[Todo]:
    """Summonses sent to the viewer's own units (departments): report, then act."""
    if scope.everything:
        return []
    targets = (
        SummonsTarget.objects.filter(unit__in=own_units(viewer, scope), acted_at__isnull=True)
        .select_related("summons__appeal__category", "summons__appeal__area")
        .order_by("report_due_at", "id")
    )
    listing = few_or_many(targets)
    url = reverse("appeals:queue")

    def one(target: SummonsTarget) -> Todo:
        reported = target.reported_at is not None
        due = target.act_due_at if reported else target.report_due_at
        return Todo(
            source="appeals_summoned",
            title=_case_title(target.summons.appeal),
            action=gettext("吹哨：记录处置情况") if reported else gettext("吹哨：报到"),
            url=url,
            urgency=urgency_of(due, now),
            due=due,
        )

    def many() -> list[Todo]:
        row = targets.order_by().aggregate(
            report=Count("id", filter=Q(reported_at__isnull=True)),
            report_due=Min("report_due_at", filter=Q(reported_at__isnull=True)),
            act=Count("id", filter=Q(reported_at__isnull=False)),
            act_due=Min("act_due_at", filter=Q(reported_at__isnull=False)),
        )
        return [
            Todo(
                source="appeals_summoned",
                title=title,
                action=action,
                url=url,
                urgency=urgency_of(row[f"{key}_due"], now),
                due=row[f"{key}_due"],
                count=row[key],
                is_group=True,
            )
            for key, title, action in (
                ("report", gettext("待报到的吹哨"), gettext("报到")),
                ("act", gettext("已报到待处置的吹哨"), gettext("记录处置情况")),
            )
            if row[key]
        ]

    return items_from(listing, one, many)


# ---- a street's dispatch and summons board ------------------------------------------------


def street_paths(scope: Scope) -> list[str]:
    """The streets the viewer manages as a street (street staff)."""
    return [p for p in scope.managed_area_paths() if p.count("/") == STREET_DEPTH]


def duplicate_reasons() -> list[str]:
    """The reason written on a case held back as a possible duplicate, in each language
    it may have been written in (the text is stored as shown to the person filing)."""
    from jiceng.appeals.errors import MSG_POSSIBLE_DUPLICATE

    reasons = set()
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            reasons.add(str(MSG_POSSIBLE_DUPLICATE))
    return sorted(reasons)


def street_waiting(*, viewer, paths: list[str]) -> list[dict]:
    """Per street: cases waiting for dispatch, how many of them may be duplicates, and
    the earliest response deadline of each. One grouped query."""
    duplicate = Q(unroutable_reason__in=duplicate_reasons())
    return list(
        appeal_visible(viewer)
        .filter(
            street__path__in=paths,
            state__in=WAITING_DISPATCH,
            routing_pending=False,
            placement_pending=False,
        )
        .values("street_id", "street__name")
        .annotate(
            waiting=Count("id", filter=~duplicate),
            waiting_late=Count("id", filter=~duplicate & LATE),
            waiting_due=Min("response_due_at", filter=~duplicate),
            duplicates=Count("id", filter=duplicate),
            duplicates_late=Count("id", filter=duplicate & LATE),
            duplicates_due=Min("response_due_at", filter=duplicate),
        )
        .order_by("street__name")
    )


def _street_items(viewer, scope: Scope, now) -> list[Todo]:
    paths = street_paths(scope)
    if not paths:
        return []
    items = []
    for row in street_waiting(viewer=viewer, paths=paths):
        url = reverse("appeals:street") + f"?street={row['street_id']}"
        for key, title, action in (
            ("waiting", gettext("待派单的诉求"), gettext("派单")),
            ("duplicates", gettext("疑似重复的诉求"), gettext("确认是否重复，再派单")),
        ):
            if row[key]:
                late = row[f"{key}_late"]
                items.append(
                    Todo(
                        source="appeals_street",
                        title=f"{title} · {row['street__name']}",
                        action=_join(action, _late_note(late)),
                        url=url,
                        urgency=urgency_of(row[f"{key}_due"], now, overdue=bool(late)),
                        due=row[f"{key}_due"],
                        count=row[key],
                        is_group=True,
                    )
                )
    return items


def street_summons(*, viewer, paths: list[str]) -> list[dict]:
    """Per street: departments summoned that have not reported, and those reported but
    not acted, with the earliest deadline of each. One grouped query."""
    unreported = Q(reported_at__isnull=True)
    return list(
        summons_board(viewer=viewer)
        .filter(summons__street__path__in=paths, acted_at__isnull=True)
        .values("summons__street_id", "summons__street__name")
        .annotate(
            report=Count("id", filter=unreported),
            report_due=Min("report_due_at", filter=unreported),
            act=Count("id", filter=~unreported),
            act_due=Min("act_due_at", filter=~unreported),
        )
        .order_by("summons__street__name")
    )


def _street_summons_items(viewer, scope: Scope, now) -> list[Todo]:
    paths = street_paths(scope)
    if not paths:
        return []
    items = []
    for row in street_summons(viewer=viewer, paths=paths):
        url = reverse("appeals:street") + f"?street={row['summons__street_id']}"
        for key, title, action in (
            ("report", gettext("吹哨后尚未报到的部门"), gettext("督促报到")),
            ("act", gettext("已报到尚未处置的部门"), gettext("督促处置")),
        ):
            if row[key]:
                items.append(
                    Todo(
                        source="appeals_street_summons",
                        title=f"{title} · {row['summons__street__name']}",
                        action=action,
                        url=url,
                        urgency=urgency_of(row[f"{key}_due"], now),
                        due=row[f"{key}_due"],
                        count=row[key],
                        is_group=True,
                    )
                )
    return items


# ---- overdue cases by child ------------------------------------------------------------------


OVERSEERS = (Role.CITY_ADMIN, Role.DISTRICT_ADMIN, Role.STREET_STAFF)


def overseen_paths(scope: Scope) -> list[str]:
    """The streets, districts and city the viewer oversees as a whole."""
    return [g.area_path for g in scope.grants if g.area_path and g.role in OVERSEERS]


def root_paths() -> list[str]:
    return list(
        Area.objects.filter(parent__isnull=True).order_by("path").values_list("path", flat=True)
    )


def overdue_by_child(*, viewer, paths: list[str]) -> list[tuple[Area, int]]:
    """The children of each overseen area that hold overdue open cases, with their
    number, most first: one grouped query and one for the children's names."""
    counts: dict[str, int] = {}
    scope = scope_for(viewer)
    for path in paths:
        if scope.covers_subtree(Appeal, path):
            # The open counters (appeals.open_rollup), as the home page's figures.
            grouped = open_rollup.by_child(path, CHILD_CODE_LENGTH)
            counts.update({c: row["overdue"] for c, row in grouped.items() if row["overdue"]})
            continue
        rows = (
            appeal_list(viewer=viewer, state="open", overdue=True)
            .filter(area__path__startswith=path)
            .annotate(child_code=Substr("area__path", len(path) + 1, CHILD_CODE_LENGTH))
            .values("child_code")
            .annotate(n=Count("id"))
            .order_by()
        )
        counts.update({r["child_code"]: r["n"] for r in rows if r["n"]})
    if not counts:
        return []
    children = Area.objects.filter(code__in=counts, parent__path__in=paths)
    return sorted(
        ((child, counts[child.code]) for child in children), key=lambda p: (-p[1], p[0].code)
    )


def _overdue_items(viewer, scope: Scope, now) -> list[Todo]:
    paths = root_paths() if scope.everything else overseen_paths(scope)
    if not paths:
        return []
    url = reverse("appeals:list")
    return [
        Todo(
            source="appeals_overdue",
            title=gettext("超时未办结的诉求 · {area}").format(area=child.name),
            action=gettext("督办"),
            url=f"{url}?area={child.pk}&state=open&overdue=1",
            urgency=OVERDUE,
            count=n,
            is_group=True,
        )
        for child, n in overdue_by_child(viewer=viewer, paths=paths)
    ]


def register() -> None:
    for key, label, items, order in (
        ("appeals_grid", _("网格内的诉求"), _grid_items, 10),
        ("appeals_unit", _("承办单位待办"), _unit_items, 11),
        ("appeals_summoned", _("吹哨报到"), _summons_target_items, 12),
        ("appeals_street", _("街道派单"), _street_items, 13),
        ("appeals_street_summons", _("吹哨督办"), _street_summons_items, 14),
        ("appeals_overdue", _("超时督办"), _overdue_items, 15),
    ):
        source = TodoSource(key=key, label=label, kind=KIND_APPEAL, items=items, order=order)
        register_source(source)
