"""Dispatch and notification on the workbench (dashboard.workbench): for a recipient,
the tasks to report (due, overdue, returned for revision) and the notices to
acknowledge; for a sender, the reports to review and the sent tasks with late
recipients to chase. A handful are listed one by one, more become one counted group."""

from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from jiceng.core.scope import KIND_LINKAGE, Scope
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
from jiceng.linkage import access, selectors
from jiceng.linkage.models import Dispatch, Report


def _answers(scope: Scope) -> bool:
    # A superuser answers for nobody in particular: no list of every recipient.
    return not scope.everything


def _reports(viewer, scope: Scope, now) -> list[Todo]:
    if not _answers(scope) or access.answerable_q(viewer) is None:
        return []
    queryset = selectors.owed_reports(viewer=viewer)
    listing = few_or_many(queryset)

    def one(report) -> Todo:
        dispatch = report.recipient.dispatch
        returned = report.state == Report.State.RETURNED
        return Todo(
            source="linkage_reports",
            title=dispatch.title,
            action=gettext("按退回意见修改后重新报送") if returned else gettext("填报任务"),
            url=reverse("linkage:received", args=[report.recipient_id]),
            urgency=OVERDUE if returned else urgency_of(dispatch.deadline, now),
            due=dispatch.deadline,
        )

    def many() -> list[Todo]:
        count = queryset.count()
        return [
            Todo(
                source="linkage_reports",
                title=gettext("上级交办任务"),
                action=gettext("待填报 %(n)d 项") % {"n": count},
                url=reverse("linkage:inbox_tasks") + "?open=1",
                urgency=OPEN,
                count=count,
                is_group=True,
            )
        ]

    return items_from(listing, one, many)


def _notices(viewer, scope: Scope, now) -> list[Todo]:
    if not _answers(scope) or access.answerable_q(viewer) is None:
        return []
    queryset = selectors.unacknowledged_notices(viewer=viewer)
    listing = few_or_many(queryset)

    def one(recipient) -> Todo:
        return Todo(
            source="linkage_notices",
            title=recipient.dispatch.title,
            action=gettext("阅知并签收通知"),
            url=reverse("linkage:received", args=[recipient.pk]),
            urgency=urgency_of(recipient.dispatch.deadline, now),
            due=recipient.dispatch.deadline,
        )

    def many() -> list[Todo]:
        count = queryset.count()
        return [
            Todo(
                source="linkage_notices",
                title=gettext("上级通知"),
                action=gettext("待签收 %(n)d 份") % {"n": count},
                url=reverse("linkage:inbox_tasks") + "?open=1",
                count=count,
                is_group=True,
            )
        ]

    return items_from(listing, one, many)


def _review(viewer, scope: Scope, now) -> list[Todo]:
    if access.sending_q(viewer) is None or scope.everything:
        return []
    queryset = selectors.to_review(viewer=viewer)
    listing = few_or_many(queryset)

    def one(report) -> Todo:
        return Todo(
            source="linkage_review",
            title=f"{report.recipient.dispatch.title} · {report.recipient.name}",
            action=gettext("审核报送"),
            url=reverse("linkage:dispatch", args=[report.recipient.dispatch_id]),
        )

    def many() -> list[Todo]:
        count = queryset.count()
        return [
            Todo(
                source="linkage_review",
                title=gettext("下级报送"),
                action=gettext("待审核 %(n)d 份") % {"n": count},
                url=reverse("linkage:dispatches"),
                count=count,
                is_group=True,
            )
        ]

    return items_from(listing, one, many)


def _chase(viewer, scope: Scope, now) -> list[Todo]:
    if access.sending_q(viewer) is None or scope.everything:
        return []
    rows = list(selectors.late_to_chase(viewer=viewer)[:8])
    return [
        Todo(
            source="linkage_chase",
            title=d.title,
            action=gettext("%(n)d 个单位逾期未报，可一键催报") % {"n": d.late_count},
            url=reverse("linkage:dispatch", args=[d.pk]),
            urgency=OVERDUE,
            due=d.deadline,
            count=d.late_count,
        )
        for d in rows
    ]


# An area's path holds one "code/" per level: district 2.
DISTRICT_DEPTH = 2


def _outside_list(viewer, scope: Scope, now) -> list[Todo]:
    """For the district: departments' open tasks its streets marked as outside their
    duty lists (清单外事项), to take up with the department while the task is live."""
    districts = [p for p in scope.managed_area_paths() if p.count("/") == DISTRICT_DEPTH]
    if scope.everything or not districts:
        return []
    queryset = selectors.outside_list_marks(viewer=viewer).filter(
        dispatch__state=Dispatch.State.SENT
    )
    listing = few_or_many(queryset)

    def one(recipient) -> Todo:
        dispatch = recipient.dispatch
        return Todo(
            source="linkage_outside_list",
            title=f"{dispatch.title} · {recipient.name}",
            action=gettext("街道标记为清单外事项：%(department)s")
            % {"department": dispatch.sender_department.name},
            url=reverse("linkage:dispatch", args=[dispatch.pk]),
            urgency=OPEN,
        )

    def many() -> list[Todo]:
        count = queryset.count()
        return [
            Todo(
                source="linkage_outside_list",
                title=gettext("街道标记的清单外事项"),
                action=gettext("待关注 %(n)d 项") % {"n": count},
                url=reverse("linkage:dispatches") + "?outside=1",
                urgency=OPEN,
                count=count,
                is_group=True,
            )
        ]

    return items_from(listing, one, many)


def register() -> None:
    for key, label, items, order in (
        ("linkage_reports", _("上级任务待填报"), _reports, 40),
        ("linkage_notices", _("上级通知待签收"), _notices, 41),
        ("linkage_review", _("下级报送待审核"), _review, 42),
        ("linkage_chase", _("逾期未报待催报"), _chase, 43),
        ("linkage_outside_list", _("街道标记的清单外事项"), _outside_list, 44),
    ):
        register_source(
            TodoSource(key=key, label=label, kind=KIND_LINKAGE, items=items, order=order)
        )
