"""The appeals app's errors: one stable code per refusal (AppealErrorCode), messages as
constants the tests reuse. Each is raised as a core.errors class, so the API answers
{"code", "message", "field"} and pages show the message; a client reads the code, never
the translated text."""

from enum import StrEnum

from django.utils.translation import gettext_lazy as _

from jiceng.core.errors import Conflict, ValidationFailed


class AppealErrorCode(StrEnum):
    # intake
    DESCRIPTION_REQUIRED = "appeal_description_required"
    DESCRIPTION_TOO_LONG = "appeal_description_too_long"
    CATEGORY_INVALID = "appeal_category_invalid"
    AREA_LEVEL = "appeal_area_level"
    PUBLISH_PERSONAL = "appeal_publish_personal_data"
    # the case's life
    ILLEGAL_TRANSITION = "illegal_transition"  # as before the codes: clients match it
    ROUTING_PENDING = "routing_pending"  # idem
    REASON_REQUIRED = "appeal_reason_required"
    REPLY_REQUIRED = "appeal_reply_required"
    REPLY_TOO_LONG = "appeal_reply_too_long"
    UNIT_REQUIRED = "appeal_unit_required"
    UNIT_INACTIVE = "appeal_unit_inactive"
    UNIT_TERRITORY = "appeal_unit_territory"
    SATISFACTION_INVALID = "appeal_satisfaction_invalid"
    REOPEN_LATE = "appeal_reopen_late"
    REOPEN_SATISFIED = "appeal_reopen_satisfied"
    CASE_CLOSED = "appeal_case_closed"
    # summons and mediation
    SUMMONS_UNITS_REQUIRED = "appeal_summons_units_required"
    SUMMONS_NOT_DEPARTMENT = "appeal_summons_not_department"
    SUMMONS_ALREADY_REPORTED = "appeal_summons_already_reported"
    SUMMONS_NOT_REPORTED = "appeal_summons_not_reported"
    SUMMONS_NOTE_REQUIRED = "appeal_summons_note_required"
    NOT_MEDIATION = "appeal_not_mediation"
    PARTIES_REQUIRED = "appeal_parties_required"
    OUTCOME_INVALID = "appeal_outcome_invalid"
    # configuration: categories, units, handlers, routing rules, Open311 keys
    CATEGORY_CODE = "appeal_category_code_invalid"
    CATEGORY_CODE_TAKEN = "appeal_category_code_taken"
    CATEGORY_NAME = "appeal_category_name_invalid"
    CATEGORY_GROUP = "appeal_category_group_invalid"
    RESPONSE_HOURS = "appeal_response_hours_invalid"
    RESOLUTION_AMOUNT = "appeal_resolution_amount_invalid"
    RESOLUTION_UNIT = "appeal_resolution_unit_invalid"
    RESOLUTION_BEFORE_RESPONSE = "appeal_resolution_before_response"
    REOPEN_DAYS = "appeal_reopen_days_invalid"
    NO_CITY = "appeal_no_city"
    NAME_REQUIRED = "appeal_name_required"
    UNIT_KIND = "appeal_unit_kind_invalid"
    UNIT_NAME_TAKEN = "appeal_unit_name_taken"
    HANDLER_UNKNOWN = "appeal_handler_unknown"
    RULE_AREA_LEVEL = "appeal_rule_area_level"
    RULE_UNIT_AREA = "appeal_rule_unit_area"
    KEY_NAME_TAKEN = "appeal_open311_key_name_taken"
    KEY_UNKNOWN = "appeal_open311_key_unknown"
    # recorded history (appeal_bulk_create)
    RECORD_TIME = "appeal_record_time"
    RECORD_ACTION = "appeal_record_action_unknown"
    RECORD_NO_SUMMONS = "appeal_record_no_summons"
    # reading
    MONTH_INVALID = "appeal_month_invalid"
    # locating (places.locate) and the placement queue
    UNPLACEABLE = "appeal_address_unplaceable"
    PLACEMENT_PENDING = "appeal_placement_pending"
    NOT_PLACEMENT_PENDING = "appeal_not_placement_pending"
    PLACE_LEVEL = "appeal_place_level"
    PLACE_OUTSIDE = "appeal_place_outside_district"


DESCRIPTION_MAX = 2000  # characters of a description or a reply, as MSG_DESCRIPTION_LONG says

MSG_DESCRIPTION = _("请填写诉求内容")
MSG_DESCRIPTION_LONG = _("诉求内容不能超过2000字")
MSG_PUBLISH_PERSONAL = _("公开描述中仍有电话号码或身份证号，请删除后再公开")
MSG_CATEGORY = _("诉求类别无效")
MSG_AREA_LEVEL = _("发生地应为社区、网格或楼栋")
MSG_REASON = _("请填写原因")
MSG_REPLY = _("请填写答复内容")
MSG_UNIT_INACTIVE = _("承办单位已停用")
MSG_UNIT_TERRITORY = _("承办单位不负责该区域")
MSG_SATISFACTION = _("满意度无效")
MSG_REOPEN_LATE = _("已超过可申请重办的期限")
MSG_REOPEN_SATISFIED = _("评价为满意的诉求不能重办")
MSG_SUMMONS_UNITS = _("请选择至少一个职能部门")
MSG_SUMMONS_KIND = _("只能向职能部门吹哨")
MSG_SUMMONS_DONE = _("已报到，不能重复操作")
MSG_SUMMONS_NOT_REPORTED = _("请先报到")
MSG_CASE_CLOSED = _("诉求已办结")
MSG_NO_RULE = _("没有匹配的派单规则，请街道人工派单")
MSG_ROUTING_PENDING = _("该诉求正在自动派单，请稍后再操作")
MSG_POSSIBLE_DUPLICATE = _("同一地点有相似的未办结诉求，请街道确认后派单")
MSG_PARTIES = _("请填写当事人")
MSG_OUTCOME = _("调解结果无效")
MSG_NOT_MEDIATION = _("该诉求不是矛盾纠纷类")
MSG_CATEGORY_CODE = _("编码应为2到40位小写字母、数字、下划线或连字符")
MSG_CATEGORY_CODE_TAKEN = _("该编码已被使用")
MSG_CATEGORY_NAME = _("请填写名称")
MSG_CATEGORY_GROUP = _("请填写大类")
MSG_RESPONSE_HOURS = _("响应时限应为1到720小时")
MSG_RESOLUTION_AMOUNT = _("办结时限应为1到365")
MSG_RESOLUTION_UNIT = _("办结时限单位无效")
MSG_REOPEN_DAYS = _("可重办天数应为0到90天")
MSG_RESOLUTION_BEFORE_RESPONSE = _("办结时限不能短于响应时限")
MSG_HANDLER_UNKNOWN = _("没有该用户，或该用户不在您管理的辖区内")
MSG_RULE_UNIT_AREA = _("承办单位的负责区域不包含该区域")
MSG_RULE_AREA_LEVEL = _("派单规则应设在区、街道、社区或网格")
MSG_NAME = _("请填写名称")
MSG_UNIT_KIND = _("类型无效")
MSG_UNIT_NAME_TAKEN = _("该区域已有同名承办单位")
MSG_KEY_NAME_TAKEN = _("该名称已有密钥")
MSG_KEY_UNKNOWN = _("没有该名称的有效密钥")
MSG_RECORD_TIME = _("办理记录的时间应按先后顺序，且不晚于现在")
MSG_RECORD_ACTION = _("未知的办理动作")
MSG_RECORD_UNIT = _("请指明承办单位")
MSG_RECORD_NO_SUMMONS = _("该部门未被吹哨")
MSG_RECORD_ROW = _("第 {row} 件：{message}")
MSG_MONTH = _("月份格式应为 YYYY-MM")
MSG_UNPLACEABLE = _("无法确定发生地：请选择区、街道和社区，或写明所在区和详细地址")
MSG_PLACEMENT_PENDING = _("该诉求尚未定位，请先在待定位列表中确定发生地")
MSG_NOT_PLACEMENT_PENDING = _("该诉求已有发生地，无需定位")
MSG_PLACE_LEVEL = _("请定位到社区、网格或楼栋")
MSG_PLACE_OUTSIDE = _("所选地点不在该诉求所在的区内，或不在您管辖的范围内")


def invalid(message, code: AppealErrorCode, field: str | None = None) -> ValidationFailed:
    return ValidationFailed(message, field=field, code=str(code))


def conflict(message, code: AppealErrorCode, field: str | None = None) -> Conflict:
    return Conflict(message, field=field, code=str(code))
