"""Organizational life's to-dos on the workbench (dashboard.workbench): orgs behind on
their required meetings this year, required meetings whose period ends soon and that
have not been held enough yet, meeting decisions due, contact-point problems open, and
household visits whose raised problem went nowhere yet.

The compliance rules are orglife.compliance's; this module only reads which of the
viewer's orgs owe what, in a few queries whatever the number of orgs (the requirements,
the orgs, their yearly rows, and the meetings of those without a fresh row)."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, F, Min, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from jiceng.core.scope import KIND_ORGLIFE, Scope, scope_for
from jiceng.dashboard.workbench import (
    OPEN,
    OVERDUE,
    Todo,
    TodoSource,
    due_soon_window,
    few_or_many,
    items_from,
    register_source,
    urgency_of,
)
from jiceng.orglife import compliance, rollup, selectors
from jiceng.orglife.models import ComplianceYear, ContactProblem, MeetingKind, MeetingTask
from jiceng.orgs.models import PartyOrg

# A required meeting still owed in the current period shows from this many days before
# the period ends (a month's meeting is not "to do" on the first of the month).
MEETING_DUE_DAYS = 14
# An area's path holds one "code/" per level: city 1, district 2, street 3.
STREET_DEPTH = 3


@dataclass
class MeetingDues:
    """What the viewer's orgs owe: those behind in a period already over this year, and
    per (meeting kind, period end) the orgs that have not yet held it enough."""

    behind: list[PartyOrg] = field(default_factory=list)
    owing: dict[tuple[str, datetime.date], list[PartyOrg]] = field(default_factory=dict)


def meeting_dues(*, viewer, today: datetime.date) -> MeetingDues:
    """Read off the orgs' yearly rows (orglife.rollup) where they are fresh: behind when
    the first gap ended before today, owing each gap whose period ends within the
    horizon. An org without a fresh row is computed from its meetings, to the same
    answer (`compliance.compute` as of today)."""
    required = selectors.requirements()
    key = rollup.requirements_key(required)
    kinds = {k.strip() for r in required for k in r.org_kinds.split(",")}
    start, end = compliance.year_range(today.year)
    orgs = list(
        scope_for(viewer)
        .filter(PartyOrg.objects.filter(kind__in=kinds))
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gte=start))
        .only("id", "name", "kind", "path", "established_on", "closed_on")
        .order_by("path")
    )
    rows = {
        row.org_id: row
        for row in ComplianceYear.objects.filter(
            year=today.year, org_id__in=[org.pk for org in orgs]
        )
        .filter(rollup.fresh(key))
        .only("org_id", "first_gap", "gap_ends")
    }
    facts = _meeting_facts(viewer, [org.pk for org in orgs if org.pk not in rows], start, end)
    dues = MeetingDues()
    horizon = today + datetime.timedelta(days=MEETING_DUE_DAYS)
    times = {r.kind: r.times for r in required}
    for org in orgs:
        row = rows.get(org.pk)
        if row is not None:
            if row.first_gap is not None and row.first_gap < today:
                dues.behind.append(org)
            for period_end, kind, _label in row.gap_ends:
                ends = datetime.date.fromisoformat(period_end)
                if today <= ends <= horizon:
                    dues.owing.setdefault((kind, ends), []).append(org)
            continue
        own = facts.get(org.pk, [])
        result = compliance.compute(org, required, own, start=start, end=end, today=today)
        if result.behind:
            dues.behind.append(org)
        for line in result.kinds:
            for period in line.in_progress:
                if period.end > horizon:
                    continue
                held = sum(
                    1
                    for fact in own
                    if fact.kind == line.kind and period.start <= fact.held_on <= period.end
                )
                if held < times[line.kind]:
                    dues.owing.setdefault((line.kind, period.end), []).append(org)
    return dues


def _meeting_facts(viewer, org_ids: list[int], start, end):
    """The year's meetings of the orgs without a fresh row (none read when all have)."""
    facts: dict[int, list[compliance.MeetingFact]] = defaultdict(list)
    if not org_ids:
        return facts
    rows = (
        selectors.meeting_list(viewer=viewer)
        .filter(org_id__in=org_ids, held_on__range=(start, end))
        .values_list("org_id", "kind", "held_on", "register_count", "attended_count")
        .order_by()
    )
    for org_id, kind, held_on, register_count, attended_count in rows:
        facts[org_id].append(
            compliance.MeetingFact(kind, held_on, register_count or 0, attended_count or 0)
        )
    return facts


def _org_url(viewer, scope: Scope, orgs: list[PartyOrg]) -> str:
    """One org: its own compliance page; several: the territory's compliance page, or
    for an org-bound viewer (who has no territory to start from) the first org's."""
    if len(orgs) == 1 or not (scope.everything or scope.area_roots()):
        return reverse("orglife:org_compliance", args=[orgs[0].pk])
    return reverse("orglife:compliance") + "?behind=1"


def works_meetings(scope: Scope) -> bool:
    """Streets, communities and unit orgs see which of their orgs owe meetings; a
    district or the city sees the number of orgs behind among the territory's figures
    (orglife.indicators), not every org's dues computed again on each home page."""
    if scope.everything:
        return False
    return not any(g.area_path and g.area_path.count("/") < STREET_DEPTH for g in scope.grants)


def _meeting_items(viewer, scope: Scope, now) -> list[Todo]:
    if not works_meetings(scope):
        return []
    today = timezone.localdate(now)
    dues = meeting_dues(viewer=viewer, today=today)
    items = []
    if dues.behind:
        single = dues.behind[0].name if len(dues.behind) == 1 else ""
        items.append(
            Todo(
                source="orglife_meetings",
                title=_with(gettext("三会一课未达标的党组织"), single),
                action=gettext("补开缺少的会议并登记"),
                url=_org_url(viewer, scope, dues.behind),
                urgency=OVERDUE,
                count=len(dues.behind),
                is_group=len(dues.behind) > 1,
            )
        )
    for (kind, period_end), orgs in sorted(dues.owing.items(), key=lambda p: (p[0][1], p[0][0])):
        single = orgs[0].name if len(orgs) == 1 else ""
        items.append(
            Todo(
                source="orglife_meetings",
                title=_with(
                    gettext("本期尚未召开：{kind}").format(kind=MeetingKind(kind).label), single
                ),
                action=gettext("按期召开并登记"),
                url=_org_url(viewer, scope, orgs),
                urgency=urgency_of(period_end, now),
                due=period_end,
                count=len(orgs),
                is_group=len(orgs) > 1,
            )
        )
    return items


def _with(title: str, name: str) -> str:
    return f"{title} · {name}" if name else title


def tasks_due(*, viewer, today: datetime.date):
    """Open meeting decisions whose deadline is within the window or past."""
    return selectors.task_list(viewer=viewer, status=MeetingTask.Status.OPEN).filter(
        deadline__lte=today + due_soon_window()
    )


def _task_items(viewer, scope: Scope, now) -> list[Todo]:
    today = timezone.localdate(now)
    tasks = tasks_due(viewer=viewer, today=today)

    def one(task: MeetingTask) -> Todo:
        return Todo(
            source="orglife_tasks",
            title=f"{task.decision} · {task.meeting.org.name}",
            action=gettext("落实会议决定（责任人：{owner}）").format(
                owner=task.owner_member.name if task.owner_member else task.owner_name
            ),
            url=reverse("orglife:meeting", args=[task.meeting_id]),
            urgency=urgency_of(task.deadline, now),
            due=task.deadline,
        )

    def many() -> list[Todo]:
        row = tasks.order_by().aggregate(n=Count("id"), first=Min("deadline"))
        return [
            Todo(
                source="orglife_tasks",
                title=gettext("到期的会议决定事项"),
                action=gettext("落实并登记完成情况"),
                url=reverse("orglife:meetings"),
                urgency=urgency_of(row["first"], now),
                due=row["first"],
                count=row["n"],
                is_group=True,
            )
        ]

    return items_from(few_or_many(tasks), one, many)


def _problem_items(viewer, scope: Scope, now) -> list[Todo]:
    # Dated problems first, soonest first (SQLite and PostgreSQL put NULLs apart).
    problems = selectors.problem_list(viewer=viewer, status=ContactProblem.Status.OPEN).order_by(
        F("deadline").asc(nulls_last=True), "id"
    )

    def one(problem: ContactProblem) -> Todo:
        return Todo(
            source="orglife_problems",
            title=f"{problem.text[:40]} · {problem.point.org.name}",
            action=gettext("解决联系点反映的问题"),
            url=reverse("orglife:contact_point", args=[problem.point_id]),
            urgency=urgency_of(problem.deadline, now),
            due=problem.deadline,
        )

    def many() -> list[Todo]:
        row = problems.order_by().aggregate(n=Count("id"), first=Min("deadline"))
        return [
            Todo(
                source="orglife_problems",
                title=gettext("联系点未解决的问题"),
                action=gettext("逐项解决并登记"),
                url=reverse("orglife:contact_points"),
                urgency=urgency_of(row["first"], now),
                due=row["first"],
                count=row["n"],
                is_group=True,
            )
        ]

    return items_from(few_or_many(problems), one, many)


def _visit_items(viewer, scope: Scope, now) -> list[Todo]:
    """Visits where a household raised something that has not been handed on yet (to
    an appeal, a need or a deliberation issue)."""
    if not (scope.everything or scope.managed_area_paths() or scope.managed_org_paths()):
        return []
    count = (
        selectors.visit_list(viewer=viewer)
        .exclude(raised="")
        .filter(appeal__isnull=True, need__isnull=True, issue__isnull=True)
        .order_by()
        .count()
    )
    if not count:
        return []
    return [
        Todo(
            source="orglife_visits",
            title=gettext("走访中反映、尚未转办的问题"),
            action=gettext("转为诉求、需求或议事议题"),
            url=reverse("orglife:households"),
            urgency=OPEN,
            count=count,
            is_group=True,
        )
    ]


def register() -> None:
    for key, label, items, order in (
        ("orglife_meetings", _("三会一课"), _meeting_items, 30),
        ("orglife_tasks", _("会议决定事项"), _task_items, 31),
        ("orglife_problems", _("联系点问题"), _problem_items, 32),
        ("orglife_visits", _("党员联户走访"), _visit_items, 33),
    ):
        register_source(
            TodoSource(key=key, label=label, kind=KIND_ORGLIFE, items=items, order=order)
        )
