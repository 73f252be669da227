"""The workbench in the JSON API: the viewer's to-do items, the same registry and order
as the home page (dashboard.workbench)."""

import datetime

from django.http import HttpRequest
from ninja import Router, Schema

from jiceng.core.pagination import LimitOffsetPagination, paginate
from jiceng.dashboard.workbench import Todo, workbench_items

router = Router(tags=["workbench 工作台"])


class TodoOut(Schema):
    """One thing to do: what, what needs doing, by when, how urgent, how many (a
    group), and the page where it is done."""

    source: str
    title: str
    action: str
    urgency: str  # overdue, due_soon or open
    urgency_label: str
    due: datetime.datetime | None  # the deadline as a moment (a date: the end of that day)
    due_date: datetime.date | None  # its local day
    count: int
    is_group: bool
    url: str

    @staticmethod
    def resolve_due(item: Todo) -> datetime.datetime | None:
        return item.due_at


@router.get("", response=list[TodoOut], summary="工作台待办事项")
@paginate(LimitOffsetPagination)
def workbench(request: HttpRequest) -> list[Todo]:
    """The viewer's to-do list, overdue first, then by deadline."""
    return workbench_items(viewer=request.user)
