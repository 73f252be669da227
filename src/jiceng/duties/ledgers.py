"""The duties app's standard ledgers (台账): the streets' duty lists with the people and
funds of each admitted duty, the tasks marked outside the list, the assessments of
field-office heads, and the requests between streets and departments with their
answers. Each reads the app's scoped selectors in a fixed number of queries."""

from django.utils.translation import gettext_lazy as _

from jiceng.core.ledgers import SUBJECT_AREA, Subject, columns, register_ledgers
from jiceng.core.scope import KIND_DUTY
from jiceng.duties.models import FieldOfficeAssessment, PowerRequest
from jiceng.duties.selectors import (
    assessment_list,
    outside_list_reports,
    power_request_list,
    street_duty_list,
)

GRADE = dict(FieldOfficeAssessment.Grade.choices)
KIND = dict(PowerRequest.Kind.choices)
STATE = dict(PowerRequest.State.choices)
ANSWER = dict(PowerRequest.Answer.choices)
AREA_ONLY = {"subjects": (SUBJECT_AREA,)}


def duty_list(viewer, subject: Subject):
    rows = subject.narrow(street_duty_list(viewer=viewer), area="street")
    for line in rows:
        duty = line.duty
        yield (
            line.street.name,
            duty.title,
            duty.department.name,
            duty.legal_basis,
            duty.expected_volume,
            duty.staff_count,
            duty.funds_yuan,
            duty.decided_at,
        )


def outside_list(viewer, subject: Subject):
    rows = subject.narrow(outside_list_reports(viewer=viewer), area="street")
    for report in rows.filter(**subject.period.dates("reported_on")):
        yield (
            report.reported_on,
            report.street.name,
            report.department.name,
            report.task_reference,
            report.description,
        )


def assessments(viewer, subject: Subject):
    rows = assessment_list(viewer=viewer, year=subject.period.start.year)
    for row in subject.narrow(rows, area="street"):
        yield (
            row.year,
            row.street.name,
            row.department.name,
            row.office_name,
            row.head_name,
            GRADE[row.grade],
            row.comment,
        )


def requests(viewer, subject: Subject):
    rows = subject.narrow(power_request_list(viewer=viewer), area="street")
    for row in rows.filter(**subject.period.times("created_at")):
        yield (
            row.created_at,
            KIND[row.kind],
            row.street.name,
            row.department.name if row.department_id else str(_("区委区政府")),
            row.subject,
            row.due_on,
            STATE[row.state],
            ANSWER.get(row.answer, ""),
            row.answer_reason,
            row.answered_at,
        )


def register() -> None:
    register_ledgers(
        app="duties",
        title=_("职责准入与街道五项权力"),
        kind=KIND_DUTY,
        source="duties.selectors",
        specs=[
            ("street_duty_list", _("街道职责清单台账"), duty_list, "street_duty_list",
             columns(("street", _("街道")), ("title", _("事项名称")),
                     ("department", _("申请部门")), ("basis", _("法律依据")),
                     ("volume", _("预计工作量")), ("staff", _("随事下沉人员"), "number"),
                     ("funds", _("随事下拨经费（元/年）"), "number"),
                     ("admitted", _("准入时间"), "date")), AREA_ONLY),
            ("outside_list", _("清单外事项台账"), outside_list, "outside_list_reports",
             columns(("on", _("报告日期"), "date"), ("street", _("街道")),
                     ("department", _("派任务的部门")), ("reference", _("任务编号或文号")),
                     ("description", _("情况说明"))), {**AREA_ONLY, "takes_period": True}),
            ("field_office_assessments", _("派出机构负责人考核台账"), assessments,
             "assessment_list",
             columns(("year", _("年度"), "number"), ("street", _("街道")),
                     ("department", _("职能部门")), ("office", _("派出机构")),
                     ("head", _("负责人")), ("grade", _("考核等次")),
                     ("comment", _("考核意见"))), {**AREA_ONLY, "takes_period": True}),
            ("street_power_requests", _("征得同意与建议台账"), requests, "power_request_list",
             columns(("at", _("提出时间"), "date"), ("kind", _("类型")), ("street", _("街道")),
                     ("department", _("职能部门")), ("subject", _("事由")),
                     ("due", _("答复时限"), "date"), ("state", _("状态")),
                     ("answer", _("答复意见")), ("reason", _("答复理由")),
                     ("answered", _("答复时间"), "date")), {**AREA_ONLY, "takes_period": True}),
        ],
    )  # fmt: skip
