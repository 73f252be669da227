"""The workbench registry: urgency from deadlines, the order of the list, and a source's
switch from listing items to counting them."""

import datetime

import pytest
from django.utils import timezone

from jiceng.core.scope import Scope
from jiceng.dashboard import workbench
from jiceng.dashboard.workbench import (
    DUE_SOON,
    OPEN,
    OVERDUE,
    Todo,
    TodoSource,
    few_or_many,
    sort_key,
    urgency_of,
)

NOW = datetime.datetime(2026, 6, 10, 9, 0, tzinfo=datetime.UTC)


def test_urgency_follows_the_deadline_and_the_apps_own_overdue_mark():
    assert urgency_of(NOW - datetime.timedelta(minutes=1), NOW) == OVERDUE
    assert urgency_of(NOW + datetime.timedelta(days=2), NOW) == DUE_SOON
    assert urgency_of(NOW + datetime.timedelta(days=4), NOW) == OPEN
    assert urgency_of(None, NOW) == OPEN
    assert urgency_of(NOW + datetime.timedelta(days=30), NOW, overdue=True) == OVERDUE
    # A date is due until the end of that day, local time (Asia/Shanghai).
    today = timezone.localdate(NOW)
    assert urgency_of(today, NOW) == DUE_SOON
    assert urgency_of(today - datetime.timedelta(days=1), NOW) == OVERDUE


def test_the_window_of_due_soon_is_a_setting(settings):
    settings.WORKBENCH_DUE_SOON_DAYS = 10
    assert urgency_of(NOW + datetime.timedelta(days=9), NOW) == DUE_SOON


def _todo(title, urgency, due=None):
    return Todo(source="s", title=title, action="a", url="/", urgency=urgency, due=due)


def test_overdue_first_then_by_deadline_and_undated_last():
    later = NOW + datetime.timedelta(days=9)
    items = [
        _todo("open undated", OPEN),
        _todo("open later", OPEN, later),
        _todo("soon", DUE_SOON, NOW + datetime.timedelta(days=1)),
        _todo("overdue undated", OVERDUE),
        _todo("overdue old", OVERDUE, NOW - datetime.timedelta(days=30)),
        _todo("overdue recent", OVERDUE, (NOW - datetime.timedelta(days=1)).date()),
    ]
    ordered = [t.title for t in sorted(items, key=sort_key)]
    assert ordered == [
        "overdue old",
        "overdue recent",
        "overdue undated",
        "soon",
        "open later",
        "open undated",
    ]


def test_sources_are_asked_only_when_the_viewer_sees_their_kind(monkeypatch):
    monkeypatch.setattr(workbench, "_SOURCES", {})
    asked = []

    def items(viewer, scope, now):
        asked.append(viewer)
        return [_todo("x", OPEN)]

    workbench.register_source(TodoSource(key="k", label="L", kind="appeal", items=items))
    grid = Scope(grants=(workbench_grant("grid_worker"),), roles=frozenset({"grid_worker"}))
    member = Scope(grants=(workbench_grant("member"),), roles=frozenset({"member"}))
    assert [s.key for s in workbench.sources_for(grid)] == ["k"]
    assert workbench.sources_for(member) == []


def workbench_grant(role):
    from jiceng.core.scope import Grant

    return Grant(role=role, area_path="310000000000/")


@pytest.mark.django_db
def test_few_are_listed_and_more_are_counted(territory):
    from jiceng.core.models import Area

    areas = Area.objects.order_by("path")
    total = areas.count()
    assert total > 3
    few = few_or_many(areas, limit=total)
    assert not few.more and len(few.rows) == total
    many = few_or_many(areas, limit=3)
    assert many.more and len(many.rows) == 3
    listed = workbench.items_from(few, lambda a: _todo(a.name, OPEN), lambda: [])
    counted = workbench.items_from(many, lambda a: _todo(a.name, OPEN), lambda: ["group"])
    assert len(listed) == total and counted == ["group"]
