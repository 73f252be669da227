"""The assessment app's errors: one stable code per refusal, messages as constants the
tests reuse, raised as core.errors classes so the API answers {"code", "message",
"field"} and pages show the message."""

from enum import StrEnum

from django.utils.translation import gettext_lazy as _

from jiceng.core.errors import Conflict, ValidationFailed


class AssessmentErrorCode(StrEnum):
    TEXT_REQUIRED = "assessment_text_required"
    BAD_CHOICE = "assessment_bad_choice"
    DATE_REQUIRED = "assessment_date_required"
    YEAR = "assessment_bad_year"
    NOT_DISTRICT = "assessment_not_district"
    WEIGHTS = "assessment_weights_not_100"
    REVIEW_WEIGHT = "assessment_bad_review_weight"
    UNKNOWN_OUTCOME = "assessment_unknown_outcome"
    OUTCOME_SUBJECT = "assessment_outcome_not_for_orgs"
    DUPLICATE_OUTCOME = "assessment_duplicate_outcome"
    RULE = "assessment_bad_rule"
    NO_ITEMS = "assessment_no_items"
    NO_GROUPS = "assessment_no_groups"
    FROZEN = "assessment_scheme_frozen"
    SCHEME_EXISTS = "assessment_scheme_exists"
    NOT_OPEN = "assessment_scheme_not_open"
    PUBLISHED = "assessment_already_published"
    NOT_SCORED = "assessment_not_scored"
    ILLEGAL_TRANSITION = "assessment_illegal_transition"
    STALE_VERSION = "assessment_stale_version"
    NOT_REVIEWER = "assessment_not_reviewer"
    REVIEWER_EXISTS = "assessment_reviewer_exists"
    REVIEWS_MISSING = "assessment_reviews_missing"
    REVIEW_GIVEN = "assessment_review_given"
    TASK_DONE = "assessment_task_done"
    DEADLINE_PAST = "assessment_deadline_past"
    HAS_RECTIFICATION = "assessment_problem_has_rectification"
    EVIDENCE_REQUIRED = "assessment_evidence_required"
    EVIDENCE_FULL = "assessment_evidence_full"
    EVIDENCE_TYPE = "assessment_evidence_type"
    REASON_REQUIRED = "assessment_reason_required"
    ORG_CLOSED = "assessment_org_closed"
    OWN_CLOSURE = "assessment_own_closure"


MSG_TEXT_REQUIRED = _("请填写此项")
MSG_BAD_CHOICE = _("选项无效")
MSG_DATE_REQUIRED = _("请填写日期")
MSG_YEAR = _("年度无效")
MSG_NOT_DISTRICT = _("考核方案由区委组织部制定，请选择区")
MSG_WEIGHTS = _("各项指标权重之和应为 100（现为 {total}）")
MSG_REVIEW_WEIGHT = _("评议权重应在 0 到 100 之间")
MSG_UNKNOWN_OUTCOME = _("没有这个结果指标：{key}")
MSG_OUTCOME_SUBJECT = _("指标“{label}”不能按党组织计算")
MSG_DUPLICATE_OUTCOME = _("指标“{label}”重复")
MSG_RULE_LINEAR = _("线性计分应填写下限和目标值，且两者不同")
MSG_RULE_THRESHOLDS = _("分档计分应填写至少一档，每档为“数值:得分比例(0-1)”")
MSG_NO_ITEMS = _("考核方案至少应有一项指标")
MSG_NO_GROUPS = _("请选择考核对象")
MSG_FROZEN = _("考核已开启，方案已冻结，不能修改")
MSG_SCHEME_EXISTS = _("该区本年度已有考核方案，请修改现有方案")
MSG_NOT_OPEN = _("考核尚未开启")
MSG_PUBLISHED = _("排名已发布")
MSG_NOT_SCORED = _("尚有考核对象未完成评议和计分，不能发布")
MSG_ILLEGAL = _("当前状态为“{state}”，不能{action}")
MSG_STALE_VERSION = _("该记录已被他人修改，请刷新后重试")
MSG_NOT_REVIEWER = _("只有指定的评议人可以评议")
MSG_REVIEWER_EXISTS = _("该评议人已在名单中")
MSG_REVIEWS_MISSING = _("尚有评议人未评议（{missing} 人）")
MSG_REVIEW_GIVEN = _("已评议，不能重复")
MSG_TASK_DONE = _("该任务已完成")
MSG_DEADLINE_PAST = _("时限不能早于今天")
MSG_HAS_RECTIFICATION = _("该问题已有整改事项")
MSG_EVIDENCE_REQUIRED = _("申请销号应至少上传一份整改佐证材料")
MSG_EVIDENCE_FULL = _("每个整改事项最多保存 {limit} 份佐证材料")
MSG_EVIDENCE_TYPE = _("佐证材料应为照片（JPG、PNG、WebP）或 PDF 文件")
MSG_REASON_REQUIRED = _("请填写退回原因")
MSG_ORG_CLOSED = _("党组织已撤销")
MSG_OWN_CLOSURE = _("销号应由上级确认，整改单位不能自行销号")


def invalid(message, code: AssessmentErrorCode, field: str | None = None) -> ValidationFailed:
    return ValidationFailed(message, field=field, code=str(code))


def conflict(message, code: AssessmentErrorCode, field: str | None = None) -> Conflict:
    return Conflict(message, field=field, code=str(code))
