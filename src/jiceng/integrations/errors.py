"""The integrations app's errors: one stable code per refusal."""

from enum import StrEnum

from django.utils.translation import gettext_lazy as _

from jiceng.core.errors import ApplicationError, Conflict, PermissionDenied, ValidationFailed


class IntegrationErrorCode(StrEnum):
    NAME_REQUIRED = "integration_name_required"
    AREA_LEVEL = "integration_area_level"
    NO_PERMISSION = "integration_no_permission"
    UNIT_REQUIRED = "integration_unit_required"
    UNIT_OUTSIDE = "integration_unit_outside_area"
    EXPIRES_PAST = "integration_expires_in_past"
    RATE_INVALID = "integration_rate_invalid"
    ALREADY_REVOKED = "integration_already_revoked"
    TOKEN_OPERATION = "token_operation_forbidden"
    TOKEN_RATE_LIMITED = "token_rate_limited"
    URL_INVALID = "integration_url_invalid"
    EVENTS_INVALID = "integration_events_invalid"
    PERSONAL_NEEDS_UNIT = "integration_personal_needs_unit"
    NOT_DEAD = "integration_delivery_not_dead"
    HOTLINE_FORMAT = "hotline_format"
    HOTLINE_ROWS = "hotline_rows_invalid"
    HOTLINE_TOO_MANY = "hotline_too_many_rows"
    HOTLINE_DISTRICT = "hotline_district_required"
    SINCE_INVALID = "hotline_since_invalid"


MSG_NAME = _("请填写名称")
MSG_AREA_LEVEL = _("辖区须为区、街道或社区")
MSG_NO_PERMISSION = _("请至少选择一项权限")
MSG_UNIT_REQUIRED = _("办理诉求的权限须指定承办单位")
MSG_UNIT_OUTSIDE = _("承办单位不在该辖区内")
MSG_EXPIRES_PAST = _("到期时间须晚于现在")
MSG_RATE = _("每分钟限次须在 1 到 6000 之间")
MSG_ALREADY_REVOKED = _("已经吊销")
MSG_TOKEN_OPERATION = _("该系统令牌无权执行此操作")
MSG_RATE_LIMITED = _("调用过于频繁，请稍后再试")
MSG_URL = _("接收地址须以 http:// 或 https:// 开头")
MSG_EVENTS = _("请选择要接收的事件")
MSG_PERSONAL_NEEDS_UNIT = _("只有指定承办单位的订阅才能接收联系人信息")
MSG_NOT_DEAD = _("只有推送失败的事件可以重新推送")
MSG_HOTLINE_FORMAT = _("文件须为 Excel（.xlsx）或 JSON 数组")
MSG_HOTLINE_ROWS = _("工单有误，未导入任何一行")
MSG_HOTLINE_TOO_MANY = _("一次最多导入 5000 条工单")
MSG_HOTLINE_DISTRICT = _("请选择导入到哪个区")
# Not a refusal: the reason an order with an unknown area code waits to be placed.
MSG_HOTLINE_AREA_CODE = _("区划代码不是本区的社区、网格或楼栋")
MSG_SINCE = _("起始时间格式应为 YYYY-MM-DD 或 ISO 8601")


class RateLimited(ApplicationError):
    code = IntegrationErrorCode.TOKEN_RATE_LIMITED
    status = 429
    default_message = MSG_RATE_LIMITED


def invalid(message, code: IntegrationErrorCode, field: str | None = None) -> ValidationFailed:
    return ValidationFailed(message, field=field, code=code)


def conflict(message, code: IntegrationErrorCode, field: str | None = None) -> Conflict:
    return Conflict(message, field=field, code=code)


def forbidden(message, code: IntegrationErrorCode) -> PermissionDenied:
    return PermissionDenied(message, code=code)
