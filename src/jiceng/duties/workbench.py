"""The duties app's to-dos on the workbench (dashboard.workbench):

- the district (its organization department): applications waiting for review;
- a street: consent requests waiting for its answer;
- a department (or the district, for proposals addressed to it): proposals and
  coordination requests waiting for its answer;
- the side that asked: its requests past the deadline without an answer (to chase).

Each source decides from the scope whether it applies (no query), then reads in one or
two queries whatever the number of rows."""

import datetime

from django.db.models import Count, Min, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from jiceng.appeals.own_work import units_of
from jiceng.core.roles import Role
from jiceng.core.scope import KIND_DUTY, Scope
from jiceng.dashboard.workbench import (
    OPEN,
    OVERDUE,
    Todo,
    TodoSource,
    few_or_many,
    items_from,
    register_source,
    urgency_of,
)
from jiceng.duties import selectors
from jiceng.duties.models import Duty, PowerRequest

# An area's path holds one "code/" per level: city 1, district 2, street 3.
STREET_DEPTH = 3
REVIEWERS = (Role.CITY_ADMIN, Role.DISTRICT_ADMIN)
Kind = PowerRequest.Kind


def _paths(scope: Scope, roles) -> list[str]:
    return [g.area_path for g in scope.grants if g.area_path and g.role in roles]


def _under(paths: list[str], lookup: str) -> Q:
    condition = Q(pk__in=[])
    for path in paths:
        condition |= Q(**{f"{lookup}__startswith": path})
    return condition


def _group(source: str, title: str, action: str, url: str, row: dict, now) -> list[Todo]:
    if not row["n"]:
        return []
    return [
        Todo(
            source=source,
            title=title,
            action=action,
            url=url,
            urgency=urgency_of(row["due"], now),
            due=row["due"],
            count=row["n"],
            is_group=True,
        )
    ]


# ---- the district's review --------------------------------------------------------------


def duties_to_review(*, viewer, scope: Scope):
    duties = selectors.duties_pending_review(viewer=viewer)
    if not scope.everything:
        duties = duties.filter(_under(_paths(scope, REVIEWERS), "district__path"))
    return duties


def _review_items(viewer, scope: Scope, now) -> list[Todo]:
    if not (scope.everything or _paths(scope, REVIEWERS)):
        return []
    duties = duties_to_review(viewer=viewer, scope=scope)
    listing = few_or_many(duties)

    def one(duty: Duty) -> Todo:
        return Todo(
            source="duties_review",
            title=f"{duty.title} · {duty.department.name}",
            action=gettext("审核下沉事项（准入或不予准入）"),
            url=reverse("duties:detail", args=[duty.pk]),
            urgency=OPEN,
            due=None,
        )

    def many() -> list[Todo]:
        row = duties.order_by().aggregate(n=Count("id"), due=Min("submitted_at"))
        return [
            Todo(
                source="duties_review",
                title=gettext("待审核的下沉事项"),
                action=gettext("审核"),
                url=reverse("duties:index") + "?state=submitted",
                urgency=OPEN,
                count=row["n"],
                is_group=True,
            )
        ]

    return items_from(listing, one, many)


# ---- requests waiting for the viewer's answer -------------------------------------------


def requests_to_answer(*, viewer, scope: Scope):
    """Open requests the viewer answers: consent for the streets the viewer manages as
    a street; proposals and coordination for the viewer's departments, and those
    addressed to a district the viewer reviews for."""
    streets = [p for p in scope.managed_area_paths() if p.count("/") == STREET_DEPTH]
    districts = _paths(scope, REVIEWERS)
    condition = Q(kind=Kind.CONSENT) & _under(streets, "street__path")
    condition |= ~Q(kind=Kind.CONSENT) & Q(department__in=units_of(viewer.pk))
    condition |= (
        ~Q(kind=Kind.CONSENT) & Q(department__isnull=True) & _under(districts, "district__path")
    )
    return (
        selectors.power_request_list(viewer=viewer, state=PowerRequest.State.OPEN)
        .filter(condition)
        .order_by("due_on", "id")
    )


def _request_todo(source: str, request: PowerRequest, action: str, now) -> Todo:
    return Todo(
        source=source,
        title=f"{request.get_kind_display()} · {request.subject}",
        action=action,
        url=reverse("duties:request", args=[request.pk]),
        urgency=urgency_of(request.due_on, now),
        due=request.due_on,
    )


def _answer_items(viewer, scope: Scope, now) -> list[Todo]:
    if scope.everything:
        return []
    rows = requests_to_answer(viewer=viewer, scope=scope)
    listing = few_or_many(rows)

    def many() -> list[Todo]:
        row = rows.order_by().aggregate(n=Count("id"), due=Min("due_on"))
        url = reverse("duties:requests")
        title = gettext("待答复的街道权力事项")
        return _group("duties_answer", title, gettext("答复"), url, row, now)

    def one(request: PowerRequest) -> Todo:
        return _request_todo("duties_answer", request, gettext("答复"), now)

    return items_from(listing, one, many)


# ---- what the viewer asked and is still unanswered past the deadline --------------------


def requests_overdue_asked(*, viewer, scope: Scope, today: datetime.date):
    streets = [p for p in scope.managed_area_paths() if p.count("/") == STREET_DEPTH]
    asked = Q(kind=Kind.CONSENT) & Q(department__in=units_of(viewer.pk))
    asked |= ~Q(kind=Kind.CONSENT) & _under(streets, "street__path")
    return (
        selectors.power_request_list(viewer=viewer, overdue=True)
        .filter(asked)
        .filter(due_on__lt=today)
        .order_by("due_on", "id")
    )


def _overdue_items(viewer, scope: Scope, now) -> list[Todo]:
    if scope.everything:
        return []
    rows = requests_overdue_asked(viewer=viewer, scope=scope, today=timezone.localdate(now))
    listing = few_or_many(rows)

    def one(request: PowerRequest) -> Todo:
        todo = _request_todo("duties_overdue", request, gettext("超期未答复，催办"), now)
        return Todo(**{**todo.__dict__, "urgency": OVERDUE})

    def many() -> list[Todo]:
        row = rows.order_by().aggregate(n=Count("id"), due=Min("due_on"))
        url = reverse("duties:requests") + "?overdue=1"
        return _group("duties_overdue", gettext("超期未答复的事项"), gettext("催办"), url, row, now)

    return items_from(listing, one, many)


def register() -> None:
    for key, label, items, order in (
        ("duties_review", _("下沉事项审核"), _review_items, 60),
        ("duties_answer", _("征得同意与建议待答复"), _answer_items, 61),
        ("duties_overdue", _("超期未答复"), _overdue_items, 62),
    ):
        register_source(TodoSource(key=key, label=label, kind=KIND_DUTY, items=items, order=order))
