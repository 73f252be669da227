"""Regional co-building's to-dos on the workbench (dashboard.workbench): needs not yet
matched, match proposals to decide, project steps that wait for the viewer (claim,
start, complete, evaluate), and joint-meeting decisions due.

Who does what follows cobuild.access: the community's staff decide proposals, steer
projects and record the beneficiaries' evaluation; the providing org (and those who
keep it) claims, starts and completes."""

import datetime

from django.db.models import Count, Min, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from jiceng.cobuild.models import MatchProposal, MeetingTask, Need, Project
from jiceng.cobuild.selectors import need_list, project_list, proposal_list, task_list
from jiceng.core.scope import KIND_COBUILD, Scope
from jiceng.dashboard.workbench import (
    OPEN,
    Todo,
    TodoSource,
    due_soon_window,
    few_or_many,
    items_from,
    register_source,
    urgency_of,
)


def _under(paths: list[str], lookup: str) -> Q:
    condition = Q(pk__in=[])
    for path in paths:
        condition |= Q(**{f"{lookup}__startswith": path})
    return condition


def _communities_q(scope: Scope, lookup: str) -> Q:
    if scope.everything:
        return Q()
    return _under(scope.managed_area_paths(), f"{lookup}__path")


def _staff(scope: Scope) -> bool:
    return scope.everything or bool(scope.managed_area_paths())


def needs_unmatched(*, viewer, scope: Scope) -> QuerySet[Need]:
    return need_list(viewer=viewer, status=Need.Status.OPEN).filter(
        _communities_q(scope, "community")
    )


def _need_items(viewer, scope: Scope, now) -> list[Todo]:
    if not _staff(scope):
        return []
    today = timezone.localdate(now)
    row = (
        needs_unmatched(viewer=viewer, scope=scope)
        .order_by()
        .aggregate(
            n=Count("id"),
            started=Count("id", filter=Q(window_start__lt=today)),
            first=Min("window_start"),
        )
    )
    if not row["n"]:
        return []
    action = gettext("匹配资源、立项")
    if row["started"]:
        action += "，" + gettext("其中 {n} 项已到需求开始日期").format(n=row["started"])
    return [
        Todo(
            source="cobuild_needs",
            title=gettext("待对接的需求"),
            action=action,
            url=reverse("cobuild:overview") + "?status=open",
            # A need is to be met by the day it starts.
            urgency=urgency_of(row["first"], now),
            due=row["first"],
            count=row["n"],
            is_group=True,
        )
    ]


def proposals_to_decide(*, viewer, scope: Scope) -> QuerySet[MatchProposal]:
    """Pending proposals for needs of the communities the viewer manages."""
    return proposal_list(viewer=viewer, state=MatchProposal.State.PENDING).filter(
        _communities_q(scope, "need__community")
    )


def _proposal_items(viewer, scope: Scope, now) -> list[Todo]:
    if not _staff(scope):
        return []
    row = (
        proposals_to_decide(viewer=viewer, scope=scope)
        .order_by()
        .aggregate(n=Count("id"), first=Min("need__window_start"))
    )
    if not row["n"]:
        return []
    return [
        Todo(
            source="cobuild_proposals",
            title=gettext("待确认的供需对接建议"),
            action=gettext("采纳、调整或驳回"),
            url=reverse("cobuild:matching"),
            urgency=urgency_of(row["first"], now),
            due=row["first"],
            count=row["n"],
            is_group=True,
        )
    ]


S = Project.State
PROJECT_ACTIONS = {
    S.PROPOSED: _("认领项目"),
    S.CLAIMED: _("开始实施"),
    S.IN_PROGRESS: _("完成并登记"),
    S.COMPLETED: _("登记受益群众评价"),
}


def project_steps(*, viewer, scope: Scope, today: datetime.date) -> QuerySet[Project]:
    """Projects waiting for a step the viewer may take: to claim or start (the providing
    org, or the community's staff for it), to complete once the need's window is about
    to close, and, for the community's staff, to evaluate once completed."""
    community = _communities_q(scope, "need__community")
    provider = (
        Q()
        if scope.everything
        else (
            _under(scope.managed_area_paths(), "provider_org__area__path")
            | _under(scope.managed_org_paths(), "provider_org__path")
        )
    )
    soon = today + due_soon_window()
    step = (
        Q(state__in=[S.PROPOSED, S.CLAIMED]) | Q(state=S.IN_PROGRESS, need__window_end__lte=soon)
    ) & (community | provider)
    evaluate = Q(state=S.COMPLETED) & community
    if not _staff(scope):
        evaluate = Q(pk__in=[])
    return project_list(viewer=viewer).filter(step | evaluate).order_by("need__window_end", "id")


def _project_items(viewer, scope: Scope, now) -> list[Todo]:
    if not (_staff(scope) or scope.managed_org_paths()):
        return []
    projects = project_steps(viewer=viewer, scope=scope, today=timezone.localdate(now))

    def one(project: Project) -> Todo:
        due = project.need.window_end if project.state != S.COMPLETED else None
        return Todo(
            source="cobuild_projects",
            title=f"{project.title} · {project.need.community.name}",
            action=str(PROJECT_ACTIONS[project.state]),
            url=reverse("cobuild:project", args=[project.pk]),
            urgency=urgency_of(due, now) if due else OPEN,
            due=due,
        )

    def many() -> list[Todo]:
        row = projects.order_by().aggregate(
            n=Count("id"), first=Min("need__window_end", filter=~Q(state=S.COMPLETED))
        )
        return [
            Todo(
                source="cobuild_projects",
                title=gettext("等待推进的共建项目"),
                action=gettext("认领、实施、完成或评价"),
                url=reverse("cobuild:overview"),
                urgency=urgency_of(row["first"], now),
                due=row["first"],
                count=row["n"],
                is_group=True,
            )
        ]

    return items_from(few_or_many(projects.prefetch_related(None)), one, many)


def _task_items(viewer, scope: Scope, now) -> list[Todo]:
    today = timezone.localdate(now)
    tasks = task_list(viewer=viewer, status=MeetingTask.Status.OPEN).filter(
        deadline__lte=today + due_soon_window()
    )

    def one(task: MeetingTask) -> Todo:
        owner = task.owner_member.name if task.owner_member else task.owner_name
        return Todo(
            source="cobuild_tasks",
            title=f"{task.decision} · {task.meeting.title}",
            action=gettext("落实联席会议决定（责任人：{owner}）").format(owner=owner),
            url=reverse("cobuild:meeting", args=[task.meeting_id]),
            urgency=urgency_of(task.deadline, now),
            due=task.deadline,
        )

    def many() -> list[Todo]:
        row = tasks.order_by().aggregate(n=Count("id"), first=Min("deadline"))
        return [
            Todo(
                source="cobuild_tasks",
                title=gettext("到期的联席会议决定事项"),
                action=gettext("落实并登记完成情况"),
                url=reverse("cobuild:meetings"),
                urgency=urgency_of(row["first"], now),
                due=row["first"],
                count=row["n"],
                is_group=True,
            )
        ]

    return items_from(few_or_many(tasks), one, many)


def register() -> None:
    for key, label, items, order in (
        ("cobuild_needs", _("需求清单"), _need_items, 40),
        ("cobuild_proposals", _("供需匹配"), _proposal_items, 41),
        ("cobuild_projects", _("项目清单"), _project_items, 42),
        ("cobuild_tasks", _("联席会议决定事项"), _task_items, 43),
    ):
        register_source(
            TodoSource(key=key, label=label, kind=KIND_COBUILD, items=items, order=order)
        )
