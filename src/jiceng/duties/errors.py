"""The duties app's errors: one stable code per refusal (DutyErrorCode), messages as
constants the tests reuse. Each is raised as a core.errors class, so the API answers
{"code", "message", "field"} and pages show the message."""

from enum import StrEnum

from django.utils.translation import gettext_lazy as _

from jiceng.core.errors import Conflict, ValidationFailed


class DutyErrorCode(StrEnum):
    TEXT_REQUIRED = "duties_text_required"
    TEXT_TOO_LONG = "duties_text_too_long"
    TEXT_CONTROL = "duties_text_control_characters"
    BAD_CHOICE = "duties_bad_choice"
    BAD_NUMBER = "duties_bad_number"
    DATE_REQUIRED = "duties_date_required"
    DUE_IN_PAST = "duties_due_in_past"
    REASON_REQUIRED = "duties_reason_required"
    ILLEGAL_TRANSITION = "duties_illegal_transition"
    NOT_DEPARTMENT = "duties_not_department"
    NO_DISTRICT = "duties_department_without_district"
    STREETS_REQUIRED = "duties_streets_required"
    STREET_OUTSIDE = "duties_street_outside_district"
    DUTY_MISSING = "duties_duty_missing"
    DUTY_NOT_ADMITTED = "duties_duty_not_admitted"
    DUTY_NOT_COVERING = "duties_duty_not_covering"
    DUTY_OTHER_DEPARTMENT = "duties_duty_other_department"
    ANSWER_NOT_FOR_KIND = "duties_answer_not_for_kind"
    REQUEST_CLOSED = "duties_request_closed"
    YEAR = "duties_bad_year"
    DEPARTMENT_REQUIRED = "duties_department_required"


MSG_TEXT_REQUIRED = _("{label}：请填写此项")
MSG_TEXT_CONTROL = _("{label}：含有不可见的控制字符（如 NUL），请删除后重新输入")
MSG_TEXT_TOO_LONG = _("{label}：最多 {limit} 个字符，现有 {length} 个")
MSG_BAD_CHOICE = _("{label}：选项无效")
MSG_BAD_NUMBER = _("{label}：应为不小于 0 的数")
MSG_DATE_REQUIRED = _("{label}：请填写日期")
MSG_DUE_IN_PAST = _("答复时限：不能早于今天")
MSG_REASON_REQUIRED = _("理由：不予准入、撤销准入或不同意时必须填写理由")
MSG_ILLEGAL = _("当前状态为“{state}”，不能{action}")
MSG_NOT_DEPARTMENT = _("申请部门：只有职能部门可以申请职责下沉")
MSG_NO_DISTRICT = _("申请部门：该部门不属于任何区")
MSG_STREETS_REQUIRED = _("下沉街道：请至少选择一个街道")
MSG_STREET_OUTSIDE = _("下沉街道：只能选择本区的街道")
MSG_DUTY_MISSING = _("依据事项：部门向街道派任务须注明已准入的下沉事项")
MSG_DUTY_NOT_ADMITTED = _("依据事项：“{title}”尚未经区委区政府审核准入（当前为“{state}”）")
MSG_DUTY_NOT_COVERING = _("依据事项：“{title}”未准入下沉到 {place}")
MSG_DUTY_OTHER_DEPARTMENT = _("依据事项：“{title}”不是本部门申请准入的事项")
MSG_ANSWER_NOT_FOR_KIND = _("答复意见：征得同意只能答复同意或不同意")
MSG_REQUEST_CLOSED = _("该事项已答复或已撤回")
MSG_YEAR = _("年度：应为 2000 年至明年之间")
MSG_DEPARTMENT_REQUIRED = _("职能部门：征得同意、综合管理须指明职能部门")


def invalid(message, code: DutyErrorCode, field: str | None = None) -> ValidationFailed:
    return ValidationFailed(message, field=field, code=str(code))


def conflict(message, code: DutyErrorCode, field: str | None = None) -> Conflict:
    return Conflict(message, field=field, code=str(code))


class DutyNotAdmitted(ValidationFailed):
    """A department's task cites no admitted duty covering its recipients (linkage)."""

    code = str(DutyErrorCode.DUTY_NOT_ADMITTED)
