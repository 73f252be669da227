"""The linkage app's errors: one stable code per refusal (LinkageErrorCode), messages as
constants the tests reuse. Each is raised as a core.errors class, so the API answers
{"code", "message", "field"} and pages show the message."""

from enum import StrEnum

from django.utils.translation import gettext_lazy as _

from jiceng.core.errors import Conflict, PermissionDenied, ValidationFailed


class LinkageErrorCode(StrEnum):
    TEXT_REQUIRED = "linkage_text_required"
    BAD_CHOICE = "linkage_bad_choice"
    SENDER_LEVEL = "linkage_sender_level"
    SENDER_NOT_ALLOWED = "linkage_sender_not_allowed"
    RECIPIENT_OUTSIDE = "linkage_recipient_outside"
    NO_RECIPIENTS = "linkage_no_recipients"
    DEADLINE_PAST = "linkage_deadline_past"
    DEADLINE_REQUIRED = "linkage_deadline_required"
    PERIOD = "linkage_bad_period"
    OUTCOME_UNKNOWN = "linkage_outcome_unknown"
    RULE_INCOMPLETE = "linkage_rule_incomplete"
    NOT_DRAFT = "linkage_not_draft"
    ILLEGAL_TRANSITION = "linkage_illegal_transition"
    FIELDS_REQUIRED = "linkage_fields_required"
    FIELDS_FULL = "linkage_fields_full"
    NOT_A_TASK = "linkage_not_a_task"
    CHOICES_REQUIRED = "linkage_choices_required"
    ATTACHMENTS_FULL = "linkage_attachments_full"
    ATTACHMENT_REQUIRED = "linkage_attachment_required"
    ANSWER_REQUIRED = "linkage_answer_required"
    ANSWER_NUMBER = "linkage_answer_number"
    NOTE_REQUIRED = "linkage_correction_note_required"
    STALE_VERSION = "linkage_stale_version"
    NOT_ANSWERER = "linkage_not_answerer"
    REASON_REQUIRED = "linkage_reason_required"
    DISPATCH_CLOSED = "linkage_dispatch_closed"
    BULLETIN_EXISTS = "linkage_bulletin_exists"
    NOTHING_ACCEPTED = "linkage_nothing_accepted"
    ADDRESS = "linkage_bad_address"
    CHANNEL_OFF = "linkage_channel_off"
    INPUT = "linkage_bad_input"
    SENDER_DEPARTMENT = "linkage_sender_department"
    ADMISSION_UNAVAILABLE = "linkage_duty_admission_unavailable"
    OUTSIDE_LIST_NOT_FOR = "linkage_outside_list_not_for"
    OUTSIDE_LIST_MARKED = "linkage_outside_list_marked"
    ORG_RULE_NOT_ALLOWED = "linkage_org_rule_not_allowed"


MSG_TEXT_REQUIRED = _("请填写此项")
MSG_BAD_CHOICE = _("选项无效")
MSG_SENDER_LEVEL = _("只有区、街道可以下发通知和任务")
MSG_SENDER_NOT_ALLOWED = _("只有发出单位的工作人员可以操作此事项")
MSG_RECIPIENT_OUTSIDE = _("接收单位须在发出单位辖区之内")
MSG_NO_RECIPIENTS = _("没有符合条件的接收单位")
MSG_DEADLINE_PAST = _("截止日期不能早于今天")
MSG_DEADLINE_REQUIRED = _("任务须有截止日期")
MSG_PERIOD = _("统计期间格式应为 2026、2026-Q1 或 2026-03")
MSG_OUTCOME_UNKNOWN = _("没有这个指标")
MSG_RULE_INCOMPLETE = _("按指标规则下发须选择指标、期间、比较方式和阈值")
MSG_NOT_DRAFT = _("已下发的事项不能修改")
MSG_ILLEGAL = _("当前状态为“{state}”，不能{action}")
MSG_FIELDS_REQUIRED = _("任务须至少有一个回报项")
MSG_FIELDS_FULL = _("回报项已达上限")
MSG_NOT_A_TASK = _("通知没有回报项")
MSG_CHOICES_REQUIRED = _("单选题须至少有两个选项（每行一个）")
MSG_ATTACHMENTS_FULL = _("附件已达上限")
MSG_ATTACHMENT_REQUIRED = _("请选择文件")
MSG_ANSWER_REQUIRED = _("请填写“{label}”")
MSG_ANSWER_NUMBER = _("“{label}”应为数字")
MSG_NOTE_REQUIRED = _("更正系统数据须说明原因（“{label}”）")
MSG_STALE_VERSION = _("该报送已被他人修改，请刷新后重试")
MSG_NOT_ANSWERER = _("只有接收单位的负责人员可以签收和填报")
MSG_REASON_REQUIRED = _("请填写原因")
MSG_DISPATCH_CLOSED = _("该事项已结束或撤回")
MSG_BULLETIN_EXISTS = _("该任务已发布通报")
MSG_NOTHING_ACCEPTED = _("尚无已采纳的报送，不能发布通报")
MSG_ADDRESS = _("地址格式有误")
MSG_CHANNEL_OFF = _("本平台未开通该渠道")
MSG_SENDER_DEPARTMENT = _("发出部门须是服务该区或街道的职能部门")
MSG_ADMISSION_UNAVAILABLE = _("职责准入未启用，职能部门暂不能下发任务")
MSG_OUTSIDE_LIST_NOT_FOR = _("只有街道收到的职能部门通知或任务可以标记为清单外事项")
MSG_OUTSIDE_LIST_MARKED = _("该事项已标记为清单外事项")
MSG_ORG_RULE_NOT_ALLOWED = _(
    "按党组织指标规则下发须由区或街道以本级名义发出，且发出人能查看该指标所依据的数据"
)


def invalid(message, code: LinkageErrorCode, field: str | None = None) -> ValidationFailed:
    return ValidationFailed(message, field=field, code=str(code))


def conflict(message, code: LinkageErrorCode, field: str | None = None) -> Conflict:
    return Conflict(message, field=field, code=str(code))


def forbidden(message, code: LinkageErrorCode) -> PermissionDenied:
    return PermissionDenied(message, code=str(code))
