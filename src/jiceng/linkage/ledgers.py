"""The linkage app's standard ledger (台账): the notices and tasks sent down from the
subject's territory in the period — by the district, its streets or its departments —
with their completion as outcomes (reports still owed, submitted awaiting review) and
the streets' marks of a department's dispatch as outside their duty lists. Never the
receipts: they are for delivery, not appraisal. One query whatever the number of rows."""

from django.utils.translation import gettext_lazy as _

from jiceng.core.ledgers import SUBJECT_AREA, Subject, columns, register_ledgers
from jiceng.core.scope import KIND_LINKAGE
from jiceng.linkage.models import Dispatch
from jiceng.linkage.selectors import dispatch_list

KIND = dict(Dispatch.Kind.choices)
STATE = dict(Dispatch.State.choices)


def dispatches(viewer, subject: Subject):
    rows = subject.narrow(dispatch_list(viewer=viewer), area="sender_area")
    rows = rows.exclude(state=Dispatch.State.DRAFT).filter(**subject.period.times("sent_at"))
    for row in rows.order_by("sent_at", "id"):
        department = row.sender_department
        yield (
            row.sent_at,
            KIND[row.kind],
            row.title,
            row.sender_area.name,
            department.name if department is not None else "",
            row.duty_reference or "",
            row.deadline,
            STATE[row.state],
            row.recipient_count,
            row.owed_count if row.kind == Dispatch.Kind.TASK else None,
            row.submitted_count if row.kind == Dispatch.Kind.TASK else None,
            row.outside_list_count,
        )


def register() -> None:
    register_ledgers(
        app="linkage",
        title=_("调度通报"),
        kind=KIND_LINKAGE,
        source="linkage.selectors",
        specs=[
            ("dispatches", _("调度事项台账（通知与任务下发）"), dispatches, "dispatch_list",
             columns(("sent", _("下发时间"), "date"), ("kind", _("类别")), ("title", _("标题")),
                     ("sender", _("发出单位")), ("department", _("发出部门")),
                     ("duty", _("依据的准入事项编号")), ("deadline", _("截止日期"), "date"),
                     ("state", _("状态")), ("recipients", _("接收单位数"), "number"),
                     ("owed", _("待报"), "number"), ("submitted", _("待审核"), "number"),
                     ("outside", _("标记为清单外"), "number")),
             {"subjects": (SUBJECT_AREA,), "takes_period": True}),
        ],
    )  # fmt: skip
