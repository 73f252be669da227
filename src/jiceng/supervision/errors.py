"""Supervision's refusals: one stable code each (SupervisionErrorCode), messages as
constants the tests reuse, raised as core.errors classes so the API answers
{"code", "message", "field"} and the pages show the message."""

from enum import StrEnum

from django.utils.translation import gettext_lazy as _

from jiceng.core.errors import Conflict, ValidationFailed


class SupervisionErrorCode(StrEnum):
    ILLEGAL_TRANSITION = "supervision_illegal_transition"
    REASON_REQUIRED = "supervision_reason_required"
    PLAN_INCOMPLETE = "supervision_plan_incomplete"
    DEADLINE_PAST = "supervision_deadline_past"
    STILL_HITS = "supervision_rules_still_hit"
    NOT_DISTRICT = "supervision_not_district"
    BAD_YEAR = "supervision_bad_year"
    BAD_PERIOD = "supervision_bad_period"
    ALREADY_CONFIRMED = "supervision_already_confirmed"
    INSPECTION_RECORDED = "supervision_inspection_recorded"
    DATE_FUTURE = "supervision_date_in_future"
    FOLLOW_UP_BEFORE_TALK = "supervision_follow_up_before_talk"
    FOLLOWED_UP = "supervision_already_followed_up"
    ORG_CLOSED = "supervision_org_closed"
    BAD_CRITERION = "supervision_bad_criterion"
    BAD_PARAMS = "supervision_bad_params"


MSG_ILLEGAL = _("当前状态为“{state}”，不能{action}")
MSG_REASON_REQUIRED = _("请填写理由")
MSG_PLAN_INCOMPLETE = _("整顿方案须写明责任领导、整顿措施和时限")
MSG_DEADLINE_PAST = _("整顿时限不能早于今天")
MSG_STILL_HITS = _("仍命中研判规则：{rules}。整改到位后再验收，或由区委组织部写明理由确认销号")
MSG_NOT_DISTRICT = _("请选择一个区")
MSG_BAD_YEAR = _("年度无效")
MSG_BAD_PERIOD = _("统计期间无效，应为年份（2026）或月份（2026-03）")
MSG_ALREADY_CONFIRMED = _("该星级评定已确认")
MSG_INSPECTION_RECORDED = _("该检查已登记结果")
MSG_DATE_FUTURE = _("日期不能晚于今天")
MSG_FOLLOW_UP_BEFORE_TALK = _("回访日期不能早于约谈日期")
MSG_FOLLOWED_UP = _("该约谈已登记回访结果")
MSG_ORG_CLOSED = _("党组织已撤销")
MSG_BAD_CRITERION = _("每条标准须是“结果指标 + 达标值”或“不得命中的研判规则”之一")
MSG_BAD_PARAMS = _("参数应为非负数")


def invalid(message, code: SupervisionErrorCode, field: str | None = None) -> ValidationFailed:
    return ValidationFailed(message, field=field, code=str(code))


def conflict(message, code: SupervisionErrorCode, field: str | None = None) -> Conflict:
    return Conflict(message, field=field, code=str(code))
